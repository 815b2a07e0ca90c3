import type { Counts } from '../../scripts/relay';
import { ARNS } from '../../scripts/seed';
import { BUDGET, SIZES } from '../config';
import { note } from '../note';
import type { CheckBudget } from '../report';
import { runWorker } from '../run-worker';
import { round, summary } from '../stats';
import type { BenchWorld } from '../world';
import type { Bundles } from './bundles';

/** The percentiles results.json keeps (the chart draws them). */
const pick = (s: ReturnType<typeof summary>) => ({
  p50: round(s.p50, 3),
  p90: round(s.p90, 3),
  p99: round(s.p99, 3),
});

/**
 * Phase 3: the warm path, the in-process handler against a bare AssumeRole to the same
 * endpoint, interleaved; and the upstream calls a warm request makes.
 */
export async function measureWarmPath(world: BenchWorld, bundles: Bundles, check: CheckBudget) {
  note(`warm path, ${SIZES.warmRequests} requests each after ${SIZES.warmup} warm-up`);
  const warm = await runWorker(
    {
      mode: 'latency',
      bundle: bundles.credentials,
      event: world.brokerEvent(ARNS.deployTarget),
      warmup: SIZES.warmup,
      count: SIZES.warmRequests,
      direct: { input: world.viaHub, credentials: world.hubCredentials },
    },
    { ...world.env, ROLEBROKER_SESSION_REUSE: 'off' },
    world.counts,
  );
  const brokerWarm = summary(warm.result.broker as number[]);
  const directWarm = summary(warm.result.direct as number[]);
  const warmCounts = warm.phases.measure as Counts;
  check('warm p50, broker/direct', brokerWarm.p50 / directWarm.p50, BUDGET.warmP50Ratio);
  check('warm p99, broker/direct', brokerWarm.p99 / directWarm.p99, BUDGET.warmP99Ratio);
  check('warm SSM calls', warmCounts.ssm, 0, '==');
  check('warm hub AssumeRole calls', warmCounts.hubAssumeRole, 0, '==');
  // Broker and direct both make target calls: the broker's share is the total minus direct's.
  const brokerStsPerRequest =
    (warmCounts.targetAssumeRole - SIZES.warmRequests) / SIZES.warmRequests;
  check('warm STS calls per broker request', brokerStsPerRequest, 1, '==');
  return {
    requests: SIZES.warmRequests,
    broker: pick(brokerWarm),
    direct: pick(directWarm),
    ratioP50: round(brokerWarm.p50 / directWarm.p50, 3),
    ratioP99: round(brokerWarm.p99 / directWarm.p99, 3),
    upstreamCalls: { ...warmCounts, directAssumeRole: SIZES.warmRequests },
  };
}

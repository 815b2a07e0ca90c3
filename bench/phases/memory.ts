import { ARNS, BROKER_ACCOUNT } from '../../scripts/seed';
import { BUDGET, SIZES } from '../config';
import { note } from '../note';
import type { CheckBudget } from '../report';
import { runWorker } from '../run-worker';
import { mapRound } from '../stats';
import type { BenchWorld } from '../world';
import type { Bundles } from './bundles';

/**
 * Phase 5: memory over many warm requests from a rotating pool of callers (more than the
 * reuse cache holds, so every request calls STS and the cache stays at its bound).
 */
export async function measureMemory(world: BenchWorld, bundles: Bundles, check: CheckBudget) {
  note(`memory over ${SIZES.memoryRequests} requests`);
  const memoryRun = await runWorker(
    {
      mode: 'memory',
      bundle: bundles.credentials,
      event: world.brokerEvent(ARNS.localTarget),
      // Past the reuse cache's bound (2,000 sessions), so growth is measured from a full cache.
      warmup: SIZES.memoryWarmup,
      count: SIZES.memoryRequests,
      callers: SIZES.memoryCallers,
      callerPrefix: `arn:aws:sts::${BROKER_ACCOUNT}:assumed-role/audit-bench/caller-`,
    },
    world.env,
    world.counts,
    ['--expose-gc', '--max-old-space-size=200'],
  );
  const memory = memoryRun.result as Record<string, number>;
  check(
    `RSS growth over ${SIZES.memoryRequests} requests, MiB`,
    memory.rssGrowthMiB ?? Number.NaN,
    BUDGET.rssGrowthMiB,
    '<',
  );
  check(
    'peak RSS MiB (function memory 256 MB)',
    memory.peakRssMiB ?? Number.NaN,
    BUDGET.memoryMiB,
    '<',
  );
  return { requests: SIZES.memoryRequests, callers: SIZES.memoryCallers, ...mapRound(memory) };
}

import { ARNS, PREFIX } from '../../scripts/seed';
import { BUDGET, SIZES } from '../config';
import { note } from '../note';
import type { CheckBudget } from '../report';
import { runWorker } from '../run-worker';
import { median, round, summary } from '../stats';
import type { BenchWorld } from '../world';
import type { Bundles } from './bundles';

/**
 * Phase 2: cold start in fresh processes, broker and baseline alternating. Init is process
 * start to handler loaded, the span Lambda reports as Init Duration; the import alone is
 * shown too. The cold path is init plus the first request: what a new instance's first
 * caller waits for (the broker loads grants and assumes a hub and the target; the baseline
 * makes one AssumeRole). A third process per round, the SDK alone making the broker's three
 * calls, splits the broker's excess into what its calls cost and what its own code costs.
 */
export async function measureColdStart(world: BenchWorld, bundles: Bundles, check: CheckBudget) {
  note(`cold start, ${SIZES.coldRuns} fresh processes each`);
  const cold = {
    broker: [] as number[],
    brokerImport: [] as number[],
    baselineImport: [] as number[],
    baseline: [] as number[],
    brokerFirst: [] as number[],
    baselineFirst: [] as number[],
    sameCallsPath: [] as number[],
  };
  for (let i = 0; i < SIZES.coldRuns; i++) {
    const b = await runWorker(
      { mode: 'cold', bundle: bundles.credentials, event: world.brokerEvent(ARNS.deployTarget) },
      world.env,
      world.counts,
    );
    const base = await runWorker(
      { mode: 'cold', bundle: bundles.baseline, event: world.brokerEvent(ARNS.deployTarget) },
      { ...world.env, BENCH_ASSUME_ROLE_INPUT: JSON.stringify(world.oneHop) },
      world.counts,
    );
    const same = await runWorker(
      { mode: 'cold', bundle: bundles.sameCalls, event: world.brokerEvent(ARNS.deployTarget) },
      {
        ...world.env,
        BENCH_GRANTS_PATH: `${PREFIX}/grants`,
        BENCH_HUB_ROLE_ARN: ARNS.hubRole,
        BENCH_ASSUME_ROLE_INPUT: JSON.stringify(world.viaHub),
      },
      world.counts,
    );
    cold.sameCallsPath.push(
      (same.result.initMs as number) + (same.result.firstRequestMs as number),
    );
    cold.broker.push(b.result.initMs as number);
    cold.brokerImport.push(b.result.importMs as number);
    cold.brokerFirst.push(b.result.firstRequestMs as number);
    cold.baseline.push(base.result.initMs as number);
    cold.baselineImport.push(base.result.importMs as number);
    cold.baselineFirst.push(base.result.firstRequestMs as number);
  }
  const coldRatio = median(cold.broker) / median(cold.baseline);
  check('cold start init, broker/baseline (median)', coldRatio, BUDGET.coldInitRatio);
  // What the first caller of a new instance waits for: init, then its own request.
  const brokerPath = cold.broker.map((init, i) => init + (cold.brokerFirst[i] ?? Number.NaN));
  const baselinePath = cold.baseline.map((init, i) => init + (cold.baselineFirst[i] ?? Number.NaN));
  const pathRatio = median(brokerPath) / median(baselinePath);
  // Reported, not enforced: the SDK's three calls alone take nearly all of it (docs/performance.md).
  check('cold path, broker/baseline (median)', pathRatio, BUDGET.coldPathRatio, '<=', false);
  // What the broker's own code adds to the same calls: the cold path's enforced guard.
  const ownRatio = median(brokerPath) / median(cold.sameCallsPath);
  check('cold path, broker/SDK-only same calls (median)', ownRatio, BUDGET.coldPathOwnRatio);
  return {
    brokerInitMedian: round(median(cold.broker)),
    baselineInitMedian: round(median(cold.baseline)),
    ratio: round(coldRatio, 3),
    brokerImportMedian: round(median(cold.brokerImport)),
    baselineImportMedian: round(median(cold.baselineImport)),
    importRatio: round(median(cold.brokerImport) / median(cold.baselineImport), 3),
    brokerFirstRequestMedian: round(median(cold.brokerFirst)),
    baselineFirstRequestMedian: round(median(cold.baselineFirst)),
    coldPathBrokerMedian: round(median(brokerPath)),
    coldPathBaselineMedian: round(median(baselinePath)),
    coldPathBrokerP99: round(summary(brokerPath).p99),
    coldPathBaselineP99: round(summary(baselinePath).p99),
    coldPathRatio: round(pathRatio, 3),
    coldPathSameCallsMedian: round(median(cold.sameCallsPath)),
    coldPathSameCallsP99: round(summary(cold.sameCallsPath).p99),
    sameCallsRatio: round(median(cold.sameCallsPath) / median(baselinePath), 3),
    ownRatio: round(ownRatio, 3),
    runs: SIZES.coldRuns,
  };
}

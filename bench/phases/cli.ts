import { join } from 'node:path';
import { type CliStack, type ProcessRun, timeNode } from '../cli-stack';
import { BUDGET, ROOT, SIZES } from '../config';
import { note } from '../note';
import type { CheckBudget } from '../report';
import { round, summary } from '../stats';

const NODE_ONLY = ['-e', '0'];

/** A run that must have exited 0 with a credential_process answer on stdout. */
function answered(run: ProcessRun, what: string): number {
  const version = run.code === 0 ? (JSON.parse(run.stdout) as { Version?: number }).Version : 0;
  if (version !== 1) throw new Error(`${what} exited ${run.code}: ${run.stderr.trim()}`);
  return run.ms;
}

function ok(run: ProcessRun, what: string): number {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${run.stderr.trim()}`);
  return run.ms;
}

const stats = (ms: number[]) => {
  const s = summary(ms);
  return { p50: round(s.p50), p90: round(s.p90), p99: round(s.p99) };
};

/**
 * Phase 8: `rolebroker credentials --format process` from the built package bin. First the
 * miss (an empty cache: one broker round trip through the local stack) against a bare SDK
 * AssumeRole from a fresh Node process, alternating; then, with the local stack stopped (its
 * servers keep a core busy after they start), the cache hit (what every AWS CLI and SDK
 * credential refresh through a credential_process profile costs) against `node -e 0`,
 * alternating. Wall time, spawn to close, from this process.
 */
export async function measureCli(stack: CliStack, check: CheckBudget) {
  const args = [stack.cli, 'credentials', ...stack.request, '--format', 'process'];
  note(`CLI miss (empty cache) against a bare SDK AssumeRole, ${SIZES.cliMissRuns} runs each`);
  // The first run asks the broker and records the entry and the command line for the hits.
  answered(await timeNode(args, stack.env()), 'the first credentials run');
  const bare = [join(ROOT, 'bench/assume-role-once.mjs')];
  const bareEnv = { ...stack.env(), AWS_PROFILE: 'admin', BENCH_ROLE_ARN: stack.bareRoleArn };
  // Untimed: the first AssumeRole of a fresh process pair warms moto and the handler.
  answered(await timeNode(args, stack.env(join(stack.home, 'miss-warmup'))), 'a miss');
  ok(await timeNode(bare, bareEnv), 'the bare AssumeRole');
  const miss: number[] = [];
  const sdk: number[] = [];
  const missesBefore = stack.brokerRequests();
  for (let i = 0; i < SIZES.cliMissRuns; i++) {
    miss.push(answered(await timeNode(args, stack.env(join(stack.home, `miss-${i}`))), 'a miss'));
    sdk.push(ok(await timeNode(bare, bareEnv), 'the bare AssumeRole'));
  }
  const missBrokerRequests = stack.brokerRequests() - missesBefore;
  if (missBrokerRequests !== SIZES.cliMissRuns) {
    throw new Error(`${SIZES.cliMissRuns} misses made ${missBrokerRequests} broker requests`);
  }

  note(`CLI cache hit against node -e 0, ${SIZES.cliRuns} runs each, the local stack stopped`);
  await stack.stopBroker();
  const before = stack.brokerRequests();
  const hit: number[] = [];
  const node: number[] = [];
  for (let i = 0; i < SIZES.cliRuns; i++) {
    hit.push(answered(await timeNode(args, stack.env()), 'a cache hit'));
    node.push(ok(await timeNode(NODE_ONLY, stack.env()), 'node -e 0'));
  }
  const hitBrokerRequests = stack.brokerRequests() - before;
  const hitRatio = summary(hit).p50 / summary(node).p50;
  check('credential_process cache hit, cli/node (median)', hitRatio, BUDGET.cliHitRatio);
  check('credential_process cache hits, broker requests', hitBrokerRequests, 0, '==');
  return {
    hit: {
      runs: SIZES.cliRuns,
      cliMs: stats(hit),
      nodeMs: stats(node),
      ratio: round(hitRatio, 3),
      brokerRequests: hitBrokerRequests,
    },
    miss: {
      runs: SIZES.cliMissRuns,
      cliMs: stats(miss),
      sdkAssumeRoleMs: stats(sdk),
      ratio: round(summary(miss).p50 / summary(sdk).p50, 3),
      brokerRequests: missBrokerRequests,
    },
  };
}

export type CliResults = Awaited<ReturnType<typeof measureCli>>;

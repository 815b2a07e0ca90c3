import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `--quick`: fewer samples and 5 s load runs; budgets are reported but not enforced. */
export const quick = process.argv.includes('--quick');

/** The phases, in the order they run; `--only a,b` runs just those (nothing is written). */
export const PHASES = [
  'bundles',
  'cold',
  'warm',
  'reuse',
  'memory',
  'http',
  'serve',
  'cli',
] as const;
export type Phase = (typeof PHASES)[number];

function onlyPhases(argv: readonly string[]): ReadonlySet<Phase> | undefined {
  const at = argv.indexOf('--only');
  if (at < 0) return undefined;
  const names = (argv[at + 1] ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !(PHASES as readonly string[]).includes(n));
  if (!names.length || unknown.length) {
    throw new Error(`--only takes a comma-separated list of ${PHASES.join(', ')}`);
  }
  return new Set(names as Phase[]);
}

/** `--only`: the phases to run; undefined runs them all. */
export const only = onlyPhases(process.argv);

/** How much each phase measures. */
export const SIZES = {
  warmRequests: quick ? 300 : 2_000,
  warmup: quick ? 50 : 200,
  coldRuns: quick ? 5 : 25,
  repeatRequests: 1_000,
  memoryRequests: quick ? 2_000 : 20_000,
  memoryCallers: 5_000,
  memoryWarmup: quick ? 500 : 3_000,
  httpSeconds: quick ? 5 : 30,
  httpConnections: 50,
  cliRuns: quick ? 5 : 20,
  cliMissRuns: quick ? 3 : 10,
  serveGets: quick ? 50 : 200,
  serveNodeRuns: quick ? 5 : 20,
};

/** The performance budgets (issue 5). */
export const BUDGET = {
  warmP50Ratio: 1.15,
  warmP99Ratio: 1.3,
  coldInitRatio: 1.3,
  /** Init plus first request (issue 14); reported, not enforced (docs/performance.md). */
  coldPathRatio: 1.3,
  /** Init plus first request over the SDK alone making the same calls: the broker's own cost. */
  coldPathOwnRatio: 1.25,
  credentialsBundleKiB: 400,
  rssGrowthMiB: 10,
  memoryMiB: 256,
  /** The CLI's cache hit, median wall time over `node -e 0`'s (issue 14). */
  cliHitRatio: 1.5,
  /** `rolebroker serve`'s answer, p50 over `node -e 0`'s median (issue 14). */
  serveP50Ratio: 0.1,
};

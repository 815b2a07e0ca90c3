import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `--quick`: fewer samples and 5 s load runs; budgets are reported but not enforced. */
export const quick = process.argv.includes('--quick');

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
};

/** The performance budgets (issue 5). */
export const BUDGET = {
  warmP50Ratio: 1.15,
  warmP99Ratio: 1.3,
  coldInitRatio: 1.3,
  /** Init plus first request (issue 14). */
  coldPathRatio: 1.3,
  credentialsBundleKiB: 400,
  rssGrowthMiB: 10,
  memoryMiB: 256,
};

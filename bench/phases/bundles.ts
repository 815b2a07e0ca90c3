import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUDGET, ROOT } from '../config';
import { note } from '../note';
import type { CheckBudget } from '../report';
import { round } from '../stats';

const FUNCTIONS = {
  credentials: 'functions/credentials.ts',
  health: 'functions/health.ts',
  roles: 'functions/roles.ts',
  audit: 'functions/audit.ts',
  scheduledExample: 'functions/scheduled-example.ts',
} as const;

const lambdaOptions = createRequire(import.meta.url)(
  '../../scripts/sls/esbuild.cjs',
) as () => Record<string, unknown>;

/** Bundles `entry` exactly as serverless-esbuild does for a function; returns the size in bytes. */
async function bundle(entry: string, outfile: string): Promise<number> {
  const { exclude: _exclude, outputFileExtension: _ext, ...options } = lambdaOptions();
  await build({ ...options, entryPoints: [join(ROOT, entry)], outfile, logLevel: 'warning' });
  return (await stat(outfile)).size;
}

export interface Bundles {
  /** Minified size of every function bundle and of the baseline, KiB. */
  kib: Record<string, number>;
  /** The built credentials handler. */
  credentials: string;
  /** The built cold-start baseline (bench/baseline.ts). */
  baseline: string;
  /** The SDK alone making the broker's calls for a hub grant (bench/same-calls.ts). */
  sameCalls: string;
}

/** Phase 1: the bundles, built into `work` the way serverless-esbuild builds them for Lambda. */
export async function measureBundles(work: string, check: CheckBudget): Promise<Bundles> {
  note(`building the Lambda bundles`);
  const sizes: Record<string, number> = {};
  for (const [name, entry] of Object.entries(FUNCTIONS)) {
    sizes[name] = round((await bundle(entry, join(work, `${name}.mjs`))) / 1024, 1);
  }
  for (const [name, entry] of [
    ['baseline', 'bench/baseline.ts'],
    ['sameCalls', 'bench/same-calls.ts'],
  ] as const) {
    sizes[name] = round((await bundle(entry, join(work, `${name}.mjs`))) / 1024, 1);
  }
  check(
    'credentials bundle KiB',
    sizes.credentials ?? Number.NaN,
    BUDGET.credentialsBundleKiB,
    '<',
  );
  return {
    kib: sizes,
    credentials: join(work, 'credentials.mjs'),
    baseline: join(work, 'baseline.mjs'),
    sameCalls: join(work, 'sameCalls.mjs'),
  };
}

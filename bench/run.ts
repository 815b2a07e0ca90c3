/**
 * `npm run bench`: the broker's performance budgets (issue 5), measured side by side with a
 * baseline in the same run, printed as one table and written to bench/results.json. Exits 1
 * when a budget is missed. Everything runs on 127.0.0.1 against moto.
 *
 *   npm run bench                 # full run (a few minutes)
 *   npm run bench -- --quick      # fewer samples and 5 s load runs: checks the plumbing only
 *
 * Each phase is one module in bench/phases/; this file runs them in order and reports.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../scripts/emulator';
import { quick, ROOT } from './config';
import { measureBundles } from './phases/bundles';
import { measureColdStart } from './phases/cold-start';
import { measureEndToEnd } from './phases/end-to-end';
import { measureMemory } from './phases/memory';
import { measureReuse } from './phases/reuse';
import { measureWarmPath } from './phases/warm-path';
import { budgetChecks, printTable } from './report';
import { setUpWorld } from './world';

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'rolebroker-bench-'));
  const emulator = await startEmulator();
  const { checks, check } = budgetChecks();
  try {
    const bundles = await measureBundles(work, check);
    // The in-process phases share one seeded world behind a counting relay.
    const world = await setUpWorld(emulator.endpoint);
    const coldStartMs = await measureColdStart(world, bundles, check);
    const warmMs = await measureWarmPath(world, bundles, check);
    const reuseStsCallsPer1000 = await measureReuse(world, bundles);
    const memory = await measureMemory(world, bundles, check);
    await world.close();
    const http = await measureEndToEnd();

    const results = {
      date: new Date().toISOString(),
      quick,
      machine: { node: process.version, cpus: cpus().length },
      bundlesKiB: bundles.kib,
      coldStartMs,
      warmMs,
      reuseStsCallsPer1000,
      memory,
      http,
      checks,
    };
    printTable(results);
    if (quick) {
      console.log(
        '\n--quick: too few samples to judge; budgets not enforced, results.json not written',
      );
      return;
    }
    await writeFile(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('\nwritten to bench/results.json');
    const failed = checks.filter((c) => !c.ok);
    if (failed.length) {
      console.error(`\nbudget missed: ${failed.map((c) => c.name).join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    await emulator.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();

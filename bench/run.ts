/**
 * `npm run bench`: the broker's performance budgets (issue 5), measured side by side with a
 * baseline in the same run, printed as one table and written to bench/results.json. Exits 1
 * when a budget is missed. Everything runs on 127.0.0.1 against moto.
 *
 *   npm run bench                 # full run (a few minutes)
 *   npm run bench -- --quick      # fewer samples and 5 s load runs: checks the plumbing only
 *   npm run bench -- --only cli,serve   # some phases (config.ts PHASES): JSON, budgets, no file
 *
 * Each phase is one module in bench/phases/; this file runs them in order, reports, and draws
 * docs/bench.svg from the results (bench/chart.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../scripts/emulator';
import { writeChart } from './chart';
import { startCliStack } from './cli-stack';
import { only, type Phase, quick, ROOT } from './config';
import { measureBundles } from './phases/bundles';
import { type CliResults, measureCli } from './phases/cli';
import { measureColdStart } from './phases/cold-start';
import { measureEndToEnd } from './phases/end-to-end';
import { measureMemory } from './phases/memory';
import { measureReuse } from './phases/reuse';
import { measureServe, type ServeResults } from './phases/serve';
import { measureWarmPath } from './phases/warm-path';
import { budgetChecks, missed, printChecks, printTable } from './report';
import { type BenchWorld, setUpWorld } from './world';

/** Phases that run in-process against the seeded world, on the built Lambda bundles. */
const WORLD_PHASES: readonly Phase[] = ['cold', 'warm', 'reuse', 'memory'];
const wants = (phase: Phase) => !only || only.has(phase);

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'rolebroker-bench-'));
  const needsWorld = WORLD_PHASES.some(wants);
  const emulator = needsWorld ? await startEmulator() : undefined;
  const { checks, check } = budgetChecks();
  try {
    const bundles = needsWorld || wants('bundles') ? await measureBundles(work, check) : undefined;
    let world: BenchWorld | undefined;
    if (emulator && bundles) {
      // The in-process phases share one seeded world behind a counting relay.
      world = await setUpWorld(emulator.endpoint);
    }
    const coldStartMs =
      world && bundles && wants('cold') ? await measureColdStart(world, bundles, check) : undefined;
    const warmMs =
      world && bundles && wants('warm') ? await measureWarmPath(world, bundles, check) : undefined;
    const reuseStsCallsPer1000 =
      world && bundles && wants('reuse') ? await measureReuse(world, bundles) : undefined;
    const memory =
      world && bundles && wants('memory') ? await measureMemory(world, bundles, check) : undefined;
    await world?.close();
    const http = wants('http') ? await measureEndToEnd() : undefined;
    let cli: CliResults | undefined;
    let serve: ServeResults | undefined;
    if (wants('cli') || wants('serve')) {
      // The CLI phases share one local stack and the built CLI bundle.
      const stack = await startCliStack(work);
      try {
        // serve first: the CLI phase ends by stopping the broker (stack.stopBroker).
        serve = wants('serve') ? await measureServe(stack, check) : undefined;
        cli = wants('cli') ? await measureCli(stack, check) : undefined;
      } finally {
        await stack.close();
      }
    }

    const results = {
      date: new Date().toISOString(),
      quick,
      machine: { node: process.version, cpus: cpus().length },
      bundlesKiB: bundles?.kib,
      coldStartMs,
      warmMs,
      reuseStsCallsPer1000,
      memory,
      http,
      cli,
      serve,
      checks,
    };
    const failed = missed(checks);
    if (only) {
      // Some phases only: their figures as JSON, their checks enforced, nothing written.
      console.log(JSON.stringify({ ...results, checks: undefined }, null, 2));
      printChecks(checks);
      if (failed.length) process.exitCode = 1;
      return;
    }
    // Without --only every phase ran: no part of the results is missing.
    printTable(results as Parameters<typeof printTable>[0]);
    if (quick) {
      console.log(
        '\n--quick: too few samples to judge; budgets not enforced, results.json not written',
      );
      return;
    }
    await writeFile(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('\nwritten to bench/results.json');
    await writeChart(results);
    if (failed.length) {
      console.error(`\nbudget missed: ${failed.map((c) => c.name).join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    await emulator?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();

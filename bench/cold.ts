/**
 * `npm run bench:cold`: the cold-start phase alone, with its budget, on whatever `node` runs
 * it. CI runs it on Node 22 (the Lambda runtime's major) after the full bench on Node 20;
 * it writes nothing to bench/results.json. `--report-only` prints the checks without failing
 * (CI on Node 22, where the ratio is over budget: docs/performance.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../scripts/emulator';
import { measureBundles } from './phases/bundles';
import { measureColdStart } from './phases/cold-start';
import { budgetChecks, missed, verdict } from './report';
import { setUpWorld } from './world';

const work = await mkdtemp(join(tmpdir(), 'rolebroker-bench-cold-'));
const emulator = await startEmulator();
try {
  const { checks, check } = budgetChecks();
  const bundles = await measureBundles(work, check);
  const world = await setUpWorld(emulator.endpoint);
  const cold = await measureColdStart(world, bundles, check);
  await world.close();
  console.log(`node ${process.version}: cold start ${JSON.stringify(cold)}`);
  const failed = missed(checks);
  for (const c of checks) console.log(`${verdict(c)}  ${c.name}: ${c.value} (${c.budget})`);
  if (failed.length && process.argv.includes('--report-only')) {
    console.log('report only: the missed budget above is not enforced on this run');
  } else if (failed.length) {
    process.exitCode = 1;
  }
} finally {
  await emulator.stop();
  await rm(work, { recursive: true, force: true });
}

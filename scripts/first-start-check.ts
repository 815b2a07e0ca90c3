/**
 * `npm run first-start-check` (a .ci/run step): times `npm start` from a fresh venv to its
 * ready line, stops it as Ctrl-C would, times a restart, then interrupts a third start while
 * it seeds. Exits 1 when a figure is over its budget, when `npm start` fails, or when any
 * process of a run outlives its stop.
 *
 * The venv is a new temporary one (scripts/venv.sh's ROLEBROKER_INTERNAL_VENV), so the
 * checkout's .venv is neither used nor touched; pip's cache is left as the machine has it
 * (PIP_NO_CACHE_DIR=1 measures without one). Ports are free ones on 127.0.0.1. Like
 * `npm start`, each run rewrites .local/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './emulator';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIRST_BUDGET_S = 60;
const RESTART_BUDGET_S = 10;
const READY_LINE = 'rolebroker local stack ready';
/** Every process of a run inherits this variable; whatever still has it after a stop is left over. */
const MARKER = 'ROLEBROKER_INTERNAL_FIRST_START_RUN';

interface Run {
  readySeconds: number;
  stopSeconds: number;
  /** `npm start [N s] ...` progress lines and venv.sh's timing line, as printed. */
  phases: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Processes whose environment carries this run's marker: pid and command line. */
async function processesOf(runId: string): Promise<{ pid: number; command: string }[]> {
  const found: { pid: number; command: string }[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = await readFile(`/proc/${pid}/environ`, 'latin1');
      if (!environ.split('\0').includes(`${MARKER}=${runId}`)) continue;
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
      found.push({ pid, command: cmdline.trim() || (await readlink(`/proc/${pid}/exe`)) });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Kills whatever is left of a run (SIGKILL, by pid) and says what it was. */
async function killLeftovers(runId: string): Promise<string[]> {
  const left = await processesOf(runId);
  for (const { pid } of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return left.map(({ pid, command }) => `${pid} ${command}`);
}

/**
 * Runs `npm start` until its ready line (or, with `interruptAt`, until a progress line
 * matches it), then sends the group SIGINT as Ctrl-C does and checks that nothing of the
 * run is left.
 */
async function timeStart(
  label: string,
  env: NodeJS.ProcessEnv,
  timeoutS: number,
  interruptAt?: RegExp,
): Promise<Run> {
  const runId = randomUUID();
  const [port, emulatorPort] = [await freePort(), await freePort()];
  process.stderr.write(`\n--- ${label}: npm start on ports ${port} and ${emulatorPort}\n`);
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    // Its own process group, as a shell's foreground job: SIGINT to the group is Ctrl-C.
    detached: true,
    env: { ...env, PORT: String(port), EMULATOR_PORT: String(emulatorPort), [MARKER]: runId },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const phases: string[] = [];
  let stdout = '';
  let reached: (() => void) | undefined;
  const point = new Promise<void>((resolve) => {
    reached = resolve;
  });
  child.stdout?.on('data', (d: Buffer) => {
    process.stderr.write(d);
    stdout += d.toString();
    if (!interruptAt && stdout.includes(READY_LINE)) reached?.();
  });
  let stderrTail = '';
  child.stderr?.on('data', (d: Buffer) => {
    process.stderr.write(d);
    stderrTail += d.toString();
    const lines = stderrTail.split('\n');
    stderrTail = lines.pop() ?? '';
    for (const line of lines) {
      if (/^npm start \[|^venv\.sh: .* ready in /.test(line)) phases.push(line);
      if (interruptAt?.test(line)) reached?.();
    }
  });

  const outcome = await Promise.race([
    point.then(() => 'reached' as const),
    exited(child).then(() => 'exited' as const),
    sleep(timeoutS * 1000).then(() => 'timeout' as const),
  ]);
  const readySeconds = (performance.now() - started) / 1000;
  if (outcome !== 'reached') {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
    await killLeftovers(runId);
    const goal = interruptAt ? `a line matching ${interruptAt}` : 'its ready line';
    throw new Error(
      outcome === 'exited'
        ? `${label}: npm start exited (${child.exitCode ?? child.signalCode}) before ${goal}`
        : `${label}: npm start did not reach ${goal} within ${timeoutS} s`,
    );
  }

  // Ctrl-C: SIGINT to the whole foreground group (npm, tsx, node, moto).
  const stopping = performance.now();
  process.kill(-(child.pid as number), 'SIGINT');
  const stopped = await Promise.race([
    exited(child).then(() => true),
    sleep(30_000).then(() => false),
  ]);
  // Children may outlive npm by a moment; give them as long as the stack's own SIGKILL does.
  const deadline = Date.now() + 6000;
  while ((await processesOf(runId)).length > 0 && Date.now() < deadline) await sleep(100);
  const stopSeconds = (performance.now() - stopping) / 1000;
  const left = await killLeftovers(runId);
  if (!stopped || left.length > 0) {
    throw new Error(
      `${label}: ${stopped ? 'npm start exited' : 'npm start did not exit within 30 s of SIGINT'}; left running (now killed): ${left.join('; ') || 'none'}`,
    );
  }
  return { readySeconds, stopSeconds, phases };
}

function report(label: string, run: Run, budgetS: number): boolean {
  const ok = run.readySeconds <= budgetS;
  console.log(
    `${label}: ${run.readySeconds.toFixed(1)} s (budget ${budgetS} s)${ok ? '' : ' OVER BUDGET'}; stopped cleanly in ${run.stopSeconds.toFixed(1)} s`,
  );
  for (const phase of run.phases) console.log(`  ${phase}`);
  return ok;
}

const work = await mkdtemp(join(tmpdir(), 'rolebroker-first-start-'));
const env = { ...process.env, ROLEBROKER_INTERNAL_VENV: join(work, 'venv') };
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
let status = 0;
try {
  const loadBefore = load();
  const first = await timeStart('first start', env, FIRST_BUDGET_S * 4);
  const restart = await timeStart('restart', env, RESTART_BUDGET_S * 6);
  const installed = (run: Run) => run.phases.some((p) => p.startsWith('venv.sh:'));
  // Else the figures would not be the ones they claim to be.
  if (!installed(first)) throw new Error('the first start did not build a fresh venv');
  if (installed(restart)) throw new Error('the restart built the venv again');
  // Ctrl-C while moto is being seeded and serverless-offline is still starting.
  const interrupted = await timeStart('interrupted start', env, 60, /seeding the demo world/);
  console.log(`\nload average before: ${loadBefore}, after: ${load()} (2 cores are shared)`);
  if (!report('first start', first, FIRST_BUDGET_S)) status = 1;
  if (!report('restart', restart, RESTART_BUDGET_S)) status = 1;
  console.log(
    `interrupted start (Ctrl-C while seeding): stopped cleanly in ${interrupted.stopSeconds.toFixed(1)} s`,
  );
} catch (error) {
  console.error(`first-start check: ${(error as Error).message}`);
  status = 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
process.exit(status);

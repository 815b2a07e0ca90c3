import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '../..');
export const CLI = join(ROOT, 'dist/rolebroker.mjs');

export interface Running {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (128 + N for signal N) once the process has ended. */
  readonly exited: Promise<number>;
}

/** Starts `node dist/rolebroker.mjs ARGS` (or another build, `cli`) with exactly `env`, collecting its output. */
export function startCli(args: string[], env: Record<string, string>, cli = CLI): Running {
  const child = spawn('node', [cli, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running: Running = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => {
      child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGTERM' ? 143 : 255)));
    }),
  };
  child.stdout?.on('data', (d: Buffer) => {
    running.stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    running.stderr += d.toString();
  });
  return running;
}

/** Waits until `check` holds, polling every 25 ms, or throws after `ms`. */
export async function until(check: () => boolean, ms = 20_000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Counts } from '../scripts/relay';
import { ROOT } from './config';

export interface WorkerRun {
  result: Record<string, unknown>;
  /** Relay counts per phase the worker announced (from its start to the next phase). */
  phases: Record<string, Counts>;
}

/** Runs bench/worker.mjs once in a fresh Node process. */
export async function runWorker(
  job: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  counts: () => Counts,
  nodeArgs: string[] = [],
): Promise<WorkerRun> {
  const dir = await mkdtemp(join(tmpdir(), 'rolebroker-bench-job-'));
  try {
    const jobPath = join(dir, 'job.json');
    const outPath = join(dir, 'out.json');
    await writeFile(jobPath, JSON.stringify(job));
    const phases: Record<string, Counts> = {};
    let current: { name: string; at: Counts } | undefined;
    const child: ChildProcess = spawn(
      process.execPath,
      [...nodeArgs, join(ROOT, 'bench/worker.mjs'), jobPath, outPath],
      { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on('message', (m: { phase: string }) => {
      const now = counts();
      if (current) phases[current.name] = diff(now, current.at);
      current = { name: m.phase, at: now };
      child.send({ ok: true });
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`bench worker (${job.mode}) exited ${code}:\n${stderr}`);
    return { result: JSON.parse(await readFile(outPath, 'utf8')), phases };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function diff(a: Counts, b: Counts): Counts {
  return {
    ssm: a.ssm - b.ssm,
    hubAssumeRole: a.hubAssumeRole - b.hubAssumeRole,
    targetAssumeRole: a.targetAssumeRole - b.targetAssumeRole,
    other: a.other - b.other,
  };
}

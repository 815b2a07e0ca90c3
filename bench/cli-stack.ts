import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { LOCAL_SERVER_ID, startLocalStack } from '../scripts/local-stack';
import { startFaultProxy } from '../scripts/relay';
import { ARNS } from '../scripts/seed';
import { ROOT } from './config';
import { note } from './note';

const clientBundleOptions = createRequire(import.meta.url)('../scripts/client-bundle.cjs') as {
  (): BuildOptions;
  bin(outdir: string): BuildOptions;
};

/** How long the local stack is left to settle before anything is timed. */
const SETTLE_MS = 10_000;

/** A finished child process: its wall time from spawn to close, exit code and stdout. */
export interface ProcessRun {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `args` with this Node in a fresh process and times it, spawn to close. */
export function timeNode(args: string[], env: NodeJS.ProcessEnv): Promise<ProcessRun> {
  const start = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ ms: performance.now() - start, code, stdout, stderr }));
  });
}

/**
 * The local stack (`npm start`'s: moto and the broker under serverless-offline, `sts` mode,
 * session reuse off so that every broker request is an AssumeRole), a relay in front of the
 * broker that counts broker requests, and the CLI built as scripts/build-client.mjs builds
 * dist/ (the same esbuild options, scripts/client-bundle.cjs) into a temp directory.
 */
export async function startCliStack(work: string) {
  note('building the CLI bundle and starting the local stack');
  const dist = join(work, 'cli-dist');
  await build({ ...clientBundleOptions(), outdir: dist, logLevel: 'warning' });
  await build(clientBundleOptions.bin(dist));
  const localDir = await mkdtemp(join(work, 'cli-stack-'));
  const stack = await startLocalStack({
    localDir,
    brokerEnv: { ROLEBROKER_SESSION_REUSE: 'off', POWERTOOLS_LOG_LEVEL: 'WARN' },
  });
  const brokerRelay = await startFaultProxy(stack.brokerUrl).catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  let stopped: Promise<void> | undefined;
  const stopBroker = () => {
    stopped ??= stack.stop();
    return stopped;
  };
  const home = join(work, 'cli-home');
  await mkdir(home, { recursive: true });
  // serverless-offline keeps a core busy for several seconds after it answers: `node -e 0`
  // took 53, 42, 34, then 29 ms in 3 s windows after the start (27 ms before). Wait it out.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  /** The environment of every process the CLI phases start, the baselines' included. */
  const env = (cacheHome = join(home, 'cache')): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: home,
    XDG_CACHE_HOME: cacheHome,
    ...stack.profileEnv,
  });
  /** The request flags of `credentials`, `serve` and `exec` against the stack, as demo-caller. */
  const request = [
    '--url',
    brokerRelay.endpoint,
    '--auth',
    'sts',
    '--server-id',
    LOCAL_SERVER_ID,
    '--profile',
    'demo-caller',
    '--role-arn',
    ARNS.localTarget,
  ];
  return {
    /** The built package bin (dist/rolebroker.cjs's twin), which runs rolebroker.mjs beside it. */
    cli: join(dist, 'rolebroker.cjs'),
    env,
    home,
    request,
    /** Requests that reached the broker so far. */
    brokerRequests: () => brokerRelay.count,
    /** The caller's role for the bare SDK baseline: admin may assume the broker's role. */
    bareRoleArn: ARNS.brokerExecRole,
    start: (args: string[], extraEnv: NodeJS.ProcessEnv = {}): ChildProcess =>
      spawn(process.execPath, args, {
        cwd: ROOT,
        env: { ...env(), ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    /**
     * Stops moto and serverless-offline (and the handler process the misses started) before
     * the cache hits are timed, and leaves the relay in front of the broker: a request that
     * still reaches it is counted, and fails.
     */
    stopBroker,
    close: async () => {
      await brokerRelay.close();
      await stopBroker();
      await rm(localDir, { recursive: true, force: true });
    },
  };
}

export type CliStack = Awaited<ReturnType<typeof startCliStack>>;

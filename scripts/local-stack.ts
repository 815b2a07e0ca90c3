/**
 * The local stack behind `npm start` and the e2e tests: moto (auth on) with the demo world,
 * `.local/` profile files, and the broker under serverless-offline in `sts` mode.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AwsCredentialIdentity } from '@smithy/types';
import { EMULATOR_REGION, type Emulator, ensureVenv, freePort, startEmulator } from './emulator';
import { ARNS, BROKER_ACCOUNT, seedDemo } from './seed';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const LOCAL_SERVER_ID = 'rolebroker-local';

export interface LocalStackOptions {
  emulatorPort?: number;
  port?: number;
  /** Where the profile files go; default <repo>/.local */
  localDir?: string;
  /** Extra environment for the broker (e.g. ROLEBROKER_GRANTS_TTL_SECONDS). */
  brokerEnv?: Record<string, string>;
  /** Extra `serverless offline start` flags, e.g. --useInProcess. */
  offlineArgs?: string[];
  /** Grants to add or replace (name → raw value), as seedDemo's extraParameters. */
  grants?: NonNullable<Parameters<typeof seedDemo>[1]>['extraParameters'];
  /** Broker output (serverless-offline and handler logs). */
  onBrokerOutput?: (chunk: string) => void;
  /** One line as each phase starts or ends (npm start prints them). */
  onProgress?: (line: string) => void;
  /** Ctrl-C during start-up: stops what has started, and the start rejects. */
  signal?: AbortSignal;
}

export interface LocalStack {
  readonly brokerUrl: string;
  readonly emulatorEndpoint: string;
  readonly localDir: string;
  /** Environment that makes the AWS SDK/CLI read the .local profile files. */
  readonly profileEnv: Record<string, string>;
  /** `<localDir>/env`: `source` it and the CLI needs only --profile and --role-arn. */
  readonly envFile: string;
  /** What `<localDir>/env` exports (absolute paths). */
  readonly cliEnv: Record<string, string>;
  /** The copy-paste example printed by `npm start`. */
  readonly example: string;
  stop(): Promise<void>;
}

function profileFiles(endpoint: string, profiles: Record<string, AwsCredentialIdentity>) {
  const names = Object.keys(profiles);
  const config = names
    .map((n) => `[profile ${n}]\nregion = ${EMULATOR_REGION}\nendpoint_url = ${endpoint}\n`)
    .join('\n');
  const credentials = names
    .map(
      (n) =>
        `[${n}]\naws_access_key_id = ${profiles[n]?.accessKeyId}\naws_secret_access_key = ${profiles[n]?.secretAccessKey}\n`,
    )
    .join('\n');
  return { config, credentials };
}

async function waitForBroker(
  url: string,
  child: ChildProcess,
  log: () => string,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`serverless offline exited (${child.exitCode}):\n${log()}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the broker did not answer on ${url} within ${timeoutMs} ms:\n${log()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    // serverless-offline runs handlers in child processes: signal the whole group.
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
    setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000).unref();
  });
}

/** A shell word: plain when safe, else single-quoted. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Starts the broker (serverless-offline) and, meanwhile, moto (installed first if need be),
 * seeds the demo, writes .local/, then hands the broker its execution role's credentials.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const localDir = options.localDir ?? join(ROOT, '.local');
  let emulator: Emulator | undefined;
  let broker: ChildProcess | undefined;
  const progress = options.onProgress ?? (() => {});
  try {
    const emulatorPort = options.emulatorPort ?? (await freePort());
    const emulatorEndpoint = `http://127.0.0.1:${emulatorPort}`;
    const port = options.port ?? (await freePort());
    const brokerUrl = `http://127.0.0.1:${port}`;

    // serverless-offline loads its config and bundles the functions (most of its start-up)
    // while moto is installed, started and seeded; the credentials follow on its stdin
    // (scripts/sls/offline-credentials.cjs).
    progress('starting the broker (serverless-offline; esbuild bundles the functions)');
    let output = '';
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      PORT: String(port),
      OFFLINE_LAMBDA_PORT: String(await freePort()),
      AWS_REGION: EMULATOR_REGION,
      AWS_ENDPOINT_URL: emulatorEndpoint,
      ROLEBROKER_AUTH: 'sts',
      ROLEBROKER_SERVER_ID: LOCAL_SERVER_ID,
      ROLEBROKER_STS_IDENTITY_ENDPOINTS: emulatorEndpoint,
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...options.brokerEnv,
      ROLEBROKER_INTERNAL_OFFLINE_CREDENTIALS: 'stdin',
    };
    // No credentials of the shell's own reach the broker: only the seeded execution role's.
    for (const key of [
      'AWS_PROFILE',
      'AWS_CONFIG_FILE',
      'AWS_SHARED_CREDENTIALS_FILE',
      'AWS_DEFAULT_PROFILE',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
    ]) {
      delete env[key];
    }
    broker = spawn(
      join(ROOT, 'node_modules/.bin/serverless'),
      [
        'offline',
        'start',
        '--stage',
        'local',
        '--region',
        EMULATOR_REGION,
        ...(options.offlineArgs ?? []),
      ],
      {
        cwd: ROOT,
        env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const onData = (d: Buffer) => {
      const text = d.toString();
      output = (output + text).slice(-8000);
      options.onBrokerOutput?.(text);
    };
    broker.stdout?.on('data', onData);
    broker.stderr?.on('data', onData);
    // An early exit (a port in use, a config error) shows in waitForBroker, not as EPIPE here.
    broker.stdin?.on('error', () => {});

    // The broker has its own process group, so a Ctrl-C at the terminal does not reach it.
    const interrupted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(new Error('interrupted during start-up'));
      if (options.signal?.aborted) onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
    interrupted.catch(() => {});
    const venv = await Promise.race([ensureVenv(), interrupted]);
    progress('starting the emulator (moto)');
    const emulatorStarting = startEmulator({ port: emulatorPort, venv });
    // Interrupted while moto boots: stop it once it is up.
    emulatorStarting.then(
      (e) => (options.signal?.aborted ? e.stop() : undefined),
      () => {},
    );
    emulator = await Promise.race([emulatorStarting, interrupted]);
    progress(`emulator ready on ${emulator.endpoint}; seeding the demo world`);
    const world = await Promise.race([
      seedDemo(emulator.endpoint, {
        prefix: options.brokerEnv?.ROLEBROKER_SSM_PREFIX ?? process.env.ROLEBROKER_SSM_PREFIX,
        unsafe: true,
        extraParameters: options.grants,
      }),
      interrupted,
    ]);
    const files = profileFiles(emulator.endpoint, {
      'demo-caller': world.callers.demoCaller,
      'demo-outsider': world.callers.demoOutsider,
      admin: world.admins[BROKER_ACCOUNT] as AwsCredentialIdentity,
    });
    await mkdir(localDir, { recursive: true });
    await writeFile(join(localDir, 'aws-config'), files.config, { mode: 0o600 });
    await writeFile(join(localDir, 'aws-credentials'), files.credentials, { mode: 0o600 });
    await writeFile(join(localDir, 'broker-url'), `${brokerUrl}\n`);

    progress('seeded; waiting for the broker');
    broker.stdin?.end(
      `${JSON.stringify({
        accessKeyId: world.broker.accessKeyId,
        secretAccessKey: world.broker.secretAccessKey,
        sessionToken: world.broker.sessionToken,
      })}\n`,
    );
    await Promise.race([waitForBroker(brokerUrl, broker, () => output, 90_000), interrupted]);
    progress(`broker ready on ${brokerUrl}`);

    const profileEnv = {
      AWS_CONFIG_FILE: join(localDir, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(localDir, 'aws-credentials'),
    };
    const cliEnv = {
      ROLEBROKER_URL: brokerUrl,
      ROLEBROKER_AUTH: 'sts',
      ROLEBROKER_SERVER_ID: LOCAL_SERVER_ID,
      ...profileEnv,
    };
    // This checkout's CLI on PATH, so the printed tour works before any `npm install -g`.
    const binDir = join(localDir, 'bin');
    await mkdir(binDir, { recursive: true });
    await writeFile(
      join(binDir, 'rolebroker'),
      `#!/bin/sh\nexec node ${shellQuote(join(ROOT, 'dist/rolebroker.cjs'))} "$@"\n`,
      { mode: 0o755 },
    );
    const envFile = join(localDir, 'env');
    await writeFile(
      envFile,
      `# Written by npm start: source it, then run rolebroker with --profile and --role-arn.\nexport ${Object.entries(
        cliEnv,
      )
        .map(([k, v]) => `${k}=${shellQuote(v)}`)
        .join(' ')}\nexport PATH=${shellQuote(binDir)}:"$PATH"\n`,
    );
    const rel = relative(ROOT, localDir);
    const shown = rel.startsWith('..') || isAbsolute(rel) ? localDir : rel;
    const example = [
      `source ${shown}/env`,
      `rolebroker credentials --profile demo-caller --role-arn ${ARNS.auditTarget}`,
    ].join('\n');
    const started = { emulator, broker };
    return {
      brokerUrl,
      emulatorEndpoint: emulator.endpoint,
      localDir,
      profileEnv,
      envFile,
      cliEnv,
      example,
      stop: async () => {
        await stopChild(started.broker);
        await started.emulator.stop();
      },
    };
  } catch (error) {
    if (broker) await stopChild(broker);
    await emulator?.stop();
    throw error;
  }
}

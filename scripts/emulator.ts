/**
 * The local AWS emulator: moto server from the project's .venv, on 127.0.0.1, with
 * signature checks and IAM policies enforced. Used by the integration tests and `npm start`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity } from '@smithy/types';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const EMULATOR_REGION = 'us-east-1';

/**
 * Creates or refreshes one set of the project's Python tools (scripts/venv.sh) and returns
 * its venv's path: `local` (moto; npm start and the tests), `test` (cfn-lint) or `ci`
 * (checkov, schemathesis). pip's progress goes to this process's stderr.
 */
export function ensureVenv(set: 'local' | 'test' | 'ci' = 'local'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(ROOT, 'scripts/venv.sh'), set], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const venv = out.trim().split('\n').pop();
      if (code === 0 && venv) resolve(venv);
      else reject(new Error(`scripts/venv.sh ${set} failed (exit ${code})`));
    });
  });
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Emulator {
  readonly endpoint: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

async function waitReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
}

/** Starts moto_server on 127.0.0.1 (a free port unless given) and waits until it answers. */
export async function startEmulator(
  options: { port?: number; venv?: string } = {},
): Promise<Emulator> {
  const venv = options.venv ?? (await ensureVenv());
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(join(venv, 'bin/moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // The venv is installed without byte-compiling (scripts/venv.sh): moto writes the .pyc
    // files of the modules it imports on its first start, even where the shell forbids it.
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'false', PYTHONDONTWRITEBYTECODE: '' },
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  try {
    await waitReady(endpoint, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

function iamFor(
  endpoint: string,
  accountId: string,
  credentials?: AwsCredentialIdentity,
): IAMClient {
  const client = new IAMClient({
    region: EMULATOR_REGION,
    endpoint,
    credentials: credentials ?? { accessKeyId: 'bootstrap', secretAccessKey: 'bootstrap' },
  });
  if (!credentials) {
    // Before auth is on, moto picks the account from this header.
    client.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] =
          accountId;
        return next(args);
      },
      { step: 'build' },
    );
  }
  return client;
}

const ADMIN_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});
const BOOTSTRAP_CALLS_PER_ACCOUNT = 3;

/**
 * Wipes the emulator, then turns on authentication: moto lets exactly the calls that create
 * one `admin` user and access key per account through unsigned, and checks signatures and
 * IAM policies on everything after that. Returns each account's admin credentials.
 */
export async function resetWithAdmins(
  endpoint: string,
  accounts: readonly string[],
): Promise<Record<string, AwsCredentialIdentity>> {
  await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  await fetch(`${endpoint}/moto-api/reset-auth`, {
    method: 'POST',
    body: String(BOOTSTRAP_CALLS_PER_ACCOUNT * accounts.length),
  });
  const admins: Record<string, AwsCredentialIdentity> = {};
  for (const account of accounts) {
    const iam = iamFor(endpoint, account);
    await iam.send(new CreateUserCommand({ UserName: 'admin' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'admin',
        PolicyName: 'admin',
        PolicyDocument: ADMIN_POLICY,
      }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'admin' }));
    if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('no admin key');
    admins[account] = {
      accessKeyId: AccessKey.AccessKeyId,
      secretAccessKey: AccessKey.SecretAccessKey,
    };
    iam.destroy();
  }
  return admins;
}

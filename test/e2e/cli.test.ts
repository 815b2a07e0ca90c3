import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { version } from '../../package.json';
import { ARNS } from '../../scripts/seed';

const run = promisify(execFile);
const stack = inject('stack');
const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'dist/rolebroker.mjs');
/** The package's bin, with its cache-hit fast path. */
const BIN = join(ROOT, 'dist/rolebroker.cjs');

const cliEnv = (env: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  // The CLI's cache of sessions stays with the stack, never in the real ~/.cache.
  XDG_CACHE_HOME: join(stack.localDir, 'cli-test-cache'),
  ...stack.profileEnv,
  ...env,
});

/** Runs `bin` with a stdout whose reader is gone before it writes (`... | head -0`). */
async function withClosedStdout(bin: string, args: string[]) {
  const child = spawn('node', [bin, ...args], {
    cwd: ROOT,
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stderr };
}

/** Runs the CLI as a user would, with the stack's profile files; never throws. */
async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], { cwd: ROOT, env: cliEnv(env) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `rolebroker credentials` for `profile` and `roleArn` against the stack, in sts mode. */
const credentialsArgs = (
  profile: string,
  roleArn: string,
  extra: string[] = [],
  serverId = 'rolebroker-local',
) => [
  'credentials',
  '--url',
  stack.brokerUrl,
  '--auth',
  'sts',
  '--server-id',
  serverId,
  '--profile',
  profile,
  '--role-arn',
  roleArn,
  ...extra,
];

const credentialsFor = (...args: Parameters<typeof credentialsArgs>) =>
  cli(credentialsArgs(...args));

describe('rolebroker CLI against the local stack', () => {
  it('prints the assume-role JSON by default', async () => {
    const res = await credentialsFor('demo-caller', ARNS.auditTarget);
    expect(res.code).toBe(0);
    const body = JSON.parse(res.stdout);
    expect(body.Credentials.AccessKeyId).toMatch(/^ASIA/);
    expect(body.AssumedRoleUser.Arn).toMatch(
      /^arn:aws:sts::222222222222:assumed-role\/rolebroker-audit-readonly\//,
    );
    expect(body.Grant).toBe('audit-readonly');
  });

  it('prints shell exports with --format env', async () => {
    const res = await credentialsFor('demo-caller', ARNS.localTarget, ['--format', 'env']);
    expect(res.code).toBe(0);
    const names = res.stdout
      .trim()
      .split('\n')
      .map((l) => /^export (\w+)=/.exec(l)?.[1]);
    expect(names).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_CREDENTIAL_EXPIRATION',
    ]);
  });

  it('prints credential_process JSON with --format process', async () => {
    const res = await credentialsFor('demo-caller', ARNS.localTarget, ['--format', 'process']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      Version: 1,
      AccessKeyId: expect.stringMatching(/^ASIA/),
    });
  });

  it('ends quietly, exit 0, when the reader closes the pipe early', async () => {
    // The full CLI, and the bin's fast path answering a cache hit (primed by the first run).
    const args = credentialsArgs('demo-caller', ARNS.localTarget, ['--format', 'process']);
    expect((await cli(args)).code).toBe(0);
    for (const bin of [CLI, BIN]) {
      expect(await withClosedStdout(bin, args)).toEqual({ code: 0, stderr: '' });
    }
    expect(await withClosedStdout(CLI, ['--help'])).toEqual({ code: 0, stderr: '' });
  });

  it('issues two-hop credentials through the hub role', async () => {
    const res = await credentialsFor('demo-caller', ARNS.deployTarget);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).AssumedRoleUser.Arn).toContain('assumed-role/rolebroker-deploy/');
  });

  it('exits 3 with a one-line reason for an outsider', async () => {
    const res = await credentialsFor('demo-outsider', ARNS.auditTarget);
    expect(res.code).toBe(3);
    expect(res.stdout).toBe('');
    expect(
      res.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('rolebroker:')),
    ).toEqual([expect.stringMatching(/^rolebroker: 403 AccessDenied: no grant allows/)]);
  });

  it('exits 3 when signed for another broker', async () => {
    const res = await credentialsFor('demo-caller', ARNS.auditTarget, [], 'someone-else');
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/401 Unauthenticated/);
  });

  it('exits 4 when the duration is above the grant maximum', async () => {
    const res = await credentialsFor('demo-caller', ARNS.auditTarget, ['--duration', '3600']);
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(/400 ValidationError: .*1800/);
  });

  it('exits 2 on a usage error', async () => {
    const res = await cli(['credentials', '--url', stack.brokerUrl]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--role-arn is required/);
  });

  it('works as credential_process for an AWS SDK client', async () => {
    const config = join(stack.localDir, 'aws-config-with-broker');
    const emulator = stack.emulatorEndpoint;
    writeFileSync(
      config,
      `${readFileSync(stack.profileEnv.AWS_CONFIG_FILE as string, 'utf8')}
[profile broker-audit]
region = us-east-1
endpoint_url = ${emulator}
credential_process = node ${CLI} credentials --url ${stack.brokerUrl} --auth sts --server-id rolebroker-local --profile demo-caller --role-arn ${ARNS.auditTarget} --format process
`,
    );
    const script = `
      const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
      new STSClient({}).send(new GetCallerIdentityCommand({})).then((r) => console.log(r.Arn));`;
    const { stdout } = await run('node', ['-e', script], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        XDG_CACHE_HOME: join(stack.localDir, 'cli-test-cache'),
        AWS_CONFIG_FILE: config,
        AWS_SHARED_CREDENTIALS_FILE: stack.profileEnv.AWS_SHARED_CREDENTIALS_FILE as string,
        AWS_PROFILE: 'broker-audit',
      },
    });
    expect(stdout.trim()).toMatch(
      /^arn:aws:sts::222222222222:assumed-role\/rolebroker-audit-readonly\//,
    );
  });

  it('runs the example that npm start prints, as printed', async () => {
    const { stdout } = await run(
      'bash',
      // Exactly as printed: `source .local/env` also puts this checkout's rolebroker on PATH.
      ['-c', stack.example],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      },
    );
    expect(JSON.parse(stdout).Grant).toBe('audit-readonly');
  });

  it('prints the version from package.json', async () => {
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it("shows a command's own flags with --help and in `help <command>`", async () => {
    const help = await cli(['credentials', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: rolebroker credentials /);
    expect(help.stdout).toContain('--role-arn');
    expect(help.stdout).not.toContain('--fail-on');
    expect(await cli(['help', 'credentials'])).toEqual(help);
  });

  it('exits 2 naming a flag of another command', async () => {
    const res = await cli(['credentials', '--fail-on', 'high']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^rolebroker: --fail-on is an option of audit, not credentials\n/);
  });
});

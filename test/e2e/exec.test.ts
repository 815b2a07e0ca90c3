import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { type FaultProxy, startFaultProxy } from '../../scripts/relay';
import { ARNS } from '../../scripts/seed';
import { startCli, until } from '../support/cli-process';

const stack = inject('stack');
const ROLE_ARN = /^arn:aws:sts::111111111111:assumed-role\/rolebroker-local-reader\//;
let counter: FaultProxy;
let dir: string;

beforeAll(async () => {
  counter = await startFaultProxy(stack.brokerUrl);
  dir = mkdtempSync(join(tmpdir(), 'rolebroker-exec-'));
});

afterAll(async () => {
  await counter?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The environment a user's shell would pass: the stack's profile files, region, endpoint. */
const userEnv = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  ...stack.profileEnv,
  AWS_REGION: EMULATOR_REGION,
  AWS_DEFAULT_REGION: EMULATOR_REGION,
  AWS_ENDPOINT_URL: stack.emulatorEndpoint,
  ...extra,
});

function exec(
  command: string[],
  { profile = 'demo-caller', flags = [] as string[], env = {} as Record<string, string> } = {},
) {
  return startCli(
    [
      'exec',
      '--url',
      counter.endpoint,
      '--auth',
      'sts',
      '--server-id',
      'rolebroker-local',
      ...(profile ? ['--profile', profile] : []),
      '--role-arn',
      ARNS.localTarget,
      ...flags,
      '--',
      ...command,
    ],
    userEnv(env),
  );
}

/** A node child that prints its AWS_* variables and who the default chain says it is. */
const WHOAMI = [
  'node',
  '-e',
  `const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
   const aws = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AWS_')));
   new STSClient({}).send(new GetCallerIdentityCommand({}))
     .then((r) => console.log(JSON.stringify({ aws, arn: r.Arn })));`,
];

const lines = (text: string) => text.split('\n').filter((l) => l.startsWith('rolebroker:'));

describe('rolebroker exec against the local stack', () => {
  it("exits with the command's status", async () => {
    const res = exec(['sh', '-c', 'exit 7']);
    expect(await res.exited).toBe(7);
    expect(lines(res.stderr)).toEqual([]);
  });

  it('runs the command with the role through the local server, inherited credentials removed', async () => {
    const res = exec(WHOAMI, {
      profile: '',
      env: {
        AWS_PROFILE: 'demo-caller', // the caller's own profile: rolebroker signs with it
        AWS_DEFAULT_PROFILE: 'demo-caller',
        AWS_ACCESS_KEY_ID: 'AKIAINHERITED0000000',
        AWS_SECRET_ACCESS_KEY: 'inherited',
        AWS_SESSION_TOKEN: 'inherited',
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/inherited',
        AWS_WEB_IDENTITY_TOKEN_FILE: '/inherited',
        AWS_ROLE_ARN: 'arn:aws:iam::111111111111:role/inherited',
      },
    });
    expect(await res.exited).toBe(0);
    const { aws, arn } = JSON.parse(res.stdout) as { aws: Record<string, string>; arn: string };
    expect(arn).toMatch(ROLE_ARN);
    expect(Object.keys(aws).sort()).toEqual(
      [
        'AWS_CONFIG_FILE',
        'AWS_CONTAINER_AUTHORIZATION_TOKEN',
        'AWS_CONTAINER_CREDENTIALS_FULL_URI',
        'AWS_DEFAULT_REGION',
        'AWS_ENDPOINT_URL',
        'AWS_REGION',
        'AWS_SHARED_CREDENTIALS_FILE',
      ].sort(),
    );
    expect(aws.AWS_CONTAINER_CREDENTIALS_FULL_URI).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('--no-server passes the key variables and no container variables', async () => {
    const res = exec(WHOAMI, { flags: ['--no-server'], env: { AWS_PROFILE: 'admin' } });
    expect(await res.exited).toBe(0);
    const { aws, arn } = JSON.parse(res.stdout) as { aws: Record<string, string>; arn: string };
    expect(arn).toMatch(ROLE_ARN);
    expect(aws.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
    expect(aws.AWS_SECRET_ACCESS_KEY).toBeTruthy();
    expect(aws.AWS_SESSION_TOKEN).toBeTruthy();
    expect(Date.parse(aws.AWS_CREDENTIAL_EXPIRATION ?? '')).toBeGreaterThan(Date.now());
    expect(
      Object.keys(aws).filter((k) => k.startsWith('AWS_CONTAINER_') || k === 'AWS_PROFILE'),
    ).toEqual([]);
  });

  it('starts no command when the broker refuses: exit 3, one line', async () => {
    const marker = join(dir, 'denied-ran');
    const res = exec(['sh', '-c', `touch ${marker}`], { profile: 'demo-outsider' });
    expect(await res.exited).toBe(3);
    expect(existsSync(marker)).toBe(false);
    expect(lines(res.stderr)).toEqual([expect.stringMatching(/^rolebroker: 403 AccessDenied: /)]);
  });

  it('exits 2 without a command after --', async () => {
    const res = exec([]);
    expect(await res.exited).toBe(2);
    expect(lines(res.stderr)).toEqual(['rolebroker: missing command after --']);
  });

  it.each([
    ['SIGTERM', 15],
    ['SIGINT', 2],
    ['SIGHUP', 1],
  ] as const)('forwards %s to the command, which traps it', async (signal, number) => {
    const ready = join(dir, `ready-${signal}`);
    const marker = join(dir, `trapped-${signal}`);
    const script = `trap 'echo ${signal} > ${marker}; exit 0' ${signal.slice(3)}; touch ${ready}; sleep 5 & wait $!`;
    const res = exec(['sh', '-c', script]);
    await until(() => existsSync(ready), 20_000, 'the child');
    res.child.kill(signal);
    const code = await res.exited;
    if (code !== 0) console.log(res.stderr, res.stdout);
    expect(code).toBe(0);
    expect(readFileSync(marker, 'utf8').trim()).toBe(signal);
    expect(number).toBeGreaterThan(0);
  });

  it('exits 128 + N when signal N ends the command', async () => {
    const ready = join(dir, 'ready-plain');
    const res = exec(['sh', '-c', `touch ${ready}; sleep 5 & wait $!`]);
    await until(() => existsSync(ready), 20_000, 'the child');
    res.child.kill('SIGTERM');
    expect(await res.exited).toBe(143);
  });

  it('keeps a long-running command in fresh credentials (lifetimes shortened by the test)', async () => {
    // Sessions served as if they lasted 6 s: refreshed 2.5 s before they end.
    const timing = {
      maxLifetimeMs: 6_000,
      marginMs: 2_000,
      prefetchMs: 500,
      retryMs: 1_000,
      guardMs: 500,
    };
    const child = `
      const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
      const sts = new STSClient({});
      (async () => {
        const seen = [];
        for (let i = 0; i < 10; i += 1) {
          const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
          const { expiration } = await sts.config.credentials();
          seen.push({ at: Date.now(), arn: Arn, expiration: expiration.getTime() });
          await new Promise((r) => setTimeout(r, 1000));
        }
        console.log(JSON.stringify(seen));
      })();`;
    const before = counter.count;
    const res = exec(['node', '-e', child], {
      env: { ROLEBROKER_INTERNAL_SERVER_TIMING: JSON.stringify(timing) },
    });
    expect(await res.exited).toBe(0);
    const seen = JSON.parse(res.stdout) as { at: number; arn: string; expiration: number }[];
    for (const s of seen) {
      expect(s.arn).toMatch(ROLE_ARN);
      expect(s.expiration).toBeGreaterThan(s.at);
    }
    const expirations = new Set(seen.map((s) => s.expiration));
    const requests = counter.count - before;
    console.log(
      `exec refresh: ${requests} broker requests, ${expirations.size} sessions seen by the child in ~10 s`,
    );
    expect(expirations.size).toBeGreaterThanOrEqual(3);
    expect(requests).toBeGreaterThanOrEqual(3);
    expect(requests).toBeLessThanOrEqual(6);
  });
});

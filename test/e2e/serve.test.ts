import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromContainerMetadata, fromHttp } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { type FaultProxy, startFaultProxy } from '../../scripts/relay';
import { ARNS } from '../../scripts/seed';
import { ROOT, type Running, startCli, until } from '../support/cli-process';

const run = promisify(execFile);
const stack = inject('stack');
const ROLE_ARN = /^arn:aws:sts::111111111111:assumed-role\/rolebroker-local-reader\//;
let counter: FaultProxy;
let serve: Running;
let url: string;
let token: string;

const baseEnv = () => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  ...stack.profileEnv,
});

const serveArgs = (profile: string, brokerUrl: string) => [
  'serve',
  '--url',
  brokerUrl,
  '--auth',
  'sts',
  '--server-id',
  'rolebroker-local',
  '--profile',
  profile,
  '--role-arn',
  ARNS.localTarget,
];

/** A child's environment with nothing but the container variables, region and endpoint. */
const containerEnv = () => ({
  PATH: process.env.PATH ?? '',
  HOME: '/nonexistent',
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_REGION: EMULATOR_REGION,
  AWS_DEFAULT_REGION: EMULATOR_REGION,
  AWS_ENDPOINT_URL: stack.emulatorEndpoint,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: url,
  AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
});

async function callerArn(
  credentials: AwsCredentialIdentity | (() => Promise<AwsCredentialIdentity>),
) {
  const sts = new STSClient({
    region: EMULATOR_REGION,
    endpoint: stack.emulatorEndpoint,
    credentials,
  });
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  } finally {
    sts.destroy();
  }
}

beforeAll(async () => {
  counter = await startFaultProxy(stack.brokerUrl);
  serve = startCli(serveArgs('demo-caller', counter.endpoint), baseEnv());
  await until(() => serve.stdout.split('\n').length > 2, 30_000, 'the export lines');
  const vars = Object.fromEntries(
    serve.stdout
      .trim()
      .split('\n')
      .map((line) => /^export (\w+)='([^']*)'$/.exec(line)?.slice(1) ?? [line, '']),
  );
  url = vars.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  token = vars.AWS_CONTAINER_AUTHORIZATION_TOKEN;
});

afterAll(async () => {
  serve?.child.kill('SIGKILL');
  await counter?.close();
});

describe('rolebroker serve against the local stack', () => {
  it('prints exactly the two export lines, a fresh token, a 127.0.0.1 URL', () => {
    expect(serve.stdout.trim().split('\n')).toHaveLength(2);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/role-credentials$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(serve.stderr).not.toContain(token);
  });

  it('listens on 127.0.0.1 only', () => {
    const port = Number(new URL(url).port);
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const listening = (file: string) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f[1]?.endsWith(`:${hex}`) && f[3] === '0A')
        .map((f) => f[1]);
    expect(listening('/proc/net/tcp')).toEqual([`0100007F:${hex}`]);
    expect(listening('/proc/net/tcp6')).toEqual([]);
  });

  it('gives the JS SDK v3 container providers working credentials', async () => {
    const http = fromHttp({
      awsContainerCredentialsFullUri: url,
      awsContainerAuthorizationToken: token,
    });
    expect(await callerArn(http)).toMatch(ROLE_ARN);
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
    });
    try {
      const creds = await fromContainerMetadata()();
      expect(creds.expiration?.getTime()).toBeGreaterThan(Date.now() + 16 * 60_000);
      expect(await callerArn(creds)).toMatch(ROLE_ARN);
    } finally {
      process.env = saved;
    }
  });

  it("gives the JS SDK's default chain in another process working credentials", async () => {
    const script = `
      const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
      new STSClient({}).send(new GetCallerIdentityCommand({})).then((r) => console.log(r.Arn));`;
    const { stdout } = await run('node', ['-e', script], { cwd: ROOT, env: containerEnv() });
    expect(stdout.trim()).toMatch(ROLE_ARN);
  });

  it("gives botocore's container provider working credentials", async () => {
    const script = [
      'import boto3',
      'session = boto3.session.Session()',
      'print(session.get_credentials().method)',
      "print(session.client('sts').get_caller_identity()['Arn'])",
    ].join('\n');
    const { stdout } = await run(join(ROOT, '.venv/bin/python'), ['-c', script], {
      env: containerEnv(),
    });
    const [method, arn] = stdout.trim().split('\n');
    expect(method).toBe('container-role');
    expect(arn).toMatch(ROLE_ARN);
  });

  it('gives nothing for a wrong or missing token', async () => {
    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    // Another first character: a random token may itself start with the one we put there.
    const other = `${token.startsWith('x') ? 'y' : 'x'}${token.slice(1)}`;
    const wrong = await fetch(url, { headers: { authorization: other } });
    expect(wrong.status).toBe(403);
    const texts = [await missing.text(), await wrong.text()];
    for (const text of texts) expect(text).not.toMatch(/ASIA|SecretAccessKey/);
    const provider = fromHttp({
      awsContainerCredentialsFullUri: url,
      awsContainerAuthorizationToken: 'not-the-token',
      maxRetries: 0,
    });
    await expect(provider()).rejects.toThrow(/403/);
  });

  it('answers 200 GETs from memory with the one broker request it made at start', async () => {
    expect(counter.count).toBe(1);
    const headers = { authorization: token };
    await Promise.all(Array.from({ length: 50 }, () => fetch(url, { headers })));
    const times: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const start = performance.now();
      const res = await fetch(url, { headers });
      await res.arrayBuffer();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const p50 = times[100] ?? 0;
    console.log(`serve GET p50 ${p50.toFixed(2)} ms, p99 ${(times[198] ?? 0).toFixed(2)} ms`);
    expect(p50).toBeLessThan(20);
    expect(counter.count).toBe(1);
  });

  it('exits 3 and prints nothing for a caller no grant matches', async () => {
    const denied = startCli(serveArgs('demo-outsider', stack.brokerUrl), baseEnv());
    expect(await denied.exited).toBe(3);
    expect(denied.stdout).toBe('');
    expect(denied.stderr.split('\n').filter((l) => l.startsWith('rolebroker:'))).toEqual([
      expect.stringMatching(/^rolebroker: 403 AccessDenied: /),
    ]);
  });

  it('stops cleanly on SIGTERM (exit 0)', async () => {
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    await expect(fetch(url, { headers: { authorization: token } })).rejects.toThrow();
  });
});

describe('rolebroker serve when a refresh fails (lifetimes shortened by the test)', () => {
  it('keeps serving the valid session, says so on stderr without secrets, recovers', async () => {
    const proxy = await startFaultProxy(stack.brokerUrl);
    // Sessions served as if they lasted 8 s: the refresh is due 2.5 s before they end.
    const timing = {
      maxLifetimeMs: 8_000,
      marginMs: 2_000,
      prefetchMs: 500,
      retryMs: 1_000,
      guardMs: 500,
    };
    const server = startCli(serveArgs('demo-caller', proxy.endpoint), {
      ...baseEnv(),
      ROLEBROKER_INTERNAL_SERVER_TIMING: JSON.stringify(timing),
    });
    try {
      await until(() => server.stdout.split('\n').length > 2, 30_000, 'the export lines');
      const [, uri, secret] =
        /FULL_URI='([^']+)'\nexport AWS_CONTAINER_AUTHORIZATION_TOKEN='([^']+)'/.exec(
          server.stdout,
        ) ?? [];
      const get = async () =>
        (await (await fetch(uri ?? '', { headers: { authorization: secret ?? '' } })).json()) as {
          AccessKeyId: string;
          SecretAccessKey: string;
          Token: string;
          Expiration: string;
        };
      const first = await get();
      proxy.mode = 'error500';
      await until(() => server.stderr.includes('refresh failed'), 15_000, 'a failed refresh');
      const during = await get();
      expect(during.Expiration).toBe(first.Expiration);
      expect(Date.parse(during.Expiration)).toBeGreaterThan(Date.now());
      proxy.mode = 'pass';
      await until(() => proxy.count >= 3, 15_000, 'a retry');
      await new Promise((r) => setTimeout(r, 300));
      const after = await get();
      expect(Date.parse(after.Expiration)).toBeGreaterThan(Date.parse(first.Expiration));
      const failures = server.stderr.split('\n').filter((l) => l.includes('refresh failed'));
      expect(failures[0]).toMatch(
        /^rolebroker: refresh failed: 500 .*; serving the current session until \S+Z; retrying$/,
      );
      for (const value of [first.AccessKeyId, first.SecretAccessKey, first.Token, secret]) {
        expect(server.stderr).not.toContain(value);
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await proxy.close();
    }
  });
});

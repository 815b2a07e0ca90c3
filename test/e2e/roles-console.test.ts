/**
 * `rolebroker roles` and `rolebroker console` against the local stack, and the CLI's
 * messages that say what to do (wrong --auth, a credential_process calling itself), as a
 * user runs them: the bundle in dist/, the stack's profile files, stderr only our lines.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ARNS } from '../../scripts/seed';

const run = promisify(execFile);
const stack = inject('stack');
const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'dist/rolebroker.mjs');

/** The CLI with the environment `source .local/env` sets; never throws. */
async function cli(args: string[], env: Record<string, string> = {}) {
  const started = Date.now();
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], {
      cwd: ROOT,
      timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...stack.profileEnv,
        ROLEBROKER_URL: stack.brokerUrl,
        ROLEBROKER_AUTH: 'sts',
        ROLEBROKER_SERVER_ID: 'rolebroker-local',
        ...env,
      },
    });
    return { code: 0, stdout, stderr, ms: Date.now() - started };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, ms: Date.now() - started };
  }
}

describe('rolebroker roles', () => {
  it('demo-caller sees exactly its grants, as JSON and as a table', async () => {
    const res = await cli(['roles', '--profile', 'demo-caller', '--format', 'json']);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const { roles } = JSON.parse(res.stdout);
    expect(roles.map((r: { grant: string }) => r.grant)).toEqual([
      'audit-readonly',
      'deploy-via-hub',
      'local-reader',
      'strict-mismatch',
      'unsafe-whole-account',
    ]);
    expect(roles[0]).toEqual({
      grant: 'audit-readonly',
      roleArn: ARNS.auditTarget,
      maxDurationSeconds: 1800,
      scoped: true,
      chained: false,
    });
    const table = await cli(['roles', '--profile', 'demo-caller']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^GRANT +ROLE ARN +MAX DURATION +SCOPED +CHAINED$/);
    expect(table.stdout).toMatch(
      /deploy-via-hub +arn:aws:iam::222222222222:role\/rolebroker-deploy +3600s +no +yes/,
    );
  });

  it('demo-outsider sees none of them (only the seeded whole-account grant, unsafe on purpose)', async () => {
    const res = await cli(['roles', '--profile', 'demo-outsider', '--format', 'json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).roles.map((r: { grant: string }) => r.grant)).toEqual([
      'unsafe-whole-account',
    ]);
  });

  it('an iam-signed request to the sts-mode broker says which --auth to use', async () => {
    const res = await cli(['roles', '--profile', 'demo-caller', '--auth', 'iam']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(
      /^rolebroker: the broker runs in sts mode: pass --auth sts or set ROLEBROKER_AUTH=sts \(401 Unauthenticated \(request id [^)]+\)\)\n$/,
    );
  });

  it('an unknown profile is named with the files looked in', async () => {
    const res = await cli(['roles', '--profile', 'nope']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      `rolebroker: profile nope is not in AWS_CONFIG_FILE (${stack.profileEnv.AWS_CONFIG_FILE}) or AWS_SHARED_CREDENTIALS_FILE (${stack.profileEnv.AWS_SHARED_CREDENTIALS_FILE})\n`,
    );
  });
});

describe('a credential_process that calls rolebroker again', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rolebroker-loop-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 at once instead of hanging', async () => {
    const config = join(dir, 'config');
    writeFileSync(
      config,
      `${readFileSync(stack.profileEnv.AWS_CONFIG_FILE as string, 'utf8')}\n[profile loop]\nregion = us-east-1\n` +
        `credential_process = node ${CLI} credentials --url ${stack.brokerUrl} --auth sts --server-id rolebroker-local --role-arn ${ARNS.auditTarget} --format process\n`,
    );
    const res = await cli(['credentials', '--role-arn', ARNS.auditTarget], {
      AWS_CONFIG_FILE: config,
      AWS_PROFILE: 'loop',
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      "rolebroker: credential_process calls rolebroker again: give --profile with the caller's own credentials\n",
    );
    expect(res.ms).toBeLessThan(10_000);
  });
});

describe('rolebroker console', () => {
  let server: Server;
  let endpoint: string;
  let answer: { status: number; body: string } = { status: 200, body: '{"SigninToken":"tok-123"}' };
  const seen: URLSearchParams[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rolebroker-console-'));
    server = createServer((req, res) => {
      seen.push(new URL(req.url ?? '/', 'http://x').searchParams);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/federation`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const consoleCli = (extra: string[], env: Record<string, string> = {}) =>
    cli(['console', '--profile', 'demo-caller', '--role-arn', ARNS.auditTarget, ...extra], {
      ROLEBROKER_FEDERATION_ENDPOINT: endpoint,
      ...env,
    });

  it('asks for a sign-in token as documented and prints the login URL', async () => {
    answer = { status: 200, body: '{"SigninToken":"tok-123"}' };
    const res = await consoleCli(['--print']);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const asked = seen.at(-1) as URLSearchParams;
    expect([...asked.keys()].sort()).toEqual(['Action', 'Session']);
    expect(asked.get('Action')).toBe('getSigninToken');
    expect(asked.has('SessionDuration')).toBe(false);
    const session = JSON.parse(asked.get('Session') as string);
    expect(Object.keys(session).sort()).toEqual(['sessionId', 'sessionKey', 'sessionToken']);
    expect(session.sessionId).toMatch(/^ASIA/);
    const url = new URL(res.stdout.trim());
    expect(`${url.origin}${url.pathname}`).toBe(endpoint);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: 'login',
      Issuer: 'rolebroker',
      Destination: 'https://console.aws.amazon.com/',
      SigninToken: 'tok-123',
    });
  });

  it('opens $BROWSER with the URL when not --print', async () => {
    answer = { status: 200, body: '{"SigninToken":"tok-456"}' };
    const opened = join(dir, 'opened');
    const browser = join(dir, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\nenv > '${opened}.env'\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(browser, 0o755);
    const res = await consoleCli(['--destination', 'https://console.aws.amazon.com/s3/'], {
      BROWSER: browser,
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^rolebroker: opened the console as .* in a browser/);
    await expect.poll(() => readFileSync(opened, 'utf8'), { timeout: 5000 }).toContain('tok-456');
    const url = new URL(readFileSync(opened, 'utf8'));
    expect(url.searchParams.get('Destination')).toBe('https://console.aws.amazon.com/s3/');
    // The browser gets the user's environment, not what the CLI set for itself.
    const env = readFileSync(`${opened}.env`, 'utf8');
    expect(env).not.toMatch(/^AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=/m);
    expect(env).not.toMatch(/^ROLEBROKER_RESOLVING_CALLER=/m);
    expect(env).toMatch(/^ROLEBROKER_AUTH=sts$/m);
  });

  it('a refusal from the federation endpoint is exit 4 with one line', async () => {
    answer = { status: 400, body: '<html>bad</html>' };
    const res = await consoleCli(['--print']);
    expect(res.code).toBe(4);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(
      `rolebroker: the federation endpoint ${new URL(endpoint).origin} refused the session (HTTP 400)\n`,
    );
  });
});

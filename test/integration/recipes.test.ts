/**
 * The caller recipes in docs/auth.md, run exactly as documented: the doc's code block must be
 * the recipe file, and the file, run with the venv's python against the emulator, must make
 * a token the real handler accepts (sts mode) or a request that verifies (iam mode).
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { type SeededWorld, seedDemo } from '../../scripts/seed';
import { askWithToken, type LoadedBroker, loadBroker, restoreEnv } from '../support/broker';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const PYTHON = join(ROOT, '.venv/bin/python');
const STS_RECIPE = join(ROOT, 'docs/recipes/sts-token.py');
const endpoint = inject('motoEndpoint');
const SERVER_ID = 'rolebroker-recipes';
let world: SeededWorld;
let broker: LoadedBroker;

beforeAll(async () => {
  world = await seedDemo(endpoint);
  broker = await loadBroker(world, {
    ROLEBROKER_AUTH: 'sts',
    ROLEBROKER_SERVER_ID: SERVER_ID,
    ROLEBROKER_STS_IDENTITY_ENDPOINTS: endpoint,
  });
});
afterAll(restoreEnv);

/** The fenced block of `lang` in `doc` that follows `heading`. */
function docBlock(doc: string, heading: string, lang: string): string {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  const section = text.slice(text.indexOf(heading));
  const match = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\`\\n`).exec(section);
  if (!match?.[1]) throw new Error(`no ${lang} block after ${heading} in ${doc}`);
  return match[1];
}

/** Runs a recipe with only the given credentials: no profile, no config file, no IMDS. */
async function runRecipe(
  command: string,
  args: string[],
  creds: AwsCredentialIdentity,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: '/nonexistent',
    ...options.env,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
  };
  if (creds.sessionToken) env.AWS_SESSION_TOKEN = creds.sessionToken;
  const { stdout } = await promisify(execFile)(command, args, {
    env,
    cwd: options.cwd,
    timeout: options.timeoutMs ?? 20_000,
  });
  return stdout.trim();
}

const runPython = (file: string, args: string[], creds: AwsCredentialIdentity) =>
  runRecipe(PYTHON, [file, ...args], creds);

const ask = (token: string) => askWithToken(broker, token);

describe('the Python (botocore) sts-mode recipe', () => {
  it('is the code block docs/auth.md shows', () => {
    expect(docBlock('docs/auth.md', '## A token from Python (botocore)', 'python')).toBe(
      readFileSync(STS_RECIPE, 'utf8'),
    );
  });

  it('makes a token the broker accepts against the emulator', async () => {
    const token = await runPython(
      STS_RECIPE,
      [SERVER_ID, EMULATOR_REGION, endpoint],
      world.callers.demoCaller,
    );
    const payload = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    expect(payload.headers.Authorization).toMatch(/SignedHeaders=[^,]*x-rolebroker-server-id/);
    const res = await ask(token);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.SourceIdentity).toContain('demo-caller');
  });

  it('signs session credentials (x-amz-security-token) the broker forwards', async () => {
    // The broker's own execution-role session: credentials with a session token.
    const c = world.broker;
    expect(c.sessionToken).toBeTruthy();
    const token = await runPython(STS_RECIPE, [SERVER_ID, EMULATOR_REGION, endpoint], c);
    const payload = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    expect(payload.headers['X-Amz-Security-Token']).toBe(c.sessionToken);
    expect(payload.headers.Authorization).toContain('x-amz-security-token');
    const res = await ask(token);
    // Authenticated: whatever moto names the session's caller, it is not a 401.
    expect(res.status, JSON.stringify(res.json)).not.toBe(401);
    expect(res.status).toBeLessThan(500);
  });

  it('refuses the token when it is for another server id', async () => {
    const token = await runPython(
      STS_RECIPE,
      ['another-broker', EMULATOR_REGION, endpoint],
      world.callers.demoCaller,
    );
    expect((await ask(token)).status).toBe(401);
  });
});

describe('a token captured from a real botocore STS client', () => {
  it('is accepted with the headers the client adds (User-Agent, amz-sdk-*)', async () => {
    const token = await runPython(
      join(ROOT, 'test/support/botocore-client-token.py'),
      [SERVER_ID, EMULATOR_REGION, endpoint],
      world.callers.demoCaller,
    );
    const payload = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    expect(Object.keys(payload.headers)).toEqual(
      expect.arrayContaining(['User-Agent', 'amz-sdk-invocation-id', 'amz-sdk-request']),
    );
    const res = await ask(token);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
  });
});

const GO_RECIPE = join(ROOT, 'docs/recipes/sts-token-go');
const hasGo = spawnSync('go', ['version']).status === 0;

describe('the Go (aws-sdk-go-v2 v4.Signer) sts-mode recipe', () => {
  // Builds with the module cache (fetched from the Go module proxy on first use).
  it.skipIf(!hasGo)(
    'makes a token the broker accepts against the emulator',
    async () => {
      const goEnv: NodeJS.ProcessEnv = { GOFLAGS: '-mod=readonly' };
      for (const name of ['HOME', 'GOPATH', 'GOMODCACHE', 'GOCACHE', 'GOPROXY', 'GOTOOLCHAIN']) {
        if (process.env[name]) goEnv[name] = process.env[name];
      }
      const token = await runRecipe(
        'go',
        ['run', '.', SERVER_ID, EMULATOR_REGION, endpoint],
        world.callers.demoCaller,
        { cwd: GO_RECIPE, env: goEnv, timeoutMs: 170_000 },
      );
      const res = await ask(token);
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      expect(res.json.SourceIdentity).toContain('demo-caller');
    },
    180_000,
  );
});

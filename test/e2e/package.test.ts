/**
 * The package installs like a CLI: `npm pack` builds a fresh tarball, `npm install -g
 * --prefix` makes a working `rolebroker` with no dependencies, and Node code imports
 * fromBroker from 'rolebroker'.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { version } from '../../package.json';
import { ARNS } from '../../scripts/seed';

const run = promisify(execFile);
const stack = inject('stack');
const ROOT = join(__dirname, '../..');
let dir: string;
let prefix: string;

/** Only what a user's shell would have: no repo node_modules/.bin, no project env. */
const userEnv = () => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rolebroker-pack-'));
  prefix = join(dir, 'prefix');
  const packStart = Date.now();
  await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: ROOT });
  const tarball = join(dir, `rolebroker-${version}.tgz`);
  const installStart = Date.now();
  await run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball],
    { cwd: dir, env: { ...userEnv(), npm_config_cache: join(dir, 'npm-cache') } },
  );
  const done = Date.now();
  console.log(
    `npm pack ${installStart - packStart} ms, tarball ${(statSync(tarball).size / 1024).toFixed(1)} KiB, install ${done - installStart} ms`,
  );
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('declares no dependencies, no scripts, and installs none', () => {
    const installed = join(prefix, 'lib/node_modules/rolebroker');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.scripts).toBeUndefined();
    expect(existsSync(join(installed, 'node_modules'))).toBe(false);
    expect(readdirSync(installed).sort()).toEqual(['README.md', 'dist', 'docs', 'package.json']);
    expect(existsSync(join(installed, 'dist/types/lib/client/index.d.ts'))).toBe(true);
  });

  it('puts rolebroker on PATH: --version, and credentials against the local stack, stderr empty', async () => {
    const bin = join(prefix, 'bin/rolebroker');
    const env = { ...userEnv(), PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
    expect((await run(bin, ['--version'], { env, cwd: dir })).stdout).toBe(`${version}\n`);
    const res = await run(
      'rolebroker',
      [
        'credentials',
        '--url',
        stack.brokerUrl,
        '--profile',
        'demo-caller',
        '--role-arn',
        ARNS.auditTarget,
      ],
      {
        cwd: dir,
        env: {
          ...env,
          ...stack.profileEnv,
          ROLEBROKER_AUTH: 'sts',
          ROLEBROKER_SERVER_ID: 'rolebroker-local',
        },
      },
    );
    expect(JSON.parse(res.stdout).Credentials.AccessKeyId).toMatch(/^ASIA/);
    expect(res.stderr).toBe('');
    // A credential_process line twice: the second answer comes from the cache (the bin's
    // fast path), the same session.
    const processEnv = { ...env, ...stack.profileEnv, XDG_CACHE_HOME: join(dir, 'cache') };
    const args = ['credentials', '--url', stack.brokerUrl, '--auth', 'sts', '--server-id'];
    const line = [...args, 'rolebroker-local', '--profile', 'demo-caller', '--format', 'process'];
    const asked = [...line, '--role-arn', ARNS.auditTarget];
    const first = await run('rolebroker', asked, { cwd: dir, env: processEnv });
    const second = await run('rolebroker', asked, { cwd: dir, env: processEnv });
    expect(JSON.parse(first.stdout).Version).toBe(1);
    expect(second).toMatchObject({ stdout: first.stdout, stderr: '' });
  });

  it("exports fromBroker to Node code as 'rolebroker'", async () => {
    const script = join(prefix, 'lib/check.mjs');
    writeFileSync(
      script,
      "import { fromBroker, requestRoles } from 'rolebroker';\n" +
        "const p = fromBroker({ url: 'https://b.example', roleArn: 'arn:aws:iam::1:role/r' });\n" +
        'console.log(typeof p, typeof requestRoles);\n',
    );
    const res = await run('node', [script], { cwd: dir, env: userEnv() });
    expect(res.stdout).toBe('function function\n');
  });
});

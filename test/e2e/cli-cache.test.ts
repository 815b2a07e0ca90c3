import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../scripts/relay';
import { ARNS } from '../../scripts/seed';

// Real clients (the AWS SDK for JavaScript v3 and boto3) over a credential_process profile,
// counting the requests that reach the broker at a relay in front of it.
const run = promisify(execFile);
const stack = inject('stack');
const ROOT = join(__dirname, '../..');
/** The package's bin: what a credential_process line runs. */
const CLI = join(ROOT, 'dist/rolebroker.cjs');
const PYTHON = join(ROOT, '.venv/bin/python');
const MINUTE = 60_000;
/** botocore refreshes credentials with less than this left (its advisory window). */
const BOTOCORE_ADVISORY_MS = 15 * MINUTE;
const PROCESSES = 5;
const CALLS_PER_PROCESS = 10;

let counter: FaultProxy;
let dir: string;
let config: string;
/** Every credential_process answer an SDK was given, one JSON line each (the wrapper tees). */
let given: string;

const credentialsArgs = (extra: string[] = []) => [
  'credentials',
  '--url',
  counter.endpoint,
  '--auth',
  'sts',
  '--server-id',
  'rolebroker-local',
  '--profile',
  'demo-caller',
  '--role-arn',
  ARNS.localTarget,
  '--format',
  'process',
  ...extra,
];

const baseEnv = (cacheHome: string) => ({
  PATH: process.env.PATH ?? '',
  HOME: dir,
  XDG_CACHE_HOME: cacheHome,
  AWS_CONFIG_FILE: config,
  AWS_SHARED_CREDENTIALS_FILE: stack.profileEnv.AWS_SHARED_CREDENTIALS_FILE as string,
});

const cli = (cacheHome: string, extra: string[] = []) =>
  run('node', [CLI, ...credentialsArgs(extra)], { cwd: ROOT, env: baseEnv(cacheHome) });

/** Runs `fn` and returns how many requests reached the broker meanwhile. */
async function brokerRequests(fn: () => Promise<unknown>): Promise<number> {
  const before = counter.count;
  await fn();
  return counter.count - before;
}

function givenSince(line: number) {
  return readFileSync(given, 'utf8')
    .split('\n')
    .slice(line)
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { AccessKeyId: string; Expiration: string });
}
const givenLines = () => readFileSync(given, 'utf8').split('\n').filter(Boolean).length;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

beforeAll(async () => {
  counter = await startFaultProxy(stack.brokerUrl);
  dir = mkdtempSync(join(stack.localDir, 'cli-cache-'));
  given = join(dir, 'given.jsonl');
  writeFileSync(given, '');
  const wrapper = join(dir, 'credential-process.sh');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nout="$(node ${CLI} "$@")" || exit $?\nprintf '%s\\n' "$out" >> ${given}\nprintf '%s\\n' "$out"\n`,
  );
  chmodSync(wrapper, 0o755);
  config = join(dir, 'aws-config');
  writeFileSync(
    config,
    `${readFileSync(stack.profileEnv.AWS_CONFIG_FILE as string, 'utf8')}
[profile broker-local]
region = us-east-1
endpoint_url = ${stack.emulatorEndpoint}
credential_process = ${wrapper} ${credentialsArgs().join(' ')}
`,
  );
});

afterAll(async () => {
  await counter.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a credential_process profile over the CLI cache', () => {
  it(`costs the AWS SDK for JavaScript v3 one broker request for ${PROCESSES * CALLS_PER_PROCESS} calls in ${PROCESSES} processes`, async () => {
    const script = `
      const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
      (async () => {
        const sts = new STSClient({}); // default chain: fromIni, then the profile's credential_process
        for (let i = 0; i < ${CALLS_PER_PROCESS}; i++) {
          const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
          if (!Arn.includes('assumed-role/rolebroker-local-reader/')) throw new Error(Arn);
        }
        const c = await sts.config.credentials();
        console.log(JSON.stringify({ left: c.expiration.getTime() - Date.now() }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const from = givenLines();
    const lefts: number[] = [];
    const requests = await brokerRequests(async () => {
      for (let p = 0; p < PROCESSES; p++) {
        const { stdout } = await run('node', ['-e', script], {
          cwd: ROOT,
          env: { ...baseEnv(join(dir, 'cache-js')), AWS_PROFILE: 'broker-local' },
        });
        lefts.push(JSON.parse(stdout).left);
      }
    });
    console.log(`JS SDK v3: ${requests} broker request(s), ${givenLines() - from} CLI runs`);
    expect(requests).toBe(1);
    for (const c of givenSince(from)) {
      expect(Date.parse(c.Expiration) - Date.now()).toBeGreaterThan(BOTOCORE_ADVISORY_MS);
    }
    for (const left of lefts) expect(left).toBeGreaterThan(BOTOCORE_ADVISORY_MS);
  });

  it(`costs boto3 one broker request for ${PROCESSES * CALLS_PER_PROCESS} calls in ${PROCESSES} processes`, async () => {
    const script = `
import json, sys, time, boto3
session = boto3.Session(profile_name="broker-local")
sts = session.client("sts")
for _ in range(${CALLS_PER_PROCESS}):
    arn = sts.get_caller_identity()["Arn"]
    assert "assumed-role/rolebroker-local-reader/" in arn, arn
creds = session.get_credentials()
left = creds._expiry_time.timestamp() - time.time()
print(json.dumps({"left": left * 1000, "refreshNeeded": creds.refresh_needed()}))
`;
    const from = givenLines();
    const answers: { left: number; refreshNeeded: boolean }[] = [];
    const requests = await brokerRequests(async () => {
      for (let p = 0; p < PROCESSES; p++) {
        const { stdout } = await run(PYTHON, ['-c', script], {
          cwd: ROOT,
          env: baseEnv(join(dir, 'cache-py')),
        });
        answers.push(JSON.parse(stdout));
      }
    });
    const runs = givenLines() - from;
    console.log(`boto3: ${requests} broker request(s), ${runs} CLI runs`);
    expect(requests).toBe(1);
    // One credential_process run per process: botocore never found them inside its window.
    expect(runs).toBe(PROCESSES);
    for (const c of givenSince(from)) {
      expect(Date.parse(c.Expiration) - Date.now()).toBeGreaterThan(BOTOCORE_ADVISORY_MS);
    }
    for (const a of answers) {
      expect(a.left).toBeGreaterThan(BOTOCORE_ADVISORY_MS);
      expect(a.refreshNeeded).toBe(false);
    }
  });

  it('asks for the grant maximum, so an entry serves for ~44 minutes (one request per ~45)', async () => {
    const { stdout } = await cli(join(dir, 'cache-max'));
    const left = Date.parse(JSON.parse(stdout).Expiration) - Date.now();
    // local-reader allows 3600 s: served until 16 minutes are left.
    expect(left).toBeGreaterThan(59 * MINUTE);
    expect(left - 16 * MINUTE).toBeGreaterThan(43 * MINUTE);
  });
});

describe('the CLI cache against the local stack', () => {
  it('makes one broker request for 20 parallel invocations', async () => {
    const cacheHome = join(dir, 'cache-parallel');
    let outputs: string[] = [];
    const requests = await brokerRequests(async () => {
      outputs = (await Promise.all(Array.from({ length: 20 }, () => cli(cacheHome)))).map(
        (r) => r.stdout,
      );
    });
    console.log(`20 parallel CLI invocations: ${requests} broker request(s)`);
    expect(requests).toBe(1);
    expect(new Set(outputs.map((o) => JSON.parse(o).AccessKeyId)).size).toBe(1);
  });

  it('serves a hit without a request, --no-cache asks again, and cache clear empties it', async () => {
    const cacheHome = join(dir, 'cache-hit');
    expect(await brokerRequests(() => cli(cacheHome))).toBe(1);
    expect(await brokerRequests(() => cli(cacheHome))).toBe(0);
    expect(await brokerRequests(() => cli(cacheHome, ['--no-cache']))).toBe(1);
    const clear = await run('node', [CLI, 'cache', 'clear'], {
      cwd: ROOT,
      env: baseEnv(cacheHome),
    });
    expect(clear.stdout).toMatch(/^removed 1 cached session from /);
    expect(await brokerRequests(() => cli(cacheHome))).toBe(1);
  });

  it("never serves one caller's entry to another profile: the broker decides", async () => {
    const cacheHome = join(dir, 'cache-callers');
    expect(await brokerRequests(() => cli(cacheHome))).toBe(1);
    const args = credentialsArgs().map((a) => (a === 'demo-caller' ? 'demo-outsider' : a));
    let outsider: { code?: number; stdout: string; stderr: string } = { stdout: '', stderr: '' };
    const requests = await brokerRequests(async () => {
      outsider = await run('node', [CLI, ...args], { cwd: ROOT, env: baseEnv(cacheHome) }).catch(
        (e) => e,
      );
    });
    expect(requests).toBe(1);
    expect(outsider.code).toBe(3);
    expect(outsider.stdout).toBe('');
    expect(outsider.stderr).toMatch(/403 AccessDenied/);
  });

  it('answers a hit from the bin alone: no commander, no AWS SDK, no lock, not the full CLI', async () => {
    const cacheHome = join(dir, 'cache-loads');
    /** The URLs of the modules a run loads (Node's module hooks record them) and stdout. */
    const loaded = async (extra: string[]) => {
      const record = join(dir, `loads-${extra.length}`);
      writeFileSync(record, '');
      const { stdout } = await run(
        'node',
        ['--import', join(ROOT, 'test/support/record-loads.mjs'), CLI, ...credentialsArgs(extra)],
        { cwd: ROOT, env: { ...baseEnv(cacheHome), TEST_RECORD_LOADS: record } },
      );
      const urls = readFileSync(record, 'utf8')
        .split('\n')
        .filter((url) => url.startsWith('file:'));
      return { stdout, urls, files: urls.map((url) => readFileSync(new URL(url), 'utf8')) };
    };
    expect(await brokerRequests(() => cli(cacheHome))).toBe(1);
    const hit = await loaded([]);
    const miss = await loaded(['--no-cache']);
    console.log(`files loaded: hit ${hit.urls.length}, --no-cache ${miss.urls.length}`);
    expect(JSON.parse(hit.stdout).Version).toBe(1);
    expect(hit.urls).toEqual([pathToFileURL(CLI).href]);
    // The full path loads the whole CLI: commander, then the AWS SDK for the request.
    expect(miss.urls).toContain(pathToFileURL(join(ROOT, 'dist/rolebroker.mjs')).href);
    const has = (marker: string) => miss.files.some((f) => f.includes(marker));
    expect([has('commander.unknownOption'), has('aws-sdk-js')]).toEqual([true, true]);
    expect(
      ['commander.unknownOption', 'aws-sdk-js', 'ELOCKED'].filter((m) => hit.files[0]?.includes(m)),
    ).toEqual([]);
  });

  it("prints the hit path's wall time (median of 7 runs)", async () => {
    const cacheHome = join(dir, 'cache-timing');
    await cli(cacheHome);
    const time = async (extra: string[]) => {
      const start = process.hrtime.bigint();
      await cli(cacheHome, extra);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const hits: number[] = [];
    for (let i = 0; i < 7; i++) hits.push(await time([]));
    const misses: number[] = [];
    for (let i = 0; i < 3; i++) misses.push(await time(['--no-cache']));
    const report = `rolebroker credentials wall time: hit ${median(hits).toFixed(0)} ms (median of 7), --no-cache ${median(misses).toFixed(0)} ms (median of 3)`;
    console.log(report);
    expect(median(hits)).toBeLessThan(median(misses));
  });
});

import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../lib/cli';
import { cacheable, cacheKey } from '../../../lib/cli/credential-cache';
import { BrokerRequestError } from '../../../lib/client';
import { sessionAnswer } from '../../support/session-answer';

const MINUTE = 60_000;
const FOREIGN_UID = 12345;

let home: string;
let env: Record<string, string>;
const request = vi.fn();

const body = (minutesLeft: number, id = 'ASIAFRESH') => sessionAnswer(minutesLeft, id);

const ARGS = [
  'credentials',
  '--url',
  'https://broker.example/prod',
  '--role-arn',
  'arn:aws:iam::222222222222:role/x',
  '--format',
  'process',
];

async function run(argv: string[] = ARGS, extraEnv: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdout: (t: string) => out.push(t),
    stderr: (t: string) => err.push(t),
    env: { ...env, ...extraEnv },
  };
  const code = await main(argv, io, request);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const dir = () => join(home, 'xdg', 'rolebroker');
const entries = () =>
  existsSync(dir()) ? readdirSync(dir()).filter((f) => f.endsWith('.json')) : [];
const onlyEntry = () => {
  const [name, ...more] = entries();
  expect(more).toEqual([]);
  if (!name) throw new Error('no cache entry');
  return join(dir(), name);
};
const accessKeyOf = (stdout: string) => JSON.parse(stdout).AccessKeyId as string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rolebroker-cache-test-'));
  mkdirSync(join(home, '.aws'));
  writeFileSync(join(home, '.aws', 'config'), '[profile me]\nregion = eu-west-1\n');
  env = { HOME: home, XDG_CACHE_HOME: join(home, 'xdg') };
  request.mockReset();
  request.mockResolvedValueOnce(body(60, 'ASIAFIRST')).mockResolvedValue(body(60, 'ASIASECOND'));
});

afterEach(() => {
  vi.useRealTimers();
  rmSync(home, { recursive: true, force: true });
});

describe('the CLI cache', () => {
  it('asks the broker on a miss, then serves the entry without a request', async () => {
    const first = await run();
    const second = await run();
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(request).toHaveBeenCalledTimes(1);
    expect(accessKeyOf(second.stdout)).toBe('ASIAFIRST');
    expect(second.stdout).toBe(first.stdout);
  });

  it('makes one request for parallel invocations: the lock, then a second look', async () => {
    request.mockReset().mockImplementation(async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return body(60, `ASIA${request.mock.calls.length}`);
    });
    const results = await Promise.all(Array.from({ length: 10 }, () => run()));
    expect(request).toHaveBeenCalledTimes(1);
    expect(new Set(results.map((r) => accessKeyOf(r.stdout)))).toEqual(new Set(['ASIA1']));
    expect(readdirSync(dir()).filter((f) => !/\.(json|args)$/.test(f))).toEqual([]);
  });

  it('serves every format from one entry (the whole 200 body is kept)', async () => {
    await run([...ARGS.slice(0, -1), 'json', '--duration', 'max']);
    const env_ = await run([...ARGS.slice(0, -1), 'env', '--duration', 'max']);
    expect(request).toHaveBeenCalledTimes(1);
    expect(env_.stdout).toContain("export AWS_ACCESS_KEY_ID='ASIAFIRST'");
    expect(JSON.parse(readFileSync(onlyEntry(), 'utf8'))).toMatchObject({ Grant: 'g' });
  });

  it('keeps the directory 0700 and the entry 0600, whatever the umask', async () => {
    const umask = process.umask(0);
    try {
      await run();
    } finally {
      process.umask(umask);
    }
    expect(statSync(dir()).mode & 0o777).toBe(0o700);
    expect(statSync(onlyEntry()).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir()).filter((f) => !/\.(json|args)$/.test(f))).toEqual([]);
  });

  it('serves an entry only while it has more than 16 minutes left', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    await run();
    vi.setSystemTime(Date.now() + 43 * MINUTE); // 17 minutes left
    expect(accessKeyOf((await run()).stdout)).toBe('ASIAFIRST');
    vi.setSystemTime(Date.now() + 2 * MINUTE); // 15 minutes left: an SDK would refresh it
    expect(accessKeyOf((await run()).stdout)).toBe('ASIASECOND');
    expect(request).toHaveBeenCalledTimes(2);
  });

  it("serves a session a grant's window cut short by its own Expiration, never beyond", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const capped = body(20, 'ASIACAPPED'); // asked max (3600 s), the window left 20 minutes
    request.mockReset().mockResolvedValueOnce(capped).mockResolvedValue(body(60, 'ASIANEXT'));
    const first = await run();
    expect(JSON.parse(first.stdout).Expiration).toBe(capped.Credentials.Expiration);
    vi.setSystemTime(Date.now() + 3 * MINUTE + 59_000); // 16 min 1 s left
    const hit = await run();
    expect(accessKeyOf(hit.stdout)).toBe('ASIACAPPED');
    expect(JSON.parse(hit.stdout).Expiration).toBe(capped.Credentials.Expiration);
    vi.setSystemTime(Date.now() + 1_000); // 16 minutes left: no longer served
    expect(accessKeyOf((await run()).stdout)).toBe('ASIANEXT');
    expect(request).toHaveBeenCalledTimes(2);
  });

  it('never writes a session an SDK would refresh at once', async () => {
    request.mockReset().mockResolvedValue(body(15));
    await run([...ARGS, '--duration', '3600']);
    expect(entries()).toEqual([]);
  });

  it('bypasses the cache for the broker default (900 s) and short durations', async () => {
    await run([...ARGS.slice(0, -1), 'json']);
    await run([...ARGS.slice(0, -1), 'json']);
    await run([...ARGS, '--duration', '960']);
    expect(request).toHaveBeenCalledTimes(3);
    expect(existsSync(dir())).toBe(false);
    expect([cacheable(undefined), cacheable(960), cacheable(961), cacheable('max')]).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it('--no-cache neither reads nor writes', async () => {
    await run();
    const bypass = await run([...ARGS, '--no-cache']);
    expect(accessKeyOf(bypass.stdout)).toBe('ASIASECOND');
    rmSync(dir(), { recursive: true });
    await run([...ARGS, '--no-cache']);
    expect(existsSync(dir())).toBe(false);
    expect(request).toHaveBeenCalledTimes(3);
  });

  it('never caches a refusal', async () => {
    request.mockReset().mockRejectedValue(new BrokerRequestError('no', 403, 'AccessDenied'));
    expect((await run()).code).toBe(3);
    expect((await run()).code).toBe(3);
    expect(request).toHaveBeenCalledTimes(2);
    expect(entries()).toEqual([]);
  });

  it.each([
    ['another --profile', ['--profile', 'other'], {}],
    ['another AWS_PROFILE', [], { AWS_PROFILE: 'other' }],
    ['other environment keys', [], { AWS_ACCESS_KEY_ID: 'AKIAOTHER' }],
    ['another session token', [], { AWS_SESSION_TOKEN: 'other' }],
    ['another config file', [], { AWS_CONFIG_FILE: '/nonexistent/config' }],
    ['a web identity role', [], { AWS_ROLE_ARN: 'arn:aws:iam::1:role/w' }],
    ['container credentials', [], { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:1' }],
    ['another grant', ['--grant', 'other'], {}],
    ['another duration', ['--duration', '3600'], {}],
    ['another auth mode', ['--auth', 'sts', '--server-id', 'x'], {}],
    ['another broker URL', ['--url', 'https://other.example/prod'], {}],
  ])('never serves an entry to %s', async (_what, flags, extraEnv) => {
    await run();
    const other = await run([...ARGS, ...flags], extraEnv);
    expect(accessKeyOf(other.stdout)).toBe('ASIASECOND');
    expect(request).toHaveBeenCalledTimes(2);
  });

  it('serves the same caller whatever the order of the env or a trailing slash on --url', async () => {
    await run(ARGS, { AWS_PROFILE: 'me' });
    await run([...ARGS, '--profile', 'me', '--url', 'https://broker.example/prod/']);
    expect(request).toHaveBeenCalledTimes(1);
  });

  it('invalidates every entry when the profile file changes', async () => {
    await run(ARGS, { AWS_PROFILE: 'me' });
    writeFileSync(join(home, '.aws', 'config'), '[profile me]\nregion = eu-west-2\n');
    expect(accessKeyOf((await run(ARGS, { AWS_PROFILE: 'me' })).stdout)).toBe('ASIASECOND');
  });

  it('keys on the caller identity source', () => {
    const request_ = { url: 'u', roleArn: 'r', auth: 'iam' as const, duration: 'max' as const };
    const key = cacheKey(request_, env);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey(request_, { ...env })).toBe(key);
    expect(cacheKey(request_, { ...env, AWS_PROFILE: 'x' })).not.toBe(key);
    expect(cacheKey({ ...request_, duration: 3600 }, env)).not.toBe(key);
    expect(cacheKey({ ...request_, sessionPolicy: { a: 1 } }, env)).not.toBe(key);
  });

  describe('never trusts a file it did not write', () => {
    const replaced = async () => {
      const res = await run();
      expect(res.code).toBe(0);
      expect(accessKeyOf(res.stdout)).toBe('ASIASECOND');
      const stats = statSync(onlyEntry());
      expect(stats.mode & 0o777).toBe(0o600);
      expect(stats.uid).toBe(process.getuid?.());
      expect(JSON.parse(readFileSync(onlyEntry(), 'utf8')).Credentials.AccessKeyId).toBe(
        'ASIASECOND',
      );
    };

    it.each([
      ['not JSON', '{"Credentials": '],
      ['not a 200 body', '{"error":{"code":"x"}}'],
      [
        'without a parseable Expiration',
        '{"Credentials":{"AccessKeyId":"A","SecretAccessKey":"s","SessionToken":"t","Expiration":"soon"}}',
      ],
    ])('a corrupt entry (%s) is ignored and replaced', async (_what, text) => {
      await run();
      writeFileSync(onlyEntry(), text);
      await replaced();
    });

    it('a group/world-readable (0644) entry is ignored and replaced', async () => {
      await run();
      chmodSync(onlyEntry(), 0o644);
      await replaced();
    });

    it.runIf(process.getuid?.() === 0)(
      'an entry of another user is ignored and replaced',
      async () => {
        await run();
        chownSync(onlyEntry(), FOREIGN_UID, FOREIGN_UID);
        await replaced();
      },
    );

    it('a symlinked entry is never followed, and is replaced by a file', async () => {
      await run();
      const entry = onlyEntry();
      const elsewhere = join(home, 'planted.json');
      writeFileSync(elsewhere, readFileSync(entry));
      chmodSync(elsewhere, 0o600);
      rmSync(entry);
      symlinkSync(elsewhere, entry);
      await replaced();
      expect(statSync(elsewhere).isFile()).toBe(true);
      expect(JSON.parse(readFileSync(elsewhere, 'utf8')).Credentials.AccessKeyId).toBe('ASIAFIRST');
    });

    it('a group/world-accessible directory is emptied and made 0700 again', async () => {
      await run();
      chmodSync(dir(), 0o755);
      await replaced();
      expect(statSync(dir()).mode & 0o777).toBe(0o700);
    });

    it.runIf(process.getuid?.() === 0)('a directory of another user is replaced', async () => {
      await run();
      chownSync(dir(), FOREIGN_UID, FOREIGN_UID);
      await replaced();
      expect(statSync(dir()).uid).toBe(0);
    });

    it('a symlinked directory is replaced, and what it points to left alone', async () => {
      await run();
      const elsewhere = join(home, 'elsewhere');
      renameSync(dir(), elsewhere);
      symlinkSync(elsewhere, dir());
      await replaced();
      expect(lstatSync(dir()).isDirectory()).toBe(true);
      expect(readdirSync(elsewhere).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    });
  });

  it('removes entries, command-line memos and temp files older than 12 hours when it writes one', async () => {
    await run([...ARGS, '--profile', 'old']);
    const old = onlyEntry();
    const [memo] = readdirSync(dir()).filter((f) => f.endsWith('.args'));
    const oldMemo = join(dir(), memo ?? 'none');
    const temp = join(dir(), `${'a'.repeat(64)}.123.abcdef.tmp`);
    const other = join(dir(), 'not-ours.txt');
    writeFileSync(temp, '');
    writeFileSync(other, '');
    const longAgo = new Date(Date.now() - 13 * 60 * MINUTE);
    for (const f of [old, oldMemo, temp, other]) utimesSync(f, longAgo, longAgo);
    await run();
    expect([old, oldMemo, temp, other].map((f) => existsSync(f))).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(entries()).toHaveLength(1);
  });

  it('`rolebroker cache clear` empties the cache', async () => {
    await run();
    await run([...ARGS, '--profile', 'other']);
    expect(entries()).toHaveLength(2);
    const clear = await run(['cache', 'clear']);
    expect(clear).toMatchObject({ code: 0, stdout: `removed 2 cached sessions from ${dir()}\n` });
    expect(existsSync(dir())).toBe(false);
    await run();
    expect(request).toHaveBeenCalledTimes(3);
  });

  it('finds the directory under ~/.cache without XDG_CACHE_HOME', async () => {
    env = { HOME: home };
    await run();
    expect(
      readdirSync(join(home, '.cache', 'rolebroker')).filter((f) => f.endsWith('.json')),
    ).toHaveLength(1);
  });
});

describe('durations', () => {
  it('asks for "max" for --format process and the broker default for json and env', async () => {
    request.mockResolvedValue(body(60));
    await run(ARGS);
    await run([...ARGS.slice(0, -1), 'json']);
    await run([...ARGS.slice(0, -1), 'env']);
    await run([...ARGS.slice(0, -1), 'json', '--duration', 'max', '--no-cache']);
    await run([...ARGS, '--duration', '1200', '--no-cache']);
    expect(request.mock.calls.map(([o]) => o.durationSeconds)).toEqual([
      'max',
      undefined,
      undefined,
      'max',
      1200,
    ]);
  });

  it('refuses any other word for --duration', async () => {
    expect((await run([...ARGS, '--duration', 'maximum'])).code).toBe(2);
  });
});

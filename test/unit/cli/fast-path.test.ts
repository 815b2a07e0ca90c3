import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../lib/cli';
import { RESOLVING_CALLER_ENV } from '../../../lib/cli/cli-env';
import { answerFromCache } from '../../../lib/cli/fast-path';
import { BrokerRequestError } from '../../../lib/client';
import { sessionAnswer } from '../../support/session-answer';

const MINUTE = 60_000;

let home: string;
let env: Record<string, string>;
const request = vi.fn();

const body = (minutesLeft: number, id = 'ASIAFIRST') => sessionAnswer(minutesLeft, id);

const ARGS = [
  'credentials',
  '--url',
  'https://broker.example/prod',
  '--role-arn',
  'arn:aws:iam::222222222222:role/x',
  '--format',
  'process',
  '--profile',
  'me',
];

const io = (extraEnv: Record<string, string> = {}) => {
  const out: string[] = [];
  return {
    out,
    io: {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => out.push(`stderr: ${t}`),
      env: { ...env, ...extraEnv },
    },
  };
};

/** The full path: commander, the cache, the (mocked) broker request. */
async function full(argv: string[] = ARGS, extraEnv: Record<string, string> = {}) {
  const { out, io: cli } = io(extraEnv);
  const code = await main(argv, cli, request);
  return { code, stdout: out.join('') };
}

/** The fast path alone: what the bin (bin-fast.ts) tries first. */
function fast(argv: string[] = ARGS, extraEnv: Record<string, string> = {}) {
  const { out, io: cli } = io(extraEnv);
  return { answered: answerFromCache(argv, cli), stdout: out.join('') };
}

const dir = () => join(home, 'xdg', 'rolebroker');
const memos = () => readdirSync(dir()).filter((f) => f.endsWith('.args'));
const onlyMemo = () => {
  const [name, ...more] = memos();
  expect(more).toEqual([]);
  if (!name) throw new Error('no memo');
  return join(dir(), name);
};

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rolebroker-fast-path-test-'));
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

describe('the fast path of a cache hit', () => {
  it('answers a command line the full path answered, with the same output and no request', async () => {
    const miss = await full();
    const hit = await full();
    const answer = fast();
    expect(answer).toEqual({ answered: true, stdout: miss.stdout });
    expect(hit.stdout).toBe(miss.stdout);
    expect(request).toHaveBeenCalledTimes(1);
  });

  it('answers every format and spelling commander accepted, each its own exact line', async () => {
    const lines = [
      ARGS,
      [...ARGS.slice(0, 5), '--format=process', '--profile=me'],
      [...ARGS.slice(0, 5), '--format', 'env', '--duration', 'max', '--profile', 'me'],
      [...ARGS.slice(0, 5), '--format', 'json', '--duration', '3600', '--profile', 'me'],
    ];
    for (const line of lines) {
      expect(fast(line).answered).toBe(false);
      const { stdout } = await full(line);
      expect(fast(line)).toEqual({ answered: true, stdout });
    }
    expect(fast([...ARGS, '--grant', 'g']).answered).toBe(false);
  });

  it('is never used for a line without a memo: another command, usage errors, --help', async () => {
    await full();
    for (const line of [
      ['cache', 'clear'],
      [...ARGS, '--help'],
      [...ARGS, '--bogus'],
      ARGS.slice(0, -2),
    ]) {
      expect(fast(line)).toEqual({ answered: false, stdout: '' });
    }
  });

  it('takes the ROLEBROKER_* environment into the memo: another ROLEBROKER_URL falls through', async () => {
    const line = ARGS.filter((_, i) => i !== 1 && i !== 2);
    await full(line, { ROLEBROKER_URL: 'https://broker.example/prod' });
    expect(fast(line, { ROLEBROKER_URL: 'https://broker.example/prod' }).answered).toBe(true);
    expect(fast(line, { ROLEBROKER_URL: 'https://other.example/prod' }).answered).toBe(false);
    expect(fast(line).answered).toBe(false);
    // The full path then asks for the other broker's session, as it always did.
    const other = await full(line, { ROLEBROKER_URL: 'https://other.example/prod' });
    expect(JSON.parse(other.stdout).AccessKeyId).toBe('ASIASECOND');
  });

  it('keeps the cache key rules: --profile, AWS_PROFILE and the profile files decide', async () => {
    const line = ARGS.slice(0, -2);
    await full(line, { AWS_PROFILE: 'me' });
    expect(fast(line, { AWS_PROFILE: 'me' }).answered).toBe(true);
    expect(fast(line, { AWS_PROFILE: 'other' }).answered).toBe(false);
    expect(fast(line).answered).toBe(false);
    writeFileSync(join(home, '.aws', 'config'), '[profile me]\nregion = eu-west-2\n');
    expect(fast(line, { AWS_PROFILE: 'me' }).answered).toBe(false);
  });

  it('keeps the freshness margin: an entry with 16 minutes or less left falls through', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    await full();
    vi.setSystemTime(Date.now() + 43 * MINUTE);
    expect(fast().answered).toBe(true);
    vi.setSystemTime(Date.now() + 1.1 * MINUTE);
    expect(fast().answered).toBe(false);
    expect(JSON.parse((await full()).stdout).AccessKeyId).toBe('ASIASECOND');
  });

  it('leaves a credential_process started by the CLI to the full path (its self-call check)', async () => {
    await full();
    expect(fast(ARGS, { [RESOLVING_CALLER_ENV]: 'me' }).answered).toBe(false);
    const self = await full(ARGS, { [RESOLVING_CALLER_ENV]: 'me' });
    expect(self.code).toBe(2);
  });

  it('records no memo for --no-cache, a session policy, the broker default duration or a refusal', async () => {
    const policy = join(home, 'policy.json');
    writeFileSync(policy, JSON.stringify({ Version: '2012-10-17', Statement: [] }));
    await full([...ARGS, '--no-cache']);
    await full([...ARGS, '--session-policy', policy]);
    await full([...ARGS.slice(0, 5), '--format', 'json']);
    request.mockRejectedValueOnce(new BrokerRequestError('no', 403, 'AccessDenied'));
    expect((await full([...ARGS, '--grant', 'none'])).code).toBe(3);
    expect(memos()).toEqual([]);
    expect(fast([...ARGS, '--session-policy', policy]).answered).toBe(false);
  });

  describe('never trusts a memo it did not write', () => {
    const fallsThrough = () => {
      expect(fast().answered).toBe(false);
    };

    it('a group/world-writable memo is removed', async () => {
      await full();
      const memo = onlyMemo();
      chmodSync(memo, 0o666);
      fallsThrough();
      expect(existsSync(memo)).toBe(false);
    });

    it('a symlinked memo is never followed, and is removed', async () => {
      await full();
      const memo = onlyMemo();
      const elsewhere = join(home, 'planted.args');
      writeFileSync(elsewhere, readFileSync(memo), { mode: 0o600 });
      rmSync(memo);
      symlinkSync(elsewhere, memo);
      fallsThrough();
      expect(existsSync(memo)).toBe(false);
      expect(existsSync(elsewhere)).toBe(true);
    });

    it.each([
      ['not JSON', () => 'nope'],
      [
        'a session policy',
        (m: string) => m.replace('"request":{', '"request":{"sessionPolicy":{},'),
      ],
      ['an unknown format', (m: string) => m.replace('"process"', '"yaml"')],
      ['an uncacheable duration', (m: string) => m.replace('"max"', '900')],
    ])('a memo holding %s is removed', async (_name, edit) => {
      await full();
      const memo = onlyMemo();
      writeFileSync(memo, edit(readFileSync(memo, 'utf8')), { mode: 0o600 });
      fallsThrough();
      expect(existsSync(memo)).toBe(false);
      // The full path answers and records it again.
      await full();
      expect(fast().answered).toBe(true);
    });

    it('a group/world-accessible cache directory is left to the full path to replace', async () => {
      await full();
      chmodSync(dir(), 0o755);
      fallsThrough();
      expect(memos()).toHaveLength(1);
      await full();
      expect(request).toHaveBeenCalledTimes(2);
      expect(fast().answered).toBe(true);
    });
  });
});

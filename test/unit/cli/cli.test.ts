import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT, main } from '../../../lib/cli';
import { formatCredentials } from '../../../lib/cli/run/credentials';
import { BrokerRequestError } from '../../../lib/client';

const requestCredentials = vi.fn();

const BODY = {
  Credentials: {
    AccessKeyId: 'ASIAX',
    SecretAccessKey: "se'cret",
    SessionToken: 'tok',
    Expiration: '2026-01-01T00:15:00Z',
  },
  AssumedRoleUser: { AssumedRoleId: 'AROA:x', Arn: 'arn:aws:sts::2:assumed-role/r/x' },
  Grant: 'g',
};
const ARGS = [
  'credentials',
  '--url',
  'https://broker.example',
  '--role-arn',
  'arn:aws:iam::222222222222:role/x',
];

async function run(argv: string[], request: Parameters<typeof main>[2] = requestCredentials) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdout: (t: string) => out.push(t),
    stderr: (t: string) => err.push(t),
    env: { XDG_CACHE_HOME: CACHE_HOME },
  };
  const code = await main(argv, io, request);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

// Never the real ~/.cache: BODY is expired anyway, so nothing is ever served from here.
const CACHE_HOME = mkdtempSync(join(tmpdir(), 'rolebroker-cli-test-'));
afterAll(() => rmSync(CACHE_HOME, { recursive: true, force: true }));

beforeEach(() => requestCredentials.mockReset());

describe('rolebroker CLI', () => {
  it('prints the 200 body as JSON and exits 0', async () => {
    requestCredentials.mockResolvedValue(BODY);
    const res = await run(ARGS);
    expect(res.code).toBe(EXIT.ok);
    expect(JSON.parse(res.stdout)).toEqual(BODY);
  });

  it('prints shell-safe exports for --format env', () => {
    expect(formatCredentials(BODY, 'env')).toBe(
      [
        "export AWS_ACCESS_KEY_ID='ASIAX'",
        "export AWS_SECRET_ACCESS_KEY='se'\\''cret'",
        "export AWS_SESSION_TOKEN='tok'",
        "export AWS_CREDENTIAL_EXPIRATION='2026-01-01T00:15:00Z'",
      ].join('\n'),
    );
  });

  it('prints credential_process JSON for --format process', () => {
    expect(JSON.parse(formatCredentials(BODY, 'process'))).toEqual({
      Version: 1,
      AccessKeyId: 'ASIAX',
      SecretAccessKey: "se'cret",
      SessionToken: 'tok',
      Expiration: '2026-01-01T00:15:00Z',
    });
  });

  it('passes every flag to the request', async () => {
    requestCredentials.mockResolvedValue(BODY);
    await run([
      ...ARGS,
      '--grant',
      'g',
      '--duration',
      '1200',
      '--auth',
      'sts',
      '--server-id',
      'sid',
    ]);
    expect(requestCredentials).toHaveBeenCalledWith(
      expect.objectContaining({ grant: 'g', durationSeconds: 1200, auth: 'sts', serverId: 'sid' }),
    );
  });

  it.each([
    ['no command', []],
    ['an unknown command', ['assume']],
    ['a missing --role-arn', ['credentials', '--url', 'https://b']],
    ['a missing --url', ['credentials', '--role-arn', 'a']],
    ['an unknown flag', [...ARGS, '--external-id', 'x']],
    ['an unknown format', [...ARGS, '--format', 'yaml']],
    ['an unknown auth mode', [...ARGS, '--auth', 'none']],
    ['a non-numeric duration', [...ARGS, '--duration', '15m']],
    ['an unreadable session policy', [...ARGS, '--session-policy', '/nonexistent/policy.json']],
  ])('exits 2 on %s', async (_what, argv) => {
    const res = await run(argv);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr).toMatch(/^rolebroker: /);
    expect(requestCredentials).not.toHaveBeenCalled();
  });

  it.each([
    [401, 'Unauthenticated', EXIT.denied],
    [403, 'AccessDenied', EXIT.denied],
    [400, 'ValidationError', EXIT.failed],
    [502, 'UpstreamRefused', EXIT.failed],
    [0, 'Unreachable', EXIT.failed],
  ])('maps a %i %s answer to exit %i with a one-line message', async (status, code, exit) => {
    const refusal = new BrokerRequestError('because', status, code, 'req-9');
    const res = await run(ARGS, async () => {
      throw refusal;
    });
    expect(res.code).toBe(exit);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('because');
  });
});

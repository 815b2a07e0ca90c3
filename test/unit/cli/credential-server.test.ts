import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CREDENTIAL_SERVER_PATH,
  type CredentialServer,
  DEFAULT_TIMING,
  refreshAt,
  startCredentialServer,
} from '../../../lib/cli/run/credential-server';
import type { BrokerCredentials } from '../../../lib/client';

const MIN = 60_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

function issued(n: number, expiresAt: number): BrokerCredentials {
  return {
    Credentials: {
      AccessKeyId: `ASIA${n}`,
      SecretAccessKey: `secret${n}`,
      SessionToken: `token${n}`,
      Expiration: new Date(expiresAt).toISOString(),
    },
    AssumedRoleUser: { AssumedRoleId: 'AROA:x', Arn: 'arn:aws:sts::1:assumed-role/r/x' },
    SourceIdentity: 'x',
    Grant: 'g',
  };
}

let server: CredentialServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const get = (s: CredentialServer, headers: Record<string, string> = { authorization: s.token }) =>
  fetch(s.url, { headers });
const keyOf = async (answer: Response) =>
  ((await answer.json()) as { AccessKeyId: string }).AccessKeyId;

describe('refreshAt (the refresh rule)', () => {
  it('refreshes a long session a minute before only the margin (16 min) is left', () => {
    expect(refreshAt(T0, T0 + 60 * MIN, DEFAULT_TIMING)).toBe(T0 + 60 * MIN - 17 * MIN);
    expect(refreshAt(T0, T0 + 18 * MIN, DEFAULT_TIMING)).toBe(T0 + MIN);
  });

  it('refreshes a short session (under margin + 2 min) at its half-life', () => {
    expect(refreshAt(T0, T0 + 15 * MIN, DEFAULT_TIMING)).toBe(T0 + 7.5 * MIN);
    expect(refreshAt(T0, T0 + 17 * MIN, DEFAULT_TIMING)).toBe(T0 + 8.5 * MIN);
  });
});

describe('the credential server', () => {
  it('answers the SDK shape from memory; concurrent GETs make no broker request', async () => {
    let clock = T0;
    const fetchCreds = vi.fn(async () => issued(1, clock + 60 * MIN));
    const s = await startCredentialServer({ fetch: fetchCreds, now: () => clock });
    server = s;
    expect(server.url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:\\d+${CREDENTIAL_SERVER_PATH}$`),
    );
    const answers = await Promise.all(Array.from({ length: 50 }, () => get(s)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(await answers[0]?.json()).toEqual({
      AccessKeyId: 'ASIA1',
      SecretAccessKey: 'secret1',
      Token: 'token1',
      Expiration: '2026-01-01T01:00:00.000Z',
    });
    expect(fetchCreds).toHaveBeenCalledTimes(1);
    clock += 42 * MIN;
    expect((await get(server)).status).toBe(200);
    expect(fetchCreds).toHaveBeenCalledTimes(1);
  });

  it('refreshes when due, one broker request shared, then serves the new session', async () => {
    let clock = T0;
    let n = 0;
    let release = () => {};
    const fetchCreds = vi.fn(async () => {
      n += 1;
      if (n > 1) await new Promise<void>((r) => (release = r));
      return issued(n, clock + 60 * MIN);
    });
    const s = await startCredentialServer({ fetch: fetchCreds, now: () => clock });
    server = s;
    clock += 43 * MIN; // 17 min left: the refresh is due
    const during = await Promise.all(Array.from({ length: 20 }, () => get(s)));
    // While it runs, the old session (more than 16 min left) is still handed out.
    expect(new Set(await Promise.all(during.map(keyOf)))).toEqual(new Set(['ASIA1']));
    expect(fetchCreds).toHaveBeenCalledTimes(2);
    release();
    await vi.waitFor(async () => expect(await keyOf(await get(s))).toBe('ASIA2'));
    expect(fetchCreds).toHaveBeenCalledTimes(2);
  });

  it('keeps serving the old session while a refresh fails, and retries later', async () => {
    let clock = T0;
    const errors: unknown[] = [];
    const fetchCreds = vi
      .fn<() => Promise<BrokerCredentials>>()
      .mockResolvedValueOnce(issued(1, T0 + 60 * MIN))
      .mockRejectedValue(new Error('broker down'));
    server = await startCredentialServer({
      fetch: fetchCreds,
      now: () => clock,
      onRefreshError: (e) => errors.push(e),
    });
    clock += 50 * MIN; // 10 min left, refresh due
    expect(await keyOf(await get(server))).toBe('ASIA1');
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    // Inside the retry delay: no new broker request.
    expect((await get(server)).status).toBe(200);
    expect(fetchCreds).toHaveBeenCalledTimes(2);
    clock += DEFAULT_TIMING.retryMs;
    expect((await get(server)).status).toBe(200);
    await vi.waitFor(() => expect(errors).toHaveLength(2));
    // Past expiration minus the guard: nothing expired is handed out.
    clock = T0 + 60 * MIN - DEFAULT_TIMING.guardMs;
    const late = await get(server);
    expect(late.status).toBe(503);
    expect(JSON.stringify(await late.json())).not.toContain('ASIA');
  });

  it('gives nothing without the token: 401 missing, 403 wrong; 404 and 405 elsewhere', async () => {
    server = await startCredentialServer({ fetch: async () => issued(1, Date.now() + 60 * MIN) });
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const missing = await get(server, {});
    expect(missing.status).toBe(401);
    const wrong = await get(server, { authorization: `${server.token.slice(0, -1)}x` });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).not.toContain('ASIA');
    const base = server.url.replace(CREDENTIAL_SERVER_PATH, '');
    expect((await fetch(`${base}/`, { headers: { authorization: server.token } })).status).toBe(
      404,
    );
    const post = await fetch(server.url, {
      method: 'POST',
      headers: { authorization: server.token },
    });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('starts nothing when the first broker request fails', async () => {
    await expect(
      startCredentialServer({ fetch: async () => Promise.reject(new Error('denied')) }),
    ).rejects.toThrow('denied');
  });

  it('a short session is refreshed at its half-life, never in a loop', async () => {
    let clock = T0;
    const fetchCreds = vi.fn(async () => issued(fetchCreds.mock.calls.length, clock + 15 * MIN));
    const s = await startCredentialServer({ fetch: fetchCreds, now: () => clock });
    server = s;
    for (let i = 0; i < 5; i += 1) await get(server);
    expect(fetchCreds).toHaveBeenCalledTimes(1);
    clock += 7.5 * MIN;
    await get(server);
    await vi.waitFor(() => expect(fetchCreds).toHaveBeenCalledTimes(2));
    for (let i = 0; i < 5; i += 1) await get(server);
    expect(fetchCreds).toHaveBeenCalledTimes(2);
  });
});

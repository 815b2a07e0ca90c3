import { beforeEach, describe, expect, it, vi } from 'vitest';

const requestCredentials = vi.fn();
vi.mock('../../../lib/client/request', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  requestCredentials,
}));
const { fromBroker, BrokerRequestError } = await import('../../../lib/client');

const body = (id: string, expiresInMs: number, now: number) => ({
  Credentials: {
    AccessKeyId: id,
    SecretAccessKey: 's',
    SessionToken: 't',
    Expiration: new Date(now + expiresInMs).toISOString(),
  },
  AssumedRoleUser: { AssumedRoleId: 'x', Arn: 'y' },
  Grant: 'g',
});

beforeEach(() => requestCredentials.mockReset());

describe('fromBroker', () => {
  it('shares one in-flight request among concurrent callers', async () => {
    requestCredentials.mockImplementation(
      () => new Promise((r) => setTimeout(() => r(body('A', 900_000, Date.now())), 5)),
    );
    const provider = fromBroker({ url: 'https://broker', roleArn: 'arn:aws:iam::1:role/x' });
    const all = await Promise.all(Array.from({ length: 50 }, () => provider()));
    expect(requestCredentials).toHaveBeenCalledTimes(1);
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['A']));
  });

  it('reuses credentials until 5 minutes before expiry, then refreshes', async () => {
    let t = 1_000_000;
    requestCredentials
      .mockResolvedValueOnce(body('A', 900_000, t))
      .mockResolvedValueOnce(body('B', 900_000, t + 600_001));
    const provider = fromBroker({ url: 'https://broker', roleArn: 'r', now: () => t });
    expect((await provider()).accessKeyId).toBe('A');
    t += 599_000;
    expect((await provider()).accessKeyId).toBe('A');
    t += 1_001;
    expect((await provider()).accessKeyId).toBe('B');
  });

  it('returns the expiration so the SDK can schedule refreshes', async () => {
    requestCredentials.mockResolvedValue(body('A', 900_000, Date.now()));
    const creds = await fromBroker({ url: 'https://broker', roleArn: 'r' })();
    expect(creds.expiration).toBeInstanceOf(Date);
  });

  it('passes broker refusals through as typed errors and retries on the next call', async () => {
    requestCredentials
      .mockRejectedValueOnce(new BrokerRequestError('denied', 403, 'AccessDenied', 'req-1'))
      .mockResolvedValueOnce(body('A', 900_000, Date.now()));
    const provider = fromBroker({ url: 'https://broker', roleArn: 'r' });
    await expect(provider()).rejects.toMatchObject({
      status: 403,
      code: 'AccessDenied',
      requestId: 'req-1',
    });
    expect((await provider()).accessKeyId).toBe('A');
  });
});

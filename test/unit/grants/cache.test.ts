import { describe, expect, it, vi } from 'vitest';
import { Throttled, Unavailable } from '../../../lib/errors';
import { createGrantCache, type GrantSet } from '../../../lib/grants';

const set = (n: number): GrantSet => ({
  grants: Array(n).fill({}) as GrantSet['grants'],
  invalid: [],
});
const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('grant cache', () => {
  it('loads once inside the TTL', async () => {
    const c = clock();
    const load = vi.fn(async () => set(1));
    const cache = createGrantCache({ load, ttlMs: 60_000, maxStaleMs: 900_000, now: c.now });
    await cache.get();
    c.advance(59_000);
    await cache.get();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('reloads after the TTL', async () => {
    const c = clock();
    const load = vi.fn(async () => set(1));
    const cache = createGrantCache({ load, ttlMs: 60_000, maxStaleMs: 900_000, now: c.now });
    await cache.get();
    c.advance(60_000);
    await cache.get();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('shares one load among concurrent callers', async () => {
    const load = vi.fn(() => new Promise<GrantSet>((r) => setTimeout(() => r(set(1)), 5)));
    const cache = createGrantCache({ load, ttlMs: 60_000, maxStaleMs: 0 });
    await Promise.all(Array.from({ length: 20 }, () => cache.get()));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('serves the last good set while the store fails, and says so', async () => {
    const c = clock();
    const good = set(2);
    const load = vi.fn().mockResolvedValueOnce(good).mockRejectedValue(new Error('down'));
    const onStale = vi.fn();
    const cache = createGrantCache({
      load,
      ttlMs: 60_000,
      maxStaleMs: 900_000,
      now: c.now,
      onStale,
    });
    await cache.get();
    c.advance(120_000);
    expect(await cache.get()).toBe(good);
    expect(onStale).toHaveBeenCalledTimes(1);
  });

  it('does not retry a failing store on every request', async () => {
    const c = clock();
    const load = vi.fn().mockResolvedValueOnce(set(1)).mockRejectedValue(new Error('down'));
    const cache = createGrantCache({
      load,
      ttlMs: 1_000,
      maxStaleMs: 900_000,
      retryDelayMs: 5_000,
      now: c.now,
    });
    await cache.get();
    c.advance(2_000);
    await cache.get();
    await cache.get();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('answers 503 once the last good set is older than the stale limit', async () => {
    const c = clock();
    const load = vi.fn().mockResolvedValueOnce(set(1)).mockRejectedValue(new Error('down'));
    const cache = createGrantCache({ load, ttlMs: 60_000, maxStaleMs: 900_000, now: c.now });
    await cache.get();
    c.advance(900_001);
    await expect(cache.get()).rejects.toBeInstanceOf(Unavailable);
  });

  it('answers 503 when the store fails and nothing was ever loaded', async () => {
    const cache = createGrantCache({
      load: async () => Promise.reject(new Error('x')),
      ttlMs: 1,
      maxStaleMs: 1,
    });
    await expect(cache.get()).rejects.toBeInstanceOf(Unavailable);
  });

  it('answers 429 when the store is throttling and nothing is cached', async () => {
    const throttling = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const cache = createGrantCache({
      load: async () => Promise.reject(throttling),
      ttlMs: 1,
      maxStaleMs: 1,
    });
    await expect(cache.get()).rejects.toBeInstanceOf(Throttled);
  });

  it('forgets everything on clear', async () => {
    const load = vi.fn(async () => set(1));
    const cache = createGrantCache({ load, ttlMs: 60_000, maxStaleMs: 0 });
    await cache.get();
    cache.clear();
    await cache.get();
    expect(load).toHaveBeenCalledTimes(2);
  });
});

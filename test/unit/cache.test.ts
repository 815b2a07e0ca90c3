import { describe, expect, it, vi } from 'vitest';
import { createCache } from '../../lib/cache';

const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};
const value = (n: number, freshUntil: number) => ({ n, freshUntil });
type V = ReturnType<typeof value>;

describe('cache primitive', () => {
  it('serves a value while now is before freshUntil, then loads again', async () => {
    const c = clock();
    const cache = createCache<V>({ max: 10, freshUntil: (v) => v.freshUntil, now: c.now });
    const load = vi.fn(async () => value(1, c.now() + 1_000));
    expect(await cache.get('k', load)).toEqual({ value: value(1, 1_001_000), loaded: true });
    c.advance(999);
    expect((await cache.get('k', load)).loaded).toBe(false);
    c.advance(1);
    expect((await cache.get('k', load)).loaded).toBe(true);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('shares one load among concurrent misses, and only the first call ran it', async () => {
    const cache = createCache<V>({ max: 10, freshUntil: (v) => v.freshUntil });
    const load = vi.fn(
      () => new Promise<V>((r) => setTimeout(() => r(value(1, Date.now() + 60_000)), 5)),
    );
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.get('k', load)));
    expect(load).toHaveBeenCalledTimes(1);
    expect(results.filter((r) => r.loaded)).toHaveLength(1);
    expect(new Set(results.map((r) => r.value)).size).toBe(1);
  });

  it('does not keep a failed load', async () => {
    const cache = createCache<V>({ max: 10, freshUntil: (v) => v.freshUntil });
    const load = vi
      .fn<() => Promise<V>>()
      .mockRejectedValueOnce(new Error('down'))
      .mockResolvedValue(value(2, Date.now() + 60_000));
    await expect(cache.get('k', load)).rejects.toThrow('down');
    expect((await cache.get('k', load)).value.n).toBe(2);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('returns a value that is already past freshUntil but does not keep it', async () => {
    const c = clock();
    const cache = createCache<V>({ max: 10, freshUntil: (v) => v.freshUntil, now: c.now });
    const load = vi.fn(async () => value(1, c.now()));
    expect((await cache.get('k', load)).value.n).toBe(1);
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps keys apart and evicts the least recently used past max', async () => {
    const c = clock();
    const cache = createCache<V>({ max: 2, freshUntil: (v) => v.freshUntil, now: c.now });
    const load = vi.fn(async () => value(1, c.now() + 60_000));
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('a', load);
    await cache.get('c', load);
    expect((await cache.get('a', load)).loaded).toBe(false);
    expect((await cache.get('b', load)).loaded).toBe(true);
  });

  it('does not keep a load that was in flight when the cache was cleared', async () => {
    const cache = createCache<V>({ max: 10, freshUntil: (v) => v.freshUntil });
    let finish: (v: V) => void = () => {};
    const slow = cache.get('k', () => new Promise<V>((r) => (finish = r)));
    cache.clear();
    finish(value(1, Date.now() + 60_000));
    await slow;
    const load = vi.fn(async () => value(2, Date.now() + 60_000));
    expect((await cache.get('k', load)).value.n).toBe(2);
  });

  it('forgets everything on clear', async () => {
    const cache = createCache<V>({ max: 10, freshUntil: (v) => v.freshUntil });
    const load = vi.fn(async () => value(1, Date.now() + 60_000));
    await cache.get('k', load);
    cache.clear();
    expect((await cache.get('k', load)).loaded).toBe(true);
  });
});

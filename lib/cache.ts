import { LRUCache } from 'lru-cache';

export interface CacheOptions<V> {
  /** Most entries kept; past it the least recently used goes first. */
  readonly max: number;
  /** Until when (ms on the `now` clock) a loaded value may be served. */
  readonly freshUntil: (value: V) => number;
  readonly now?: () => number;
}

export interface Cached<V> {
  readonly value: V;
  /** True when this call ran `load`; false for a cached value or a load another call started. */
  readonly loaded: boolean;
}

export interface Cache<V> {
  /**
   * The fresh value for `key`, else the one `load` resolves. Concurrent misses share one
   * load; a failed load is not kept; a value already past `freshUntil` is returned but not kept.
   */
  get(key: string, load: () => Promise<V>): Promise<Cached<V>>;
  clear(): void;
}

/**
 * The broker's one cache primitive, on lru-cache: bounded, a lifetime per value, one
 * in-flight load per key. Used by the grant cache, hub sessions, session reuse and fromBroker.
 */
export function createCache<V extends object>(options: CacheOptions<V>): Cache<V> {
  const now = options.now ?? Date.now;
  // lru-cache calls a value stale once its age exceeds ttl; "fresh while now < freshUntil" on
  // a millisecond clock is therefore ttl = freshUntil - now - 1. Below 1 ms it is not kept.
  const ttlOf = (value: V) => Math.floor(options.freshUntil(value) - now()) - 1;
  const lru = new LRUCache<string, V, () => Promise<V>>({
    max: options.max,
    perf: { now },
    ttlResolution: 0,
    fetchMethod: async (_key, _stale, { options: entry, context }) => {
      const value = await context();
      entry.ttl = Math.max(1, ttlOf(value));
      return value;
    },
  });
  return {
    async get(key, load) {
      let loaded = false;
      const value = await lru.fetch(key, {
        context: () => {
          loaded = true;
          return load();
        },
      });
      if (value === undefined) throw new Error('cache load resolved no value');
      if (loaded && ttlOf(value) < 1 && lru.peek(key, { allowStale: true }) === value) {
        lru.delete(key);
      }
      return { value, loaded };
    },
    clear: () => lru.clear(),
  };
}

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
 * The broker's one cache primitive: bounded (least recently used first out), a lifetime per
 * value, one in-flight load per key. Used by the grant cache, hub sessions, session reuse and
 * fromBroker. Written here rather than taken from lru-cache, which did the same but was 18 KiB
 * of every Lambda bundle and pushed cold start past its budget (docs/performance.md).
 */
export function createCache<V extends object>(options: CacheOptions<V>): Cache<V> {
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order, so re-inserting on use keeps the oldest first.
  const entries = new Map<string, V>();
  const loading = new Map<string, Promise<V>>();
  // Bumped by clear(): a load started before it is not kept after it.
  let generation = 0;

  const fresh = (value: V) => now() < options.freshUntil(value);

  function keep(key: string, value: V): void {
    entries.delete(key);
    if (!fresh(value)) return;
    entries.set(key, value);
    if (entries.size > options.max) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
  }

  return {
    async get(key, load) {
      const hit = entries.get(key);
      if (hit !== undefined) {
        entries.delete(key);
        if (fresh(hit)) {
          entries.set(key, hit);
          return { value: hit, loaded: false };
        }
      }
      const pending = loading.get(key);
      if (pending) return { value: await pending, loaded: false };
      const started = generation;
      const promise: Promise<V> = load()
        .then((value) => {
          if (started === generation) keep(key, value);
          return value;
        })
        .finally(() => {
          if (loading.get(key) === promise) loading.delete(key);
        });
      loading.set(key, promise);
      return { value: await promise, loaded: true };
    },
    clear() {
      generation += 1;
      entries.clear();
      loading.clear();
    },
  };
}

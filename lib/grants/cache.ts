import { classifyAwsError } from '../aws';
import { BrokerError, Throttled, Unavailable } from '../errors';
import type { GrantSet } from './store';

export interface GrantCacheOptions {
  /** Fetches a fresh set; may throw (SSM down, throttled, KMS refused). */
  load: () => Promise<GrantSet>;
  ttlMs: number;
  /** How old the last good set may be and still be served while `load` fails. */
  maxStaleMs: number;
  /** After a failed load, wait this long before trying again (stale set served meanwhile). */
  retryDelayMs?: number;
  now?: () => number;
  /** Told once per failed load that falls back to the last good set. */
  onStale?: (error: unknown, ageMs: number) => void;
}

export interface GrantCache {
  /** The current grant set: fresh, cached, or stale within limits; else throws Throttled/Unavailable. */
  get(): Promise<GrantSet>;
  /** Forgets everything (tests, and operators via a cold start). */
  clear(): void;
}

/**
 * A single-entry cache in front of the SSM loader: one load in flight at a time, fresh for
 * `ttlMs`, and a last-good fallback bounded by `maxStaleMs` so an SSM outage does not stop
 * issuance at once but cannot keep a revoked grant alive for long.
 */
export function createGrantCache(options: GrantCacheOptions): GrantCache {
  const now = options.now ?? Date.now;
  const retryDelayMs = options.retryDelayMs ?? 5_000;
  let good: { set: GrantSet; at: number } | undefined;
  let nextAttemptAt = 0;
  let inFlight: Promise<GrantSet> | undefined;

  const usable = (t: number) => good !== undefined && t - good.at <= options.maxStaleMs;

  async function refresh(): Promise<GrantSet> {
    try {
      const set = await options.load();
      good = { set, at: now() };
      nextAttemptAt = 0;
      return set;
    } catch (error) {
      const t = now();
      nextAttemptAt = t + retryDelayMs;
      if (good && usable(t)) {
        options.onStale?.(error, t - good.at);
        return good.set;
      }
      throw toBrokerError(error);
    }
  }

  return {
    async get() {
      const t = now();
      if (good && t - good.at < options.ttlMs) return good.set;
      if (good && t < nextAttemptAt && usable(t)) return good.set;
      inFlight ??= refresh().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    clear() {
      good = undefined;
      nextAttemptAt = 0;
      inFlight = undefined;
    },
  };
}

function toBrokerError(error: unknown): BrokerError {
  if (error instanceof BrokerError) return error;
  if (classifyAwsError(error) === 'throttled') {
    return new Throttled('grant store is throttling requests; retry later', {
      cause: error,
      retryAfterSeconds: 2,
    });
  }
  return new Unavailable('grant store is unavailable and no recent copy is cached', {
    cause: error,
  });
}

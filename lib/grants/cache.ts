import type { SSMClient } from '@aws-sdk/client-ssm';
import { awsErrorName, classifyAwsError } from '../aws';
import { createCache } from '../cache';
import type { BrokerConfig } from '../config';
import { BrokerError, Throttled, Unavailable } from '../errors';
import { type GrantSet, loadGrants } from './store';

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

/** A loaded set and when it was loaded; `stale` once it is served because a reload failed. */
interface Loaded {
  readonly set: GrantSet;
  readonly at: number;
  readonly stale: boolean;
}

/**
 * A single-entry cache in front of the SSM loader, on the shared cache primitive: one load in
 * flight at a time, fresh for `ttlMs`, and a last-good fallback bounded by `maxStaleMs` so an
 * SSM outage does not stop issuance at once but cannot keep a revoked grant alive for long.
 */
export function createGrantCache(options: GrantCacheOptions): GrantCache {
  const now = options.now ?? Date.now;
  const retryDelayMs = options.retryDelayMs ?? 5_000;
  let good: Loaded | undefined;

  // A stale set is served until the next attempt, and never past the stale limit.
  const freshUntil = (loaded: Loaded) =>
    loaded.stale
      ? Math.min(now() + retryDelayMs, loaded.at + options.maxStaleMs + 1)
      : loaded.at + options.ttlMs;
  const cache = createCache<Loaded>({ max: 1, freshUntil, now });

  async function refresh(): Promise<Loaded> {
    try {
      const set = await options.load();
      good = { set, at: now(), stale: false };
      return good;
    } catch (error) {
      const t = now();
      if (good && t - good.at <= options.maxStaleMs) {
        options.onStale?.(error, t - good.at);
        return { ...good, stale: true };
      }
      throw toBrokerError(error);
    }
  }

  return {
    get: async () => (await cache.get('grants', refresh)).value.set,
    clear() {
      good = undefined;
      cache.clear();
    },
  };
}

/** What the grant store reports; Powertools' Logger fits. */
export interface GrantLog {
  warn(message: string, extra: Record<string, unknown>): void;
}

/** The broker's grant source: SSM behind a cache, logging skipped grants and stale serving. */
export function createGrantStore(
  config: Pick<BrokerConfig, 'ssmPrefix' | 'partition' | 'grantsTtlMs' | 'maxStaleMs'>,
  /** `ssm` may be a factory: the client is then made at the first load, not at cold start. */
  deps: { ssm: SSMClient | (() => SSMClient); log: GrantLog },
): GrantCache {
  const { log } = deps;
  let client: SSMClient | undefined;
  const ssm = () => (client ??= typeof deps.ssm === 'function' ? deps.ssm() : deps.ssm);
  return createGrantCache({
    ttlMs: config.grantsTtlMs,
    maxStaleMs: config.maxStaleMs,
    load: async () => {
      const set = await loadGrants(ssm(), config.ssmPrefix, config.partition);
      for (const { name, reason } of set.invalid)
        log.warn('grant skipped', { grant: name, reason });
      return set;
    },
    onStale: (error, ageMs) =>
      log.warn('grant store failed; serving last good grants', {
        error: awsErrorName(error),
        ageSeconds: Math.round(ageMs / 1000),
      }),
  });
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

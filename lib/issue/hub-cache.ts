import type { AssumeRoleCommandOutput, STSClient } from '@aws-sdk/client-sts';
import { createCache } from '../cache';

/** Hub credentials are reused until this long before they expire. */
const REFRESH_BEFORE_MS = 5 * 60_000;
const MAX_ENTRIES = 256;

export interface HubSession {
  readonly client: STSClient;
  readonly expiresAt: number;
}

/**
 * Hub-role sessions keyed by the chain that produced them (e.g. "hubA>hubB"), shared by all
 * callers: they carry no caller identity. One refresh in flight per key; bounded in size.
 */
export class HubSessionCache {
  readonly #cache;

  constructor(now: () => number = Date.now) {
    this.#cache = createCache<HubSession>({
      max: MAX_ENTRIES,
      freshUntil: (session) => session.expiresAt - REFRESH_BEFORE_MS,
      now,
    });
  }

  async get(key: string, create: () => Promise<HubSession>): Promise<HubSession> {
    return (await this.#cache.get(key, create)).value;
  }

  clear(): void {
    this.#cache.clear();
  }
}

export type AssumeRoleCredentials = NonNullable<AssumeRoleCommandOutput['Credentials']>;

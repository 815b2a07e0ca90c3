import type { AssumeRoleCommandOutput, STSClient } from '@aws-sdk/client-sts';

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
  readonly #entries = new Map<string, HubSession>();
  readonly #inFlight = new Map<string, Promise<HubSession>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get(key: string, create: () => Promise<HubSession>): Promise<HubSession> {
    const hit = this.#entries.get(key);
    if (hit && hit.expiresAt - REFRESH_BEFORE_MS > this.#now()) return Promise.resolve(hit);
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = create()
        .then((session) => {
          this.#entries.delete(key);
          if (this.#entries.size >= MAX_ENTRIES) {
            const oldest = this.#entries.keys().next().value;
            if (oldest !== undefined) this.#entries.delete(oldest);
          }
          this.#entries.set(key, session);
          return session;
        })
        .finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    return pending;
  }

  clear(): void {
    this.#entries.clear();
    this.#inFlight.clear();
  }
}

export type AssumeRoleCredentials = NonNullable<AssumeRoleCommandOutput['Credentials']>;

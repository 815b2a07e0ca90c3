import { createHash } from 'node:crypto';
import type { IssuedCredentials } from '../contract';
import type { IssueInput } from './issuer';

const DEFAULT_MAX_ENTRIES = 2_000;

export interface SessionReuseOptions {
  /** A session is handed out again only while at least this much of it remains. */
  readonly minRemainingSeconds: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export interface Reused {
  readonly issued: IssuedCredentials;
  /** True when an earlier session was returned and no STS call was made. */
  readonly reused: boolean;
}

interface Entry {
  readonly callerArn: string;
  readonly issued: IssuedCredentials;
  readonly expiresAt: number;
}

/**
 * Identifies "the same request": the caller, the whole grant (any change to it, such as a new
 * session policy, is a new key), the duration and the caller's policy. Hashed so that keys
 * hold no copy of the grant's external ID.
 */
function keyOf(input: IssueInput): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        input.caller.arn,
        input.grant,
        input.durationSeconds ?? null,
        input.callerPolicy ?? null,
      ]),
    )
    .digest('base64');
}

/**
 * Per-caller session reuse: while a session issued to this caller for this exact request has
 * `minRemainingSeconds` left, it is returned instead of assuming the role again. Identical
 * concurrent requests share one issue. Never shared across callers; bounded in size.
 */
export class SessionReuse {
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<IssuedCredentials>>();
  readonly #minRemainingMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: SessionReuseOptions) {
    this.#minRemainingMs = options.minRemainingSeconds * 1000;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#now = options.now ?? Date.now;
  }

  async issue(input: IssueInput, issue: () => Promise<IssuedCredentials>): Promise<Reused> {
    const key = keyOf(input);
    const hit = this.#entries.get(key);
    if (hit) {
      if (
        hit.callerArn === input.caller.arn &&
        hit.expiresAt - this.#minRemainingMs > this.#now()
      ) {
        return { issued: hit.issued, reused: true };
      }
      this.#entries.delete(key);
    }
    const pending = this.#inFlight.get(key);
    if (pending) return { issued: await pending, reused: true };

    const fresh = issue().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, fresh);
    const issued = await fresh;
    this.#remember(key, {
      callerArn: input.caller.arn,
      issued,
      expiresAt: Date.parse(issued.Credentials.Expiration),
    });
    return { issued, reused: false };
  }

  clear(): void {
    this.#entries.clear();
    this.#inFlight.clear();
  }

  #remember(key: string, entry: Entry): void {
    if (!(entry.expiresAt - this.#minRemainingMs > this.#now())) return;
    if (this.#entries.size >= this.#maxEntries) {
      const now = this.#now();
      for (const [k, e] of this.#entries) {
        if (e.expiresAt - this.#minRemainingMs <= now) this.#entries.delete(k);
      }
      if (this.#entries.size >= this.#maxEntries) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
    }
    this.#entries.set(key, entry);
  }
}

import { createHash } from 'node:crypto';
import { createCache } from '../cache';
import type { IssuedCredentials } from '../contract';
import type { IssueInput } from './issuer';

const DEFAULT_MAX_ENTRIES = 2_000;
/** How much shorter than asked a reused session may be. */
const REUSE_WINDOW_SECONDS = 300;

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

/** A session as kept for reuse, with the caller it was issued to. */
interface Issued {
  readonly callerArn: string;
  readonly issued: IssuedCredentials;
  readonly expiresAt: number;
  readonly durationSeconds: number;
}

/**
 * Identifies "the same request": the caller, the whole grant (any change to it, such as a new
 * session policy or window, is a new key), the duration asked (not the one a grant's window
 * cut it to, which shrinks by the second) and the caller's policy. Hashed so that keys hold no
 * copy of the grant's external ID.
 */
function keyOf(input: IssueInput): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        input.caller.arn,
        input.grant,
        input.requestedSeconds ?? input.durationSeconds,
        input.callerPolicy ?? null,
      ]),
    )
    .digest('base64');
}

/**
 * Per-caller session reuse: while a session issued to this caller for this exact request has
 * `minRemainingSeconds` left, and at most 5 minutes less than the duration asked, it is
 * returned instead of assuming the role again. Identical
 * concurrent requests share one issue. Never shared across callers; bounded in size.
 */
export class SessionReuse {
  readonly #cache;

  constructor(options: SessionReuseOptions) {
    const minRemainingMs = options.minRemainingSeconds * 1000;
    this.#cache = createCache<Issued>({
      max: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
      // A reused session keeps at least all but REUSE_WINDOW of what was asked, and never
      // less than the minimum: an SDK given it must not need to refresh at once.
      freshUntil: (entry) =>
        entry.expiresAt -
        Math.max(minRemainingMs, (entry.durationSeconds - REUSE_WINDOW_SECONDS) * 1000),
      now: options.now,
    });
  }

  async issue(input: IssueInput, issue: () => Promise<IssuedCredentials>): Promise<Reused> {
    const { value, loaded } = await this.#cache.get(keyOf(input), async () => {
      const issued = await issue();
      return {
        callerArn: input.caller.arn,
        issued,
        expiresAt: Date.parse(issued.Credentials.Expiration),
        durationSeconds: input.durationSeconds,
      };
    });
    // The key is a hash: a session goes to no caller but the one it was issued to.
    if (value.callerArn !== input.caller.arn) return { issued: await issue(), reused: false };
    return { issued: value.issued, reused: !loaded };
  }

  clear(): void {
    this.#cache.clear();
  }
}

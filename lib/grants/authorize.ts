import {
  type CredentialsRequest,
  durationRule,
  LONGEST_SESSION,
  MIN_SESSION_SECONDS,
  type RoleSummary,
} from '../contract';
import { AccessDenied, ValidationError, WindowClosing } from '../errors';
import type { Caller } from '../principals';
import { compareGrantNames, type Grant } from './schema';

/** STS's floor for AssumeRole; also the default (chained sessions are capped at one hour). */
export const MIN_DURATION_SECONDS = MIN_SESSION_SECONDS;
export const DEFAULT_DURATION_SECONDS = 900;

const DENIED = 'no grant allows this caller to assume this role';

/** What a caller may have: the grant, and the session's duration and caller policy under it. */
export interface Authorization {
  readonly grant: Grant;
  /** What is sent to STS: the duration asked, shortened to fit the grant's window. */
  readonly durationSeconds: number;
  /** Set only when the window shortened the session: the duration the request asked for. */
  readonly requestedSeconds?: number;
  /** Only for grants without their own session policy. */
  readonly callerPolicy?: Record<string, unknown>;
}

/** Whether `now` (epoch ms) is inside the grant's window: notBefore <= now < notAfter. */
function inWindow(grant: Grant, now: number): boolean {
  return (
    (grant.notBefore === undefined || grant.notBefore <= now) &&
    (grant.notAfter === undefined || now < grant.notAfter)
  );
}

/** A window end as callers and operators see it: ISO 8601 UTC, milliseconds only if any. */
export const formatInstant = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

/**
 * Picks the one enabled grant for `roleArn` whose principals match the caller and whose
 * window holds `now`. The denial message is the same whether or not the role is known, and
 * whether or not a window exists, so callers cannot probe the allowlist.
 */
export function selectGrant(
  grants: readonly Grant[],
  request: Pick<CredentialsRequest, 'roleArn' | 'grant'>,
  caller: Caller,
  now: number = Date.now(),
): Grant {
  const candidates = grants.filter(
    (g) =>
      !g.disabled &&
      inWindow(g, now) &&
      g.roleArn === request.roleArn &&
      g.principals.some((p) => p.matches(caller)) &&
      (request.grant === undefined || g.name === request.grant),
  );
  const [only, ...others] = candidates;
  if (!only) throw new AccessDenied(DENIED);
  if (others.length > 0) {
    const names = candidates.map((g) => g.name).join(', ');
    throw new ValidationError(
      `several grants match this role and caller; name one in "grant": ${names}`,
    );
  }
  return only;
}

/**
 * The one place that decides "may this caller have this session": the grant (selection, its
 * window included), the duration (900 s up to the grant's maximum, default 900, "max" for the
 * maximum), shortened so the session ends by the grant's `notAfter`, and whether the caller may
 * narrow it with its own session policy. `now` is epoch ms. Throws AccessDenied (403, also
 * WindowClosing when less than 900 s of the window is left) or ValidationError (400).
 */
export function authorize(
  grants: readonly Grant[],
  request: CredentialsRequest,
  caller: Caller,
  now: number = Date.now(),
): Authorization {
  const grant = selectGrant(grants, request, caller, now);
  const asked = request.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  const requested = asked === LONGEST_SESSION ? grant.maxDurationSeconds : asked;
  if (requested < MIN_DURATION_SECONDS || requested > grant.maxDurationSeconds) {
    throw new ValidationError(`durationSeconds: ${durationRule(grant.maxDurationSeconds)}`);
  }
  const callerPolicy = request.sessionPolicy;
  if (callerPolicy && (grant.sessionPolicy || grant.sessionPolicyArns.length > 0)) {
    throw new ValidationError(
      'sessionPolicy is not accepted for this grant: it already applies its own session policy',
    );
  }
  let durationSeconds = requested;
  if (grant.notAfter !== undefined) {
    // The window shortens a session that would outlive it, a number asked as well as "max"
    // (no caller can know to the second what is left); the Expiration says so.
    const left = Math.floor((grant.notAfter - now) / 1000);
    if (left < MIN_DURATION_SECONDS) {
      throw new WindowClosing(
        `grant ${grant.name}'s window closes at ${formatInstant(grant.notAfter)}, too soon for the minimum session of ${MIN_DURATION_SECONDS} seconds`,
      );
    }
    durationSeconds = Math.min(requested, left);
  }
  return {
    grant,
    durationSeconds,
    ...(durationSeconds < requested ? { requestedSeconds: requested } : {}),
    ...(callerPolicy ? { callerPolicy } : {}),
  };
}

/**
 * What GET /roles shows a caller: every enabled grant whose principals match it and whose
 * window has not closed (one not open yet is listed, so the caller can plan), by name, with
 * its window, nothing secret (external IDs) and nothing about other callers (principals).
 */
export function rolesFor(
  grants: readonly Grant[],
  caller: Caller,
  now: number = Date.now(),
): RoleSummary[] {
  return grants
    .filter(
      (g) =>
        !g.disabled &&
        (g.notAfter === undefined || now < g.notAfter) &&
        g.principals.some((p) => p.matches(caller)),
    )
    .map((g) => ({
      grant: g.name,
      roleArn: g.roleArn,
      maxDurationSeconds: g.maxDurationSeconds,
      scoped: g.sessionPolicy !== undefined || g.sessionPolicyArns.length > 0,
      chained: g.via.length > 0,
      ...(g.notBefore !== undefined ? { notBefore: formatInstant(g.notBefore) } : {}),
      ...(g.notAfter !== undefined ? { notAfter: formatInstant(g.notAfter) } : {}),
    }))
    .sort((a, b) => compareGrantNames(a.grant, b.grant));
}

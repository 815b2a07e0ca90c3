import {
  type CredentialsRequest,
  durationRule,
  LONGEST_SESSION,
  MIN_SESSION_SECONDS,
  type RoleSummary,
} from '../contract';
import { AccessDenied, ValidationError } from '../errors';
import type { Caller } from '../principals';
import { compareGrantNames, type Grant } from './schema';

/** STS's floor for AssumeRole; also the default (chained sessions are capped at one hour). */
export const MIN_DURATION_SECONDS = MIN_SESSION_SECONDS;
export const DEFAULT_DURATION_SECONDS = 900;

const DENIED = 'no grant allows this caller to assume this role';

/** What a caller may have: the grant, and the session's duration and caller policy under it. */
export interface Authorization {
  readonly grant: Grant;
  readonly durationSeconds: number;
  /** Only for grants without their own session policy. */
  readonly callerPolicy?: Record<string, unknown>;
}

/**
 * Picks the one enabled grant for `roleArn` whose principals match the caller. The denial
 * message is the same whether or not the role is known, so callers cannot probe the allowlist.
 */
export function selectGrant(
  grants: readonly Grant[],
  request: Pick<CredentialsRequest, 'roleArn' | 'grant'>,
  caller: Caller,
): Grant {
  const candidates = grants.filter(
    (g) =>
      !g.disabled &&
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
 * The one place that decides "may this caller have this session": the grant (selection),
 * the duration (900 s up to the grant's maximum, default 900, "max" for the maximum) and whether the caller may
 * narrow it with its own session policy. Throws AccessDenied (403) or ValidationError (400).
 */
export function authorize(
  grants: readonly Grant[],
  request: CredentialsRequest,
  caller: Caller,
): Authorization {
  const grant = selectGrant(grants, request, caller);
  const asked = request.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  const durationSeconds = asked === LONGEST_SESSION ? grant.maxDurationSeconds : asked;
  if (durationSeconds < MIN_DURATION_SECONDS || durationSeconds > grant.maxDurationSeconds) {
    throw new ValidationError(`durationSeconds: ${durationRule(grant.maxDurationSeconds)}`);
  }
  const callerPolicy = request.sessionPolicy;
  if (callerPolicy && (grant.sessionPolicy || grant.sessionPolicyArns.length > 0)) {
    throw new ValidationError(
      'sessionPolicy is not accepted for this grant: it already applies its own session policy',
    );
  }
  return { grant, durationSeconds, ...(callerPolicy ? { callerPolicy } : {}) };
}

/**
 * What GET /roles shows a caller: every enabled grant whose principals match it, by name,
 * with nothing secret (external IDs) and nothing about other callers (principals).
 */
export function rolesFor(grants: readonly Grant[], caller: Caller): RoleSummary[] {
  return grants
    .filter((g) => !g.disabled && g.principals.some((p) => p.matches(caller)))
    .map((g) => ({
      grant: g.name,
      roleArn: g.roleArn,
      maxDurationSeconds: g.maxDurationSeconds,
      scoped: g.sessionPolicy !== undefined || g.sessionPolicyArns.length > 0,
      chained: g.via.length > 0,
    }))
    .sort((a, b) => compareGrantNames(a.grant, b.grant));
}

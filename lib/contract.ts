/**
 * The broker's wire contract (docs/contract.md, docs/openapi.yaml) written once: header
 * names, routes, request and response bodies, error codes. Server, client and tests import
 * it; it imports nothing. test/unit/http/openapi.test.ts keeps it and the OpenAPI file equal.
 */

/** `sts` mode: the caller's signed GetCallerIdentity request, base64 JSON. */
export const IDENTITY_HEADER = 'x-rolebroker-identity';

/**
 * Header the caller must sign into its GetCallerIdentity request, set to the broker's
 * server id, so that a token minted for one broker cannot be replayed against another.
 */
export const SERVER_ID_HEADER = 'x-rolebroker-server-id';

export const CREDENTIALS_PATH = '/credentials';
export const HEALTH_PATH = '/health';
export const ROLES_PATH = '/roles';

/** The session name of every hub hop (`via`): the broker's own session, no caller in it. */
export const HUB_SESSION_NAME = 'rolebroker-hub';

/** `durationSeconds` value asking for the grant's `maxDurationSeconds`. */
export const LONGEST_SESSION = 'max';

/** STS's floor for AssumeRole, and the ceiling of a chained session (the broker always chains). */
export const MIN_SESSION_SECONDS = 900;
export const MAX_CHAINED_SESSION_SECONDS = 3600;

/**
 * The one duration rule, as every message states it: 900 up to the grant's maximum, or `max`.
 * With `grantMax` it names that maximum (the broker, once the grant is known); without it the
 * absolute ceiling, leaving the grant to decide (the request parser, the CLI).
 */
export function durationRule(grantMax?: number): string {
  return grantMax === undefined
    ? `must be ${MIN_SESSION_SECONDS}..${MAX_CHAINED_SESSION_SECONDS} seconds or ${LONGEST_SESSION} (the grant's maximum decides)`
    : `must be ${MIN_SESSION_SECONDS}..${grantMax} seconds or ${LONGEST_SESSION} (${grantMax} is this grant's maximum)`;
}

/** The POST /credentials body. */
export interface CredentialsRequest {
  roleArn: string;
  grant?: string;
  /** Seconds, or "max": the longest the grant allows. Default 900. */
  durationSeconds?: number | typeof LONGEST_SESSION;
  sessionPolicy?: Record<string, unknown>;
}

/** The POST /credentials 200 body: `aws sts assume-role` output plus the grant used. */
export interface IssuedCredentials {
  readonly Credentials: {
    readonly AccessKeyId: string;
    readonly SecretAccessKey: string;
    readonly SessionToken: string;
    readonly Expiration: string;
  };
  readonly AssumedRoleUser: { readonly AssumedRoleId: string; readonly Arn: string };
  readonly SourceIdentity?: string;
  readonly Grant: string;
}

/** One grant as GET /roles shows it to a caller it matches: no external ID, no principals. */
export interface RoleSummary {
  readonly grant: string;
  readonly roleArn: string;
  readonly maxDurationSeconds: number;
  /** The grant applies its own session policy or policy ARNs (a caller policy is refused). */
  readonly scoped: boolean;
  /** The session is assumed through hub roles. */
  readonly chained: boolean;
  /** The grant's window, when it has one (ISO 8601 UTC): usable from notBefore until notAfter. */
  readonly notBefore?: string;
  readonly notAfter?: string;
}

/** The GET /roles 200 body: the enabled grants whose principals match the caller, by name. */
export interface RolesResponse {
  readonly roles: readonly RoleSummary[];
}

/** Every `error.code` the broker answers with. */
export const ERROR_CODES = [
  'ValidationError',
  'Unauthenticated',
  'AccessDenied',
  'PayloadTooLarge',
  'Throttled',
  'UpstreamRefused',
  'Unavailable',
  'InternalError',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Every non-200 body. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly requestId: string;
  };
}

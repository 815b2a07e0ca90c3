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

/** `durationSeconds` value asking for the grant's `maxDurationSeconds`. */
export const LONGEST_SESSION = 'max';

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

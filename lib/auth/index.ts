import type { APIGatewayProxyEvent, APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import type { BrokerConfig } from '../config';
import { IDENTITY_HEADER } from '../contract';
import { Unauthenticated } from '../errors';
import { type Caller, parseCallerArn } from '../principals';
import type { CallerReason } from './reasons';
import { createStsIdentityVerifier, type StsIdentityVerifier } from './sts-identity';

export { createStsIdentityVerifier } from './sts-identity';

type HttpEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2WithIAMAuthorizer;

/** Resolves the verified caller of a request, or throws Unauthenticated (401) / Unavailable (503). */
export type Authenticator = (event: HttpEvent) => Promise<Caller>;

/**
 * The caller ARN API Gateway verified: a REST (v1) event's `identity`, else the HTTP API /
 * Function URL IAM authorizer. A REST event never falls back to `authorizer`, which
 * serverless-offline lets a request header fill.
 */
function iamUserArn(event: HttpEvent): unknown {
  const context = event.requestContext as {
    identity?: { userArn?: unknown };
    authorizer?: { iam?: { userArn?: unknown } } | null;
  };
  if (context?.identity) return context.identity.userArn;
  return context?.authorizer?.iam?.userArn;
}

function header(event: HttpEvent, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === name) return value ?? undefined;
  }
  return undefined;
}

function toCaller(arn: unknown): Caller {
  const message = 'no verifiable caller identity';
  if (typeof arn !== 'string')
    throw new Unauthenticated<CallerReason>(message, { reason: 'caller-missing' });
  const caller = parseCallerArn(arn);
  if (!caller) throw new Unauthenticated<CallerReason>(message, { reason: 'caller-not-principal' });
  return caller;
}

/**
 * Authenticates callers the way the broker is configured to. `iam`: trust API Gateway's
 * SigV4 verification and read the caller ARN from the request context, refusing anything
 * that is not a well-formed principal ARN (serverless-offline fills in a placeholder).
 * `sts`: verify the caller's signed GetCallerIdentity in X-RoleBroker-Identity.
 */
export function createAuthenticator(
  config: Pick<BrokerConfig, 'auth' | 'serverId' | 'stsIdentityEndpoints'>,
  deps: { verify?: StsIdentityVerifier } = {},
): Authenticator {
  if (config.auth === 'iam') return async (event) => toCaller(iamUserArn(event));
  const verify =
    deps.verify ??
    createStsIdentityVerifier({
      serverId: config.serverId,
      allowedEndpoints: config.stsIdentityEndpoints,
    });
  return async (event) => toCaller(await verify(header(event, IDENTITY_HEADER)));
}

import { Sha256 } from '@aws-crypto/sha256-js';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  HttpRequest,
} from '@smithy/types';
import {
  CREDENTIALS_PATH,
  type ErrorBody,
  IDENTITY_HEADER,
  type IssuedCredentials,
  ROLES_PATH,
  type RolesResponse,
} from '../contract';
import { createIdentityToken } from './identity-token';

/** The broker's 200 body (contract §2). */
export type BrokerCredentials = IssuedCredentials;

/** How to reach the broker as the caller: what every request needs. */
export interface BrokerConnectionOptions {
  /** Base URL of the broker API, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod */
  url: string;
  /** How the broker authenticates callers: `iam` (SigV4 for execute-api, default) or `sts`. */
  auth?: 'iam' | 'sts';
  /** Caller credentials; default: the SDK's default provider chain (AWS_PROFILE, env, SSO, IMDS...). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * `sts` mode: the broker's server id; default env ROLEBROKER_SERVER_ID, else the host of
   * `url` (a deployed broker's default id is its own execute-api host). Never asked of the
   * broker: a server that could name the id to sign could collect tokens for another one.
   */
  serverId?: string;
  timeoutMs?: number;
}

export interface BrokerRequestOptions extends BrokerConnectionOptions {
  roleArn: string;
  grant?: string;
  /** Seconds, or 'max' for the longest the grant allows; default 900 (the broker decides). */
  durationSeconds?: number | 'max';
  sessionPolicy?: Record<string, unknown>;
}

/**
 * A refusal or failure reported by the broker (or on the way to it). `status` is the HTTP
 * status (0 when the broker could not be reached) and `code` the contract's error code.
 */
export class BrokerRequestError extends Error {
  override name = 'BrokerRequestError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly requestId?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const EXECUTE_API_HOST = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * The server id an `sts`-mode token is signed for: the one given, else ROLEBROKER_SERVER_ID,
 * else the host (without port) of the broker URL the caller chose, which is what a deployed
 * broker uses unless told otherwise (contract §3).
 */
export function defaultServerId(given: string | undefined, url: URL): string {
  return given || process.env.ROLEBROKER_SERVER_ID || url.hostname;
}

function callerSdk(options: BrokerConnectionOptions) {
  const credentials = options.credentials ?? defaultProvider();
  const sts = new STSClient({ credentials });
  return { credentials, sts };
}

/** Headers that prove who the caller is: SigV4 for execute-api, or the sts-mode identity token. */
async function authHeaders(
  options: BrokerConnectionOptions,
  method: 'GET' | 'POST',
  url: URL,
  body: string | undefined,
): Promise<Record<string, string>> {
  const { credentials, sts } = callerSdk(options);
  try {
    if (options.auth === 'sts') {
      const serverId = defaultServerId(options.serverId, url);
      // The STS endpoint the SDK itself would use: AWS_ENDPOINT_URL_STS, the profile's endpoint_url, or regional.
      const endpoint = await getEndpointFromInstructions({}, GetCallerIdentityCommand, sts.config);
      const token = await createIdentityToken({
        credentials,
        region: await sts.config.region(),
        endpoint: endpoint.url.origin,
        serverId,
      });
      return {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        [IDENTITY_HEADER]: token,
      };
    }
    const region = EXECUTE_API_HOST.exec(url.hostname)?.[1] ?? (await sts.config.region());
    const request: HttpRequest = {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: {},
      headers: {
        host: url.host,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body,
    };
    const signer = new SignatureV4({ credentials, region, service: 'execute-api', sha256: Sha256 });
    const signed = await signer.sign(request);
    const { host: _host, ...headers } = signed.headers;
    return headers;
  } finally {
    sts.destroy();
  }
}

/**
 * Asks the broker for credentials once: POST {url}/credentials signed as the caller.
 * Resolves with the contract's 200 body; rejects with BrokerRequestError otherwise.
 */
export async function requestCredentials(
  options: BrokerRequestOptions,
): Promise<BrokerCredentials> {
  const body = JSON.stringify({
    roleArn: options.roleArn,
    ...(options.grant !== undefined ? { grant: options.grant } : {}),
    ...(options.durationSeconds !== undefined ? { durationSeconds: options.durationSeconds } : {}),
    ...(options.sessionPolicy !== undefined ? { sessionPolicy: options.sessionPolicy } : {}),
  });
  return callBroker(options, 'POST', CREDENTIALS_PATH, body, (json): json is BrokerCredentials =>
    Boolean((json as BrokerCredentials | undefined)?.Credentials?.AccessKeyId),
  );
}

/**
 * Asks the broker which roles the caller may have: GET {url}/roles signed as the caller.
 * Resolves with the contract's 200 body (`{roles}`); rejects with BrokerRequestError otherwise.
 */
export async function requestRoles(options: BrokerConnectionOptions): Promise<RolesResponse> {
  return callBroker(options, 'GET', ROLES_PATH, undefined, (json): json is RolesResponse =>
    Array.isArray((json as RolesResponse | undefined)?.roles),
  );
}

/** One signed request to the broker; the 200 body if `ok` accepts it, else BrokerRequestError. */
async function callBroker<T>(
  options: BrokerConnectionOptions,
  method: 'GET' | 'POST',
  path: string,
  body: string | undefined,
  ok: (json: unknown) => json is T,
): Promise<T> {
  const url = new URL(`${options.url.replace(/\/+$/, '')}${path}`);
  let headers: Record<string, string>;
  try {
    headers = await authHeaders(options, method, url, body);
  } catch (error) {
    if (error instanceof BrokerRequestError) throw error;
    throw new BrokerRequestError(
      `could not load caller credentials: ${(error as Error).message}`,
      0,
      'CallerCredentials',
      undefined,
      {
        cause: error,
      },
    );
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw new BrokerRequestError(
      `broker unreachable at ${url.origin}`,
      0,
      'Unreachable',
      undefined,
      { cause: error },
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status === 200 && ok(json)) return json;
  const err = (json as Partial<ErrorBody> | undefined)?.error;
  const apiGatewayMessage = (json as { message?: string } | undefined)?.message;
  throw new BrokerRequestError(
    err?.message ?? apiGatewayMessage ?? `broker answered HTTP ${res.status}`,
    res.status,
    err?.code ?? (res.status === 403 ? 'AccessDenied' : `HTTP${res.status}`),
    err?.requestId ?? res.headers.get('x-amzn-requestid') ?? undefined,
  );
}

import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity } from '@smithy/types';

/** Connect and per-attempt timeouts; with 3 attempts and backoff a hung upstream fails in ~10 s, inside API Gateway's 29 s. */
const CONNECT_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 3_000;
const MAX_ATTEMPTS = 3;

let sharedHandler: NodeHttpHandler | undefined;

/** One keep-alive connection pool for every client this process creates. */
function requestHandler(): NodeHttpHandler {
  sharedHandler ??= new NodeHttpHandler({
    connectionTimeout: CONNECT_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Without this the SDK only warns when an attempt runs over and keeps waiting.
    throwOnRequestTimeout: true,
    // Agent options, not agents: the handler then loads node:http only for an http:// endpoint
    // (local runs). Importing it at load costs Node 22 ~10 ms of init (its ESM facade reads
    // node:http's lazy WebSocket export, which loads undici).
    httpAgent: { keepAlive: true, maxSockets: 64 },
    httpsAgent: { keepAlive: true, maxSockets: 64 },
  });
  return sharedHandler;
}

/** Attempts, timeouts and the shared connection pool, for any SDK client a Lambda makes. */
export function lambdaClientConfig() {
  return { maxAttempts: MAX_ATTEMPTS, requestHandler: requestHandler() };
}

/**
 * An STS client for `region` (the SDK's regional endpoint, or AWS_ENDPOINT_URL_STS), with
 * timeouts and keep-alive. Without `credentials` it uses the default chain (the execution role).
 */
export function createStsClient(region: string, credentials?: AwsCredentialIdentity): STSClient {
  return new STSClient({
    region,
    ...lambdaClientConfig(),
    ...(credentials ? { credentials } : {}),
  });
}

/** An SSM client for `region` with the same timeouts and connection pool. */
export function createSsmClient(region: string): SSMClient {
  return new SSMClient({ region, ...lambdaClientConfig() });
}

import { NodeHttpHandler } from '@smithy/node-http-handler';

/** The SDK's attempts per call, as the broker's own clients have. */
const MAX_ATTEMPTS = 3;
const CONNECT_TIMEOUT_MS = 3_000;

/**
 * Settings for the clients that run with the operator's credentials (`grants`, `revoke`,
 * `audit`): each attempt gives up after `timeoutSeconds` (connecting after at most 3 s), so an
 * unreachable or hung endpoint fails in about 3 × `timeoutSeconds` instead of never.
 */
export function operatorClientConfig(timeoutSeconds: number) {
  const attemptMs = timeoutSeconds * 1000;
  return {
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, attemptMs),
      requestTimeout: attemptMs,
      // Without this the SDK only warns when an attempt runs over and keeps waiting.
      throwOnRequestTimeout: true,
    }),
  };
}

import { checkIdentityToken } from './identity-token';
import { ANSWER_ACCEPT, callerArnFromAnswer, MAX_ANSWER_BYTES } from './sts-answer';
import { type SendFn, sendToSts, sendWithNodeHttp } from './sts-transport';

export interface StsIdentityVerifierOptions {
  /** Must equal the `X-RoleBroker-Server-Id` header the caller signed. */
  serverId: string;
  /** Origins (scheme://host[:port]) the signed request may be forwarded to. */
  allowedEndpoints: readonly string[];
  /** Deadline for connecting to STS and reading its whole answer. Default 3000. */
  timeoutMs?: number;
  /** Clock in epoch milliseconds, for X-Amz-Date checks. Default Date.now. */
  now?: () => number;
  /** Outbound transport; tests inject one. Default: node:http/https. */
  send?: SendFn;
}

export type StsIdentityVerifier = (token: string | undefined) => Promise<string>;

const DEFAULT_TIMEOUT_MS = 3000;

/**
 * Returns a function that verifies a caller's `X-RoleBroker-Identity` token (Vault AWS-IAM
 * auth style) and resolves with the caller's ARN as STS reports it. Every local check runs
 * before anything leaves the broker (./identity-token.ts): the request must be a POST of
 * exactly `Action=GetCallerIdentity&Version=2011-06-15` to an allowlisted STS origin, signed
 * with SigV4 over `host`, `x-amz-date` and `x-rolebroker-server-id` (equal to `serverId`),
 * dated within five minutes. Only then is it forwarded once, with an allowlist of headers
 * and the broker's own `Accept: application/json`, no redirects and a deadline
 * (./sts-transport.ts), and the answer read (./sts-answer.ts).
 * Throws Unauthenticated (401, with a `reason`) for anything the caller got wrong or STS
 * refused, Throttled (429) when STS throttles, Unavailable (503) when STS cannot be reached
 * or fails.
 */
export function createStsIdentityVerifier(opts: StsIdentityVerifierOptions): StsIdentityVerifier {
  if (opts.serverId === '') throw new Error('sts identity verifier needs a server id');
  const allowedOrigins = new Set(opts.allowedEndpoints.map((e) => new URL(e).origin));
  if (allowedOrigins.size === 0) {
    throw new Error('sts identity verifier needs at least one endpoint');
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = opts.now ?? Date.now;
  const send = opts.send ?? sendWithNodeHttp;

  return async (token) => {
    const checked = checkIdentityToken(token, {
      serverId: opts.serverId,
      allowedOrigins,
      now: now(),
    });
    const res = await sendToSts(send, timeoutMs, {
      ...checked,
      method: 'POST',
      accept: ANSWER_ACCEPT,
      maxResponseBytes: MAX_ANSWER_BYTES,
    });
    return callerArnFromAnswer(res);
  };
}

/**
 * STS's answer to a forwarded GetCallerIdentity, read into the caller's ARN or the error the
 * caller gets: 401 for what the caller got wrong or STS refused, 429 when STS throttles,
 * 503 when it fails.
 */
import { Throttled, Unauthenticated, Unavailable } from '../errors';
import { parseCallerArn } from '../principals';
import { isObject } from '../validation';
import type { AnswerReason } from './reasons';
import type { SendResponse } from './sts-transport';

/**
 * Asked of STS for the answer. Real STS answers JSON to it; moto 5.2.5 ignores Accept and
 * answers XML, so both are read.
 */
export const ANSWER_ACCEPT = 'application/json';

/** Larger answers are refused (the transport stops reading there); ours are under 1 KiB. */
export const MAX_ANSWER_BYTES = 64 * 1024;

const fail = (message: string, reason: AnswerReason): never => {
  throw new Unauthenticated(message, { reason });
};

function header(res: SendResponse, name: string): string {
  const value = res.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function pick(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function arnFromJson(body: string): unknown {
  try {
    return pick(JSON.parse(body), 'GetCallerIdentityResponse', 'GetCallerIdentityResult', 'Arn');
  } catch {
    return undefined;
  }
}

function arnFromXml(body: string): unknown {
  const matches = [...body.matchAll(/<Arn>([^<]*)<\/Arn>/g)];
  if (!body.includes('<GetCallerIdentityResponse') || matches.length !== 1) return undefined;
  return matches[0]?.[1];
}

/**
 * The caller ARN STS answered with. Throws
 * Unauthenticated for a redirect, a refusal or an answer without a well-formed caller ARN,
 * Throttled when STS throttles, Unavailable when it fails.
 */
export function callerArnFromAnswer(res: SendResponse): string {
  if (res.statusCode >= 300 && res.statusCode < 400) {
    fail('identity service redirected', 'sts-redirected');
  }
  if (res.statusCode >= 500) throw new Unavailable('identity service failed');
  if (
    res.statusCode === 429 ||
    (res.statusCode === 400 && /<Code>Throttling<\/Code>|"Throttling"/.test(res.body))
  ) {
    throw new Throttled('identity service is throttling; retry later', { retryAfterSeconds: 2 });
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    fail('identity service refused the signed request', 'sts-refused');
  }
  if (Buffer.byteLength(res.body, 'utf8') > MAX_ANSWER_BYTES) {
    fail('identity service response is too large', 'answer-too-large');
  }
  const json = /^application\/(?:x-amz-)?json\b/i.test(header(res, 'content-type'));
  const arn = json ? arnFromJson(res.body) : arnFromXml(res.body);
  if (typeof arn !== 'string' || parseCallerArn(arn) === null) {
    fail('identity service returned no valid caller ARN', 'answer-no-caller-arn');
  }
  return arn as string;
}

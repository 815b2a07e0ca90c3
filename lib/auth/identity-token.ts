import { createHash } from 'node:crypto';
import { SERVER_ID_HEADER } from '../contract';
import { Unauthenticated } from '../errors';
import { isObject } from '../validation';
import type { TokenReason } from './reasons';

/** The decoded `X-RoleBroker-Identity` header: a signed sts:GetCallerIdentity request. */
export interface IdentityTokenPayload {
  method: 'POST';
  /** The STS endpoint's origin followed by `/`. */
  url: string;
  headers: Record<string, string | string[]>;
  body: string;
}

/** What a token is checked against. */
export interface TokenRules {
  /** Must equal the `X-RoleBroker-Server-Id` header the caller signed. */
  readonly serverId: string;
  /** Origins (scheme://host[:port]) the signed request may be forwarded to. */
  readonly allowedOrigins: ReadonlySet<string>;
  /** Epoch milliseconds the X-Amz-Date is compared with. */
  readonly now: number;
}

/** The caller's signed request, checked and cut down to what is forwarded to STS. */
export interface CheckedRequest {
  /** The allowed STS origin followed by `/`. */
  readonly url: URL;
  /** The allowlisted headers, lower-case, with `host` and `content-length` set by the broker. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const MAX_TOKEN_CHARS = 8 * 1024;
const MAX_BODY_BYTES = 1024;
const MAX_HEADERS = 20;
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const TOKEN_FIELDS = ['body', 'headers', 'method', 'url'];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const FORM_PAIR = /^[A-Za-z0-9._~%+-]+=[A-Za-z0-9._~%+-]*$/;
// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\x20-\x7e]*$/;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=[A-Za-z0-9]+\/\d{8}\/[a-z0-9-]+\/sts\/aws4_request, ?SignedHeaders=([a-z0-9-]+(?:;[a-z0-9-]+)*), ?Signature=[0-9a-f]{64}$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * The one allowlist of headers a token may carry to STS; every other header in the token is
 * dropped, and a token that signs one is refused (STS would reject the signature anyway).
 * Each entry is a header the AWS SDKs' own SigV4 signers (botocore's SigV4Auth, the JS v3
 * SDK's @smithy/signature-v4, aws-sdk-go-v2's v4.Signer) add to an STS POST and that cannot
 * change what the request asks for. Refused by omission, among others: x-amz-target,
 * content-encoding, transfer-encoding, x-http-method-override, accept (the broker sets its own),
 * expect, connection, x-forwarded-*.
 */
const FORWARDED_HEADERS: Readonly<Record<string, string>> = {
  // The SigV4 signature itself; checked for shape, verified by STS.
  authorization: 'signature',
  // The signing time; checked to be within 5 minutes.
  'x-amz-date': 'signing time',
  // Session credentials' token (botocore, JS and Go add it when the credentials have one).
  'x-amz-security-token': 'session token',
  // Binds the token to this broker; must equal ROLEBROKER_SERVER_ID.
  [SERVER_ID_HEADER]: 'server id',
  // Must be the form type GetCallerIdentity uses (checkContentType): another type changes
  // how STS reads the body, and an emulator fails on it.
  'content-type': 'form content type',
  // SHA-256 of the body (@smithy/signature-v4 signs it by default); must match the body.
  'x-amz-content-sha256': 'payload hash',
  // SDK retry bookkeeping (the JS SDK signs these; botocore sends them unsigned): no effect
  // on the answer.
  'amz-sdk-invocation-id': 'sdk invocation id',
  'amz-sdk-request': 'sdk attempt counter',
  // SDK identification (the JS SDK signs x-amz-user-agent; nobody signs user-agent).
  'x-amz-user-agent': 'sdk user agent',
  'user-agent': 'user agent',
  // Set by the broker from the URL and the body, never taken from the token.
  host: 'broker-set',
  'content-length': 'broker-set',
};
const isForwarded = (name: string) => Object.hasOwn(FORWARDED_HEADERS, name);
/** Set by the broker from the URL and the body rather than taken from the token. */
const BROKER_SET_HEADERS = new Set(
  Object.keys(FORWARDED_HEADERS).filter((name) => FORWARDED_HEADERS[name] === 'broker-set'),
);
const REQUIRED_SIGNED_HEADERS = ['host', 'x-amz-date', SERVER_ID_HEADER];
/** GetCallerIdentity's form content type; a charset other than utf-8 is refused. */
const FORM_CONTENT_TYPE = /^application\/x-www-form-urlencoded(?:\s*;\s*charset=utf-8)?$/i;
const SHA256_HEX = /^[0-9a-f]{64}$/;

const fail = (message: string, reason: TokenReason): never => {
  throw new Unauthenticated(message, { reason });
};

function decodeToken(token: unknown): Record<string, unknown> {
  if (token === undefined || token === '') {
    fail('missing X-RoleBroker-Identity header', 'token-missing');
  }
  // API Gateway sends strings; a front that passes parsed values through may not.
  if (typeof token !== 'string') fail('identity token is not valid base64', 'token-not-string');
  const text = token as string;
  if (text.length > MAX_TOKEN_CHARS) fail('identity token is too large', 'token-too-large');
  // Buffer.from(…, 'base64') skips garbage silently; insist on canonical base64.
  if (!BASE64.test(text)) fail('identity token is not valid base64', 'token-not-base64');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) {
    fail('identity token is not valid base64', 'token-not-base64');
  }
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('identity token is not valid UTF-8', 'token-not-utf8');
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return fail('identity token is not valid JSON', 'token-not-json');
  }
  if (!isObject(value)) {
    return fail('identity token must be a JSON object', 'token-not-object');
  }
  return value;
}

function checkShape(raw: Record<string, unknown>): IdentityTokenPayload {
  const keys = Object.keys(raw).sort();
  if (keys.length !== TOKEN_FIELDS.length || keys.some((k, i) => k !== TOKEN_FIELDS[i])) {
    fail('identity token must have exactly the fields method, url, headers, body', 'token-fields');
  }
  if (typeof raw.method !== 'string') {
    fail('identity token method must be a string', 'token-field-type');
  }
  if (typeof raw.url !== 'string') fail('identity token url must be a string', 'token-field-type');
  if (typeof raw.body !== 'string') {
    fail('identity token body must be a string', 'token-field-type');
  }
  if (!isObject(raw.headers)) {
    fail('identity token headers must be an object', 'token-field-type');
  }
  if (raw.method !== 'POST') fail('identity request method must be POST', 'method-not-post');
  return raw as unknown as IdentityTokenPayload;
}

function checkUrl(text: string, allowed: ReadonlySet<string>): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('identity request url is not a valid URL', 'url-invalid');
  }
  if (!allowed.has(url.origin)) {
    fail('identity request url is not an allowed STS endpoint', 'host-not-allowed');
  }
  if (url.username !== '' || url.password !== '') {
    fail('identity request url must not contain credentials', 'url-has-credentials');
  }
  if (url.pathname !== '/') fail('identity request url path must be /', 'url-path-not-root');
  if (url.search !== '' || text.includes('?')) {
    fail('identity request url must not have a query string', 'url-has-query');
  }
  if (url.hash !== '' || text.includes('#')) {
    fail('identity request url must not have a fragment', 'url-has-fragment');
  }
  return url;
}

function checkBody(body: string): void {
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
    fail('identity request body is too large', 'body-too-large');
  }
  const params = new Map<string, string>();
  for (const pair of body.split('&')) {
    if (!FORM_PAIR.test(pair)) {
      fail('identity request body is not form-urlencoded', 'body-not-form');
    }
    const [rawKey = '', rawValue = ''] = pair.split('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replaceAll('+', ' '));
      value = decodeURIComponent(rawValue.replaceAll('+', ' '));
    } catch {
      throw new Unauthenticated<TokenReason>('identity request body is not form-urlencoded', {
        reason: 'body-not-form',
      });
    }
    if (params.has(key)) {
      fail('identity request body repeats a parameter', 'body-repeated-parameter');
    }
    params.set(key, value);
  }
  for (const key of params.keys()) {
    if (key !== 'Action' && key !== 'Version') {
      fail('identity request body may only contain Action and Version', 'body-extra-parameter');
    }
  }
  if (params.get('Action') !== 'GetCallerIdentity') {
    fail('identity request action must be GetCallerIdentity', 'body-wrong-action');
  }
  if (params.get('Version') !== '2011-06-15') {
    fail('identity request version must be 2011-06-15', 'body-wrong-version');
  }
}

/** Lower-cased header names to their values, after the name/value/count checks. */
function checkHeaders(raw: Record<string, unknown>): Map<string, string[]> {
  const entries = Object.entries(raw);
  if (entries.length > MAX_HEADERS) {
    fail('identity request has too many headers', 'headers-too-many');
  }
  const headers = new Map<string, string[]>();
  for (const [name, value] of entries) {
    if (!HEADER_NAME.test(name)) {
      fail('identity request has an invalid header name', 'header-name-invalid');
    }
    const values = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(values) || values.length === 0) {
      fail('identity request header values must be strings', 'header-value-not-string');
    }
    for (const v of values as unknown[]) {
      if (typeof v !== 'string') {
        fail('identity request header values must be strings', 'header-value-not-string');
      }
      if (!HEADER_VALUE.test(v as string)) {
        fail('identity request has an invalid header value', 'header-value-invalid');
      }
    }
    const lower = name.toLowerCase();
    if (headers.has(lower)) fail('identity request repeats a header', 'header-repeated');
    headers.set(lower, values as string[]);
  }
  return headers;
}

/** The header's only value, or undefined when absent; several values are refused. */
function single(headers: Map<string, string[]>, name: string): string | undefined {
  const values = headers.get(name);
  if (values === undefined) return undefined;
  if (values.length !== 1) {
    fail(`identity request header ${name} must have exactly one value`, 'header-multiple-values');
  }
  return values[0];
}

function checkSignature(headers: Map<string, string[]>): void {
  const authorization = single(headers, 'authorization');
  if (authorization === undefined) {
    fail('identity request is missing the authorization header', 'authorization-missing');
  }
  const match = AUTHORIZATION.exec(authorization as string);
  if (!match) {
    fail(
      'identity request authorization is not an AWS4-HMAC-SHA256 signature for sts',
      'authorization-malformed',
    );
  }
  const signed = (match as RegExpExecArray)[1]?.split(';') ?? [];
  for (const name of REQUIRED_SIGNED_HEADERS) {
    if (!signed.includes(name)) {
      fail(`identity request must sign the ${name} header`, 'header-not-signed');
    }
  }
  for (const name of signed) {
    // STS would refuse the signature anyway once we drop the header; say why up front.
    if (!isForwarded(name)) {
      fail(`identity request signs header ${name}, not forwarded`, 'signed-header-not-forwarded');
    }
    if (!BROKER_SET_HEADERS.has(name) && !headers.has(name)) {
      fail(`identity request signs header ${name} but does not send it`, 'signed-header-not-sent');
    }
  }
}

// checkSignature has refused a request that does not sign and send the server id and
// X-Amz-Date headers; were one missing anyway, the checks below would still refuse it.

function checkServerId(headers: Map<string, string[]>, serverId: string): void {
  const value = single(headers, SERVER_ID_HEADER);
  if (value !== serverId) fail('identity request is for another server id', 'server-id-mismatch');
}

function checkDate(headers: Map<string, string[]>, now: number): void {
  const m = AMZ_DATE.exec(single(headers, 'x-amz-date') ?? '');
  if (!m) {
    throw new Unauthenticated<TokenReason>('identity request X-Amz-Date is malformed', {
      reason: 'date-malformed',
    });
  }
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`;
  const signedAt = Date.parse(iso);
  // The round trip rejects dates such as Feb 30 that Date.parse would roll over.
  if (Number.isNaN(signedAt) || new Date(signedAt).toISOString() !== iso) {
    fail('identity request X-Amz-Date is malformed', 'date-malformed');
  }
  if (signedAt < now - MAX_CLOCK_SKEW_MS) fail('identity request is too old', 'signature-expired');
  if (signedAt > now + MAX_CLOCK_SKEW_MS) {
    fail('identity request is dated in the future', 'signature-in-future');
  }
}

function checkHost(headers: Map<string, string[]>, url: URL): void {
  const host = single(headers, 'host');
  if (host !== undefined && host.toLowerCase() !== url.host) {
    fail('identity request host header does not match its url', 'host-mismatch');
  }
}

function checkContentType(headers: Map<string, string[]>): void {
  const value = single(headers, 'content-type');
  if (value !== undefined && !FORM_CONTENT_TYPE.test(value.trim())) {
    fail(
      'identity request content-type must be application/x-www-form-urlencoded',
      'content-type-not-form',
    );
  }
}

function checkPayloadHash(headers: Map<string, string[]>, body: string): void {
  const value = single(headers, 'x-amz-content-sha256');
  if (value === undefined) return;
  // UNSIGNED-PAYLOAD included: the hash must bind the body the caller signed.
  const hash = createHash('sha256').update(body, 'utf8').digest('hex');
  if (!SHA256_HEX.test(value) || value !== hash) {
    fail(
      'identity request x-amz-content-sha256 does not match its body',
      'content-sha256-mismatch',
    );
  }
}

function forwardedHeaders(
  headers: Map<string, string[]>,
  url: URL,
  body: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of headers) {
    if (isForwarded(name) && !BROKER_SET_HEADERS.has(name) && values[0] !== undefined) {
      out[name] = values[0];
    }
  }
  out['content-type'] ??= 'application/x-www-form-urlencoded; charset=utf-8';
  out.host = url.host;
  out['content-length'] = String(Buffer.byteLength(body, 'utf8'));
  return out;
}

/**
 * Decodes a caller's `X-RoleBroker-Identity` token and checks every rule before anything
 * leaves the broker: a POST of exactly `Action=GetCallerIdentity&Version=2011-06-15` to an
 * allowed STS origin, SigV4-signed over `host`, `x-amz-date` and `x-rolebroker-server-id`
 * (equal to the server id), dated within five minutes. Throws Unauthenticated with the
 * reason of the first rule the token breaks.
 */
export function checkIdentityToken(token: unknown, rules: TokenRules): CheckedRequest {
  const payload = checkShape(decodeToken(token));
  const url = checkUrl(payload.url, rules.allowedOrigins);
  checkBody(payload.body);
  const headers = checkHeaders(payload.headers);
  checkSignature(headers);
  checkServerId(headers, rules.serverId);
  checkDate(headers, rules.now);
  checkHost(headers, url);
  checkContentType(headers);
  checkPayloadHash(headers, payload.body);
  return {
    url: new URL('/', url.origin),
    headers: forwardedHeaders(headers, url, payload.body),
    body: payload.body,
  };
}

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkIdentityToken } from '../../../lib/auth/identity-token';
import { TOKEN_REASONS, type TokenReason } from '../../../lib/auth/reasons';
import { Unauthenticated } from '../../../lib/errors';
import {
  decode,
  ENDPOINT,
  encode,
  NOW,
  type Payload,
  SERVER_ID,
  sdkToken,
  tampered,
  token,
} from './tokens';

const RULES = {
  serverId: SERVER_ID,
  allowedOrigins: new Set([ENDPOINT]),
  now: NOW.getTime(),
};
const MINUTE = 60_000;
const b64 = (bytes: string | Buffer) => Buffer.from(bytes).toString('base64');
/** Lets a test put values of any type into the token's headers. */
const loose = (p: Payload) => p.headers as Record<string, unknown>;
const signedHeaders = (p: Payload, change: (names: string) => string) => {
  p.headers.authorization = String(p.headers.authorization).replace(
    /SignedHeaders=([^,]*)/,
    (_, names: string) => `SignedHeaders=${change(names)}`,
  );
};

interface Case {
  name: string;
  reason: TokenReason;
  token: () => Promise<unknown>;
}

/** At least one token per rule; the last test checks that no reason is left out. */
const CASES: Case[] = [
  { name: 'no token', reason: 'token-missing', token: async () => undefined },
  { name: 'an empty token', reason: 'token-missing', token: async () => '' },
  { name: 'a number', reason: 'token-not-string', token: async () => 1234 },
  { name: 'an array', reason: 'token-not-string', token: async () => [await token()] },
  { name: 'over 8 KiB', reason: 'token-too-large', token: async () => 'QUFB'.repeat(2100) },
  { name: 'not base64', reason: 'token-not-base64', token: async () => '%%% not base64 %%%' },
  {
    name: 'unpadded base64',
    reason: 'token-not-base64',
    token: async () => b64('{"a":1}').replace(/=+$/, ''),
  },
  { name: 'non-canonical base64', reason: 'token-not-base64', token: async () => 'QQ==QQ==' },
  {
    name: 'invalid UTF-8',
    reason: 'token-not-utf8',
    token: async () => b64(Buffer.from([0xff, 0xfe, 0x7b, 0x7d])),
  },
  { name: 'not JSON', reason: 'token-not-json', token: async () => b64('hello, broker') },
  { name: 'a JSON array', reason: 'token-not-object', token: async () => encode([1, 2]) },
  { name: 'JSON null', reason: 'token-not-object', token: async () => b64('null') },
  {
    name: 'an extra field',
    reason: 'token-fields',
    token: () => tampered((p) => Object.assign(p, { region: 'us-east-1' })),
  },
  {
    name: 'a missing field',
    reason: 'token-fields',
    token: () => tampered((p) => delete (p as Partial<Payload>).body),
  },
  {
    name: 'a url that is a number',
    reason: 'token-field-type',
    token: () => tampered((p) => Object.assign(p, { url: 127001 })),
  },
  {
    name: 'headers that are an array',
    reason: 'token-field-type',
    token: () => tampered((p) => Object.assign(p, { headers: ['a'] })),
  },
  {
    name: 'method GET',
    reason: 'method-not-post',
    token: () => tampered((p) => (p.method = 'GET')),
  },
  {
    name: 'method in lower case',
    reason: 'method-not-post',
    token: () => tampered((p) => (p.method = 'post')),
  },
  {
    name: 'a url that is not a URL',
    reason: 'url-invalid',
    token: () => tampered((p) => (p.url = 'not a url at all')),
  },
  {
    name: 'a token for another host',
    reason: 'host-not-allowed',
    token: () => token({ endpoint: 'https://attacker.example.com' }),
  },
  {
    name: 'the allowed host over http',
    reason: 'host-not-allowed',
    token: () => tampered((p) => (p.url = 'http://sts.eu-west-1.amazonaws.com/')),
  },
  {
    name: 'userinfo in the url',
    reason: 'url-has-credentials',
    token: () => tampered((p) => (p.url = 'https://user:pass@sts.eu-west-1.amazonaws.com/')),
  },
  {
    name: 'another path',
    reason: 'url-path-not-root',
    token: () => tampered((p) => (p.url = `${ENDPOINT}/admin`)),
  },
  {
    name: 'a query string',
    reason: 'url-has-query',
    token: () => tampered((p) => (p.url = `${ENDPOINT}/?Action=AssumeRole`)),
  },
  {
    name: 'an empty query string',
    reason: 'url-has-query',
    token: () => tampered((p) => (p.url = `${ENDPOINT}/?`)),
  },
  {
    name: 'a fragment',
    reason: 'url-has-fragment',
    token: () => tampered((p) => (p.url = `${ENDPOINT}/#x`)),
  },
  {
    name: 'an empty fragment',
    reason: 'url-has-fragment',
    token: () => tampered((p) => (p.url = `${ENDPOINT}/#`)),
  },
  {
    name: 'a body over 1 KiB',
    reason: 'body-too-large',
    token: () => tampered((p) => (p.body = `${p.body}&Pad=${'p'.repeat(1100)}`)),
  },
  {
    name: 'a JSON body',
    reason: 'body-not-form',
    token: () => tampered((p) => (p.body = '{"Action":"GetCallerIdentity"}')),
  },
  {
    name: 'a body with a broken percent escape',
    reason: 'body-not-form',
    token: () => tampered((p) => (p.body = 'Action=GetCallerIdentity&Version=%E0%A4%A')),
  },
  {
    name: 'a repeated parameter',
    reason: 'body-repeated-parameter',
    token: () => tampered((p) => (p.body = `${p.body}&Action=AssumeRole`)),
  },
  {
    name: 'an extra parameter',
    reason: 'body-extra-parameter',
    token: () => tampered((p) => (p.body = `${p.body}&DurationSeconds=43200`)),
  },
  {
    name: 'another action',
    reason: 'body-wrong-action',
    token: () => tampered((p) => (p.body = 'Action=AssumeRole&Version=2011-06-15')),
  },
  {
    name: 'another version',
    reason: 'body-wrong-version',
    token: () => tampered((p) => (p.body = 'Action=GetCallerIdentity&Version=2010-05-08')),
  },
  {
    name: 'more than 20 headers',
    reason: 'headers-too-many',
    token: () =>
      tampered((p) => {
        for (let i = 0; i < 25; i++) p.headers[`x-pad-${i}`] = 'x';
      }),
  },
  {
    name: 'a header name with a colon',
    reason: 'header-name-invalid',
    token: () => tampered((p) => (p.headers['x-evil: 1'] = 'x')),
  },
  {
    name: 'a header value that is a number',
    reason: 'header-value-not-string',
    token: () => tampered((p) => (loose(p)['x-amz-date'] = 20261125)),
  },
  {
    name: 'a header value that is an empty array',
    reason: 'header-value-not-string',
    token: () => tampered((p) => (p.headers['x-rolebroker-server-id'] = [])),
  },
  {
    name: 'a header value that is an array of numbers',
    reason: 'header-value-not-string',
    token: () => tampered((p) => (loose(p)['x-amz-date'] = [1, 2])),
  },
  {
    name: 'CRLF in a header value',
    reason: 'header-value-invalid',
    token: () => tampered((p) => (p.headers['content-type'] = 'text/plain\r\nX-Injected: 1')),
  },
  {
    name: 'a header repeated in another case',
    reason: 'header-repeated',
    token: () => tampered((p) => (p.headers['X-Amz-Date'] = p.headers['x-amz-date'] ?? '')),
  },
  {
    name: 'two server id values',
    reason: 'header-multiple-values',
    token: () => tampered((p) => (p.headers['x-rolebroker-server-id'] = [SERVER_ID, 'other'])),
  },
  {
    name: 'two authorization values',
    reason: 'header-multiple-values',
    token: () =>
      tampered((p) => (p.headers.authorization = [String(p.headers.authorization), 'x'])),
  },
  {
    name: 'no authorization',
    reason: 'authorization-missing',
    token: () => tampered((p) => delete p.headers.authorization),
  },
  {
    name: 'a signature for another service',
    reason: 'authorization-malformed',
    token: () =>
      tampered(
        (p) => (p.headers.authorization = String(p.headers.authorization).replace('/sts/', '/s3/')),
      ),
  },
  {
    name: 'a truncated authorization',
    reason: 'authorization-malformed',
    token: () => tampered((p) => (p.headers.authorization = 'AWS4-HMAC-SHA256 x')),
  },
  {
    name: 'a server id that is not signed',
    reason: 'header-not-signed',
    token: () => tampered((p) => signedHeaders(p, (n) => n.replace(';x-rolebroker-server-id', ''))),
  },
  {
    name: 'an X-Amz-Date that is not signed',
    reason: 'header-not-signed',
    token: () => tampered((p) => signedHeaders(p, (n) => n.replace(';x-amz-date', ''))),
  },
  {
    name: 'a signed header the broker does not forward',
    reason: 'signed-header-not-forwarded',
    token: () => tampered((p) => signedHeaders(p, (n) => `${n};x-forwarded-for`)),
  },
  {
    name: 'a signed accept header (the broker sets its own)',
    reason: 'signed-header-not-forwarded',
    token: () => tampered((p) => signedHeaders(p, (n) => `accept;${n}`)),
  },
  {
    name: 'a signed server id that is not sent',
    reason: 'signed-header-not-sent',
    token: () => tampered((p) => delete p.headers['x-rolebroker-server-id']),
  },
  {
    name: 'a signed X-Amz-Date that is not sent',
    reason: 'signed-header-not-sent',
    token: () => tampered((p) => delete p.headers['x-amz-date']),
  },
  {
    name: 'a token for another server id',
    reason: 'server-id-mismatch',
    token: () => token({ serverId: 'rolebroker-dev' }),
  },
  {
    name: 'a server id in another case',
    reason: 'server-id-mismatch',
    token: () => token({ serverId: SERVER_ID.toUpperCase() }),
  },
  {
    name: 'an X-Amz-Date without its Z',
    reason: 'date-malformed',
    token: () => tampered((p) => (p.headers['x-amz-date'] = '20261125T100000')),
  },
  {
    name: 'an X-Amz-Date on February 30',
    reason: 'date-malformed',
    token: () => tampered((p) => (p.headers['x-amz-date'] = '20260230T000000Z')),
  },
  {
    name: 'a token signed 6 minutes ago',
    reason: 'signature-expired',
    token: () => token({ now: new Date(NOW.getTime() - 6 * MINUTE) }),
  },
  {
    name: 'a token signed 6 minutes from now',
    reason: 'signature-in-future',
    token: () => token({ now: new Date(NOW.getTime() + 6 * MINUTE) }),
  },
  {
    name: 'a signed JSON content type (an emulator answers 500 to it)',
    reason: 'content-type-not-form',
    token: () => sdkToken({ headers: { 'content-type': 'application/json' } }),
  },
  {
    name: 'a signed AWS JSON 1.1 content type',
    reason: 'content-type-not-form',
    token: () => sdkToken({ headers: { 'content-type': 'application/x-amz-json-1.1' } }),
  },
  {
    name: 'a form content type with another charset',
    reason: 'content-type-not-form',
    token: () =>
      sdkToken({
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=latin1' },
      }),
  },
  {
    name: 'a signed x-amz-content-sha256 of UNSIGNED-PAYLOAD',
    reason: 'content-sha256-mismatch',
    token: () => sdkToken({ headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }),
  },
  {
    name: 'an x-amz-content-sha256 of another body',
    reason: 'content-sha256-mismatch',
    token: () =>
      tampered((p) => {
        p.headers['x-amz-content-sha256'] =
          'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
      }),
  },
  {
    name: 'a signed x-amz-target',
    reason: 'signed-header-not-forwarded',
    token: () =>
      sdkToken({ headers: { 'x-amz-target': 'AWSSecurityTokenServiceV20110615.AssumeRole' } }),
  },
  {
    name: 'a signed content-encoding',
    reason: 'signed-header-not-forwarded',
    token: () => sdkToken({ headers: { 'content-encoding': 'gzip' } }),
  },
  {
    name: 'a signed x-http-method-override',
    reason: 'signed-header-not-forwarded',
    token: () => sdkToken({ headers: { 'x-http-method-override': 'GET' } }),
  },
  {
    name: 'a host header naming another host',
    reason: 'host-mismatch',
    token: () => tampered((p) => (p.headers.host = 'sts.amazonaws.com')),
  },
];

describe('identity token checks', () => {
  it('returns the request to forward: the origin, the allowlisted headers, the body', async () => {
    const checked = checkIdentityToken(await token(), RULES);
    expect(checked.url.href).toBe(`${ENDPOINT}/`);
    expect(checked.body).toBe('Action=GetCallerIdentity&Version=2011-06-15');
    expect(checked.headers).toMatchObject({
      host: 'sts.eu-west-1.amazonaws.com',
      'content-length': '43',
      'x-rolebroker-server-id': SERVER_ID,
    });
  });

  it('accepts a token signed 5 minutes either side of now', async () => {
    for (const offset of [-5 * MINUTE, 5 * MINUTE]) {
      const t = await token({ now: new Date(NOW.getTime() + offset) });
      expect(() => checkIdentityToken(t, RULES)).not.toThrow();
    }
  });

  it('accepts a token from @smithy/signature-v4 with its default options and forwards its hash', async () => {
    const t = await sdkToken();
    const checked = checkIdentityToken(t, RULES);
    expect(decode(t).headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(checked.headers['x-amz-content-sha256']).toBe(
      createHash('sha256').update(checked.body).digest('hex'),
    );
  });

  it('accepts and forwards the headers SDK signers add: session token, sdk bookkeeping', async () => {
    const sdk = {
      'amz-sdk-invocation-id': '6e1f1bde-6c7a-4ab4-9c52-6a0c7b1d3f11',
      'amz-sdk-request': 'attempt=1; max=3',
      'x-amz-user-agent': 'aws-sdk-js/3.0.0',
    };
    const checked = checkIdentityToken(
      await sdkToken({ headers: sdk, sessionToken: 'FwoGZXIvYXdzEXAMPLE' }),
      RULES,
    );
    expect(checked.headers).toMatchObject({
      ...sdk,
      'x-amz-security-token': 'FwoGZXIvYXdzEXAMPLE',
    });
  });

  it.each([
    'application/x-www-form-urlencoded',
    'Application/X-WWW-Form-Urlencoded; Charset=UTF-8',
    'application/x-www-form-urlencoded;charset=utf-8',
  ])('accepts the form content type %s', async (type) => {
    const checked = checkIdentityToken(
      await sdkToken({ headers: { 'content-type': type } }),
      RULES,
    );
    expect(checked.headers['content-type']).toBe(type);
  });

  it.each(CASES)('refuses $name: $reason', async (c) => {
    const t = await c.token();
    let error: unknown;
    try {
      checkIdentityToken(t, RULES);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Unauthenticated);
    expect(error).toMatchObject({ reason: c.reason, statusCode: 401 });
    // Messages name the rule and never echo the token.
    if (typeof t === 'string' && t.length >= 6) {
      expect((error as Error).message).not.toContain(t.slice(0, 20));
    }
  });

  it('has a case for every token reason', () => {
    expect([...new Set(CASES.map((c) => c.reason))].sort()).toEqual([...TOKEN_REASONS].sort());
  });
});

/** sts mode: hostile X-RoleBroker-Identity tokens (hostile-input.test.ts). */
import { createHash } from 'node:crypto';
import { createIdentityToken } from '../../../lib/client/identity-token';
import { EMULATOR_REGION } from '../../../scripts/emulator';
import { b64, encode, fx, GCI_BODY, json, SERVER_ID, signed, tampered, VALID } from './runner';

const MINUTE = 60_000;

export interface StsCase {
  name: string;
  /** The X-RoleBroker-Identity value (undefined: no header). */
  token: () => Promise<unknown>;
  /** Requests the relay may receive for this case (0: refused before anything is sent). */
  forwarded?: number;
  extraHeaders?: Record<string, string>;
  echo?: () => string[];
}

export const STS_CASES: StsCase[] = [
  {
    name: 'no header, with a valid userArn in the request context',
    token: async () => undefined,
  },
  { name: 'empty header', token: async () => '' },
  { name: 'header that reaches the handler as a number', token: async () => 1234 },
  {
    name: 'token for a non-STS host',
    token: async () => encode(await signed({ origin: fx.outsider.origin })),
  },
  {
    name: 'userinfo trick pointing at a non-STS host',
    token: () =>
      tampered((p) => {
        p.url = `http://${new URL(fx.relay.endpoint).host}@${fx.outsider.host}/`;
      }),
  },
  {
    name: 'backslash trick pointing at a non-STS host',
    token: () =>
      tampered((p) => {
        p.url = `http://${fx.outsider.host}\\@${new URL(fx.relay.endpoint).host}/`;
      }),
  },
  {
    name: 'userinfo on the allowed origin',
    token: () =>
      tampered((p) => {
        p.url = `http://user:pass@${new URL(fx.relay.endpoint).host}/`;
      }),
  },
  { name: 'signed path other than /', token: async () => encode(await signed({ path: '/admin' })) },
  { name: 'signed path //', token: async () => encode(await signed({ path: '//' })) },
  {
    name: 'path with an encoded slash',
    token: () =>
      tampered((p) => {
        p.url = `${fx.relay.endpoint}/%2F`;
      }),
  },
  {
    name: 'identity header that is an array',
    token: async () => [encode(await signed())],
  },
  {
    name: 'identity header that is an object',
    token: async () => ({ token: encode(await signed()) }),
  },
  {
    name: 'duplicated query parameters in the signed URL',
    token: async () =>
      encode(await signed({ query: { Action: ['GetCallerIdentity', 'AssumeRole'] } })),
  },
  {
    name: 'GetCallerIdentity in the signed query string',
    token: async () =>
      encode(await signed({ query: { Action: 'GetCallerIdentity', Version: '2011-06-15' } })),
  },
  {
    name: 'fragment in the URL',
    token: () =>
      tampered((p) => {
        p.url = `${fx.relay.endpoint}/#x`;
      }),
  },
  {
    name: 'URL that is not a URL',
    token: () =>
      tampered((p) => {
        p.url = 'not a url at all';
      }),
  },
  {
    name: 'allowed host over https',
    token: () =>
      tampered((p) => {
        p.url = `https://${new URL(fx.relay.endpoint).host}/`;
      }),
  },
  {
    name: 'signed Action=AssumeRole',
    token: async () =>
      encode(
        await signed({
          body: `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(VALID)}&RoleSessionName=x`,
        }),
      ),
  },
  {
    name: 'signed Action=ListUsers',
    token: async () => encode(await signed({ body: 'Action=ListUsers&Version=2010-05-08' })),
  },
  {
    name: 'duplicated Action in the signed body',
    token: async () => encode(await signed({ body: `${GCI_BODY}&Action=AssumeRole` })),
  },
  {
    name: 'extra parameter in the signed body',
    token: async () => encode(await signed({ body: `${GCI_BODY}&DurationSeconds=43200` })),
  },
  {
    name: 'percent-encoded & smuggling a second action',
    token: async () =>
      encode(
        await signed({ body: 'Action=GetCallerIdentity%26Action%3DAssumeRole&Version=2011-06-15' }),
      ),
  },
  {
    name: 'signed body over 1 KiB',
    token: async () => encode(await signed({ body: `${GCI_BODY}&Pad=${'p'.repeat(1100)}` })),
  },
  {
    name: 'body as JSON instead of a form',
    token: async () =>
      encode(await signed({ body: json({ Action: 'GetCallerIdentity', Version: '2011-06-15' }) })),
  },
  {
    name: 'missing X-RoleBroker-Server-Id',
    token: async () => encode(await signed({ serverId: null })),
  },
  {
    name: 'missing X-RoleBroker-Server-Id, sent as an outer request header instead',
    token: async () => encode(await signed({ serverId: null })),
    extraHeaders: { 'X-RoleBroker-Server-Id': SERVER_ID },
  },
  {
    name: 'X-RoleBroker-Server-Id in another case',
    token: async () => encode(await signed({ serverId: SERVER_ID.toUpperCase() })),
  },
  {
    name: 'X-RoleBroker-Server-Id with a trailing space',
    token: async () =>
      tampered((p) => {
        p.headers['x-rolebroker-server-id'] = `${SERVER_ID} `;
      }),
  },
  {
    name: 'X-RoleBroker-Server-Id sent but not signed',
    token: async () => {
      const p = await signed({ serverId: null });
      p.headers['x-rolebroker-server-id'] = SERVER_ID;
      return encode(p);
    },
  },
  {
    name: 'two X-RoleBroker-Server-Id values',
    token: () =>
      tampered((p) => {
        p.headers['x-rolebroker-server-id'] = [SERVER_ID, 'other-broker'];
      }),
  },
  {
    name: 'X-Amz-Date 6 minutes old',
    token: async () => encode(await signed({ now: new Date(Date.now() - 6 * MINUTE) })),
  },
  {
    name: 'X-Amz-Date 6 minutes in the future',
    token: async () => encode(await signed({ now: new Date(Date.now() + 6 * MINUTE) })),
  },
  {
    name: 'stale token built by createIdentityToken',
    token: () =>
      createIdentityToken({
        credentials: fx.world.callers.demoCaller,
        region: EMULATOR_REGION,
        endpoint: fx.relay.endpoint,
        serverId: SERVER_ID,
        now: new Date(Date.now() - 10 * MINUTE),
      }),
  },
  {
    name: 'X-Amz-Date on February 30',
    token: () =>
      tampered((p) => {
        p.headers['x-amz-date'] = `${new Date().getUTCFullYear()}0230T000000Z`;
      }),
  },
  {
    name: 'X-Amz-Date as ISO 8601 with separators',
    token: () =>
      tampered((p) => {
        p.headers['x-amz-date'] = new Date().toISOString();
      }),
  },
  {
    name: 'header value that is a number',
    token: () =>
      tampered((p) => {
        p.headers['x-amz-date'] = 20260101;
      }),
  },
  {
    name: 'header value that is null',
    token: () =>
      tampered((p) => {
        p.headers['x-amz-date'] = null;
      }),
  },
  {
    name: 'header value that is an object',
    token: () =>
      tampered((p) => {
        p.headers.authorization = { toString: 'AWS4-HMAC-SHA256' };
      }),
  },
  {
    name: 'header value that is an empty array',
    token: () =>
      tampered((p) => {
        p.headers['x-rolebroker-server-id'] = [];
      }),
  },
  {
    name: 'header value that is an array of numbers',
    token: () =>
      tampered((p) => {
        p.headers['x-amz-date'] = [1, 2];
      }),
  },
  {
    name: 'CRLF injection in a header value',
    token: () =>
      tampered((p) => {
        p.headers['content-type'] = 'text/plain\r\nX-Injected: 1';
      }),
  },
  {
    name: 'header name with a colon',
    token: () =>
      tampered((p) => {
        p.headers['x-evil: 1\r\nhost'] = 'x';
      }),
  },
  {
    name: 'same header twice in another case',
    token: () =>
      tampered((p) => {
        p.headers['X-Amz-Date'] = p.headers['x-amz-date'];
      }),
  },
  {
    name: 'more than 20 headers',
    token: () =>
      tampered((p) => {
        for (let i = 0; i < 25; i++) p.headers[`x-pad-${i}`] = 'x';
      }),
  },
  {
    name: 'host header naming another host',
    token: () =>
      tampered((p) => {
        p.headers.host = 'sts.amazonaws.com';
      }),
  },
  {
    name: 'signed for another service',
    token: async () => encode(await signed({ service: 's3' })),
  },
  {
    name: 'missing authorization',
    token: () =>
      tampered((p) => {
        delete p.headers.authorization;
      }),
  },
  {
    name: 'signs a header the broker does not forward',
    token: async () => encode(await signed({ extraHeaders: { 'x-forwarded-for': '10.0.0.1' } })),
  },
  {
    name: 'signed content-type application/json (the emulator fails on it)',
    token: async () =>
      encode(await signed({ extraHeaders: { 'content-type': 'application/json' } })),
  },
  {
    name: 'signed content-type application/x-amz-json-1.1',
    token: async () =>
      encode(await signed({ extraHeaders: { 'content-type': 'application/x-amz-json-1.1' } })),
  },
  {
    name: 'signed content-type text/plain',
    token: async () => encode(await signed({ extraHeaders: { 'content-type': 'text/plain' } })),
  },
  {
    name: 'form content type with a latin1 charset',
    token: async () =>
      encode(
        await signed({
          extraHeaders: { 'content-type': 'application/x-www-form-urlencoded; charset=latin1' },
        }),
      ),
  },
  {
    name: 'signed x-amz-content-sha256 of UNSIGNED-PAYLOAD',
    token: async () =>
      encode(await signed({ extraHeaders: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } })),
  },
  {
    name: 'signed x-amz-content-sha256 of another body',
    token: async () =>
      encode(
        await signed({
          extraHeaders: {
            'x-amz-content-sha256': createHash('sha256').update('Action=AssumeRole').digest('hex'),
          },
        }),
      ),
  },
  ...[
    ['x-amz-target', 'AWSSecurityTokenServiceV20110615.AssumeRole'],
    ['content-encoding', 'gzip'],
    ['x-http-method-override', 'GET'],
    ['accept', 'application/x-amz-json-1.1'],
  ].map(([name, value]) => ({
    name: `signs ${name}, which could change the request's meaning`,
    token: async () =>
      encode(
        await signed({ sdkDefaults: true, extraHeaders: { [name as string]: value as string } }),
      ),
  })),
  {
    // @smithy/signature-v4 never signs transfer-encoding; a hand-made token can claim to.
    name: "signs transfer-encoding, which could change the request's framing",
    token: () =>
      tampered((p) => {
        p.headers['transfer-encoding'] = 'chunked';
        p.headers.authorization = String(p.headers.authorization).replace(
          'SignedHeaders=',
          'SignedHeaders=transfer-encoding;',
        );
      }),
  },
  { name: 'token over 8 KiB', token: async () => 'QUFB'.repeat(2100) },
  {
    name: 'valid token padded past 8 KiB with extra JSON whitespace',
    token: async () => b64(`${JSON.stringify(await signed())}${' '.repeat(8 * 1024)}`),
  },
  { name: 'token that is not base64', token: async () => '%%% not base64 %%%' },
  {
    name: 'base64 token with an embedded newline',
    token: async () => {
      const t = encode(await signed());
      return `${t.slice(0, 40)}\n${t.slice(40)}`;
    },
  },
  { name: 'unpadded base64', token: async () => b64('{"a":1}').replace(/=+$/, '') },
  { name: 'base64 of non-JSON text', token: async () => b64('hello, broker') },
  {
    name: 'base64 of invalid UTF-8',
    token: async () => b64(Buffer.from([0xff, 0xfe, 0x7b, 0x7d])),
  },
  { name: 'base64 of a JSON array', token: async () => encode([await signed()]) },
  { name: 'base64 of JSON null', token: async () => b64('null') },
  { name: 'base64 of a JSON string', token: async () => encode(GCI_BODY) },
  {
    name: 'JSON with an extra field',
    token: () =>
      tampered((p) => {
        p.region = 'us-east-1';
      }),
  },
  {
    name: 'JSON with a __proto__ field',
    token: async () => {
      const text = JSON.stringify(await signed());
      return b64(`${text.slice(0, -1)},"__proto__":{"admin":true}}`);
    },
  },
  {
    name: 'JSON missing the body field',
    token: () =>
      tampered((p) => {
        delete p.body;
      }),
  },
  {
    name: 'method GET',
    token: () =>
      tampered((p) => {
        p.method = 'GET';
      }),
  },
  {
    name: 'method in lower case',
    token: () =>
      tampered((p) => {
        p.method = 'post';
      }),
  },
  {
    name: 'url that is a number',
    token: () =>
      tampered((p) => {
        p.url = 127001;
      }),
  },
  {
    name: 'headers that are an array',
    token: () =>
      tampered((p) => {
        p.headers = Object.values(p.headers) as unknown as Record<string, unknown>;
      }),
  },
  {
    name: 'body that is an object',
    token: () =>
      tampered((p) => {
        p.body = { Action: 'GetCallerIdentity' };
      }),
  },
  {
    name: 'signature STS rejects is forwarded once and refused',
    forwarded: 1,
    token: async () =>
      encode(
        await signed({
          credentials: {
            ...fx.world.callers.demoCaller,
            secretAccessKey: 'not-the-real-secret-key-0000000000000000',
          },
        }),
      ),
  },
  {
    name: 'signed session token that STS does not know is forwarded once and refused',
    forwarded: 1,
    token: async () =>
      encode(
        await signed({
          sdkDefaults: true,
          credentials: { ...fx.world.callers.demoCaller, sessionToken: 'not-a-session-token' },
        }),
      ),
  },
  {
    name: 'signed SDK headers with odd values are forwarded once; the forged key is refused',
    forwarded: 1,
    token: async () =>
      encode(
        await signed({
          sdkDefaults: true,
          credentials: {
            ...fx.world.callers.demoCaller,
            secretAccessKey: 'not-the-real-secret-key-0000000000000000',
          },
          extraHeaders: {
            'amz-sdk-request': 'attempt=999999; max=0',
            'amz-sdk-invocation-id': '../../etc/passwd',
            'x-amz-user-agent': 'x'.repeat(500),
          },
        }),
      ),
  },
  {
    name: 'body changed after signing is forwarded once and refused',
    forwarded: 1,
    token: () =>
      tampered((p) => {
        p.body = 'Version=2011-06-15&Action=GetCallerIdentity';
      }),
  },
];

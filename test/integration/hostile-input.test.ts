/**
 * Hostile input through the real POST /credentials handler, in `iam` and `sts` mode: every
 * refusal must be a 4xx with exactly the contract's error body, the event's request id, JSON
 * content type, no stack trace and no echo of what was sent. In `sts` mode, tokens are signed
 * for a counting relay in front of the emulator, so a test can prove that a token refused
 * locally never left the broker.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIdentityToken } from '../../lib/client/identity-token';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { restEvent } from '../../scripts/events';
import { type FaultProxy, startFaultProxy } from '../../scripts/relay';
import { ARNS, BROKER_ACCOUNT, type SeededWorld, seedDemo } from '../../scripts/seed';
import { type LoadedBroker, loadBroker, restoreEnv } from '../support/broker';
import { lambdaContext } from '../support/events';

const endpoint = inject('motoEndpoint');
const SERVER_ID = 'rolebroker-hostile';
const LIMIT = 16 * 1024;
const VALID = ARNS.localTarget;
const ACCT = BROKER_ACCOUNT;
const GCI_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
const CODES: Record<number, string> = {
  400: 'ValidationError',
  401: 'Unauthenticated',
  403: 'AccessDenied',
  413: 'PayloadTooLarge',
};

// ---------------------------------------------------------------------------------------
// Local servers (127.0.0.1 only)
// ---------------------------------------------------------------------------------------

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

interface CountingServer {
  readonly origin: string;
  readonly host: string;
  readonly count: number;
  answer: Answer;
  close(): Promise<void>;
}

/** A tiny HTTP server on 127.0.0.1 that counts requests and answers with `answer`. */
async function startCountingServer(answer: Answer): Promise<CountingServer> {
  let count = 0;
  const state = { answer };
  const server: Server = createServer((req, res) => {
    count += 1;
    req.resume();
    req.on('end', () => state.answer(req, res));
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    get count() {
      return count;
    },
    get answer() {
      return state.answer;
    },
    set answer(a: Answer) {
      state.answer = a;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const reply =
  (status: number, body: string, headers: Record<string, string> = {}): Answer =>
  (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'text/xml', ...headers });
    res.end(body);
  };

const gciXml = (arn: string) =>
  '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
  `<GetCallerIdentityResult><Arn>${arn}</Arn><UserId>AIDA</UserId><Account>${ACCT}</Account>` +
  '</GetCallerIdentityResult></GetCallerIdentityResponse>';

// ---------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------

let world: SeededWorld;
let iamBroker: LoadedBroker;
let stsBroker: LoadedBroker;
let fakeStsBroker: LoadedBroker;
/** Counting relay in front of the emulator: the STS endpoint most tokens are signed for. */
let relay: FaultProxy;
/** A host that is no STS endpoint; must never be contacted. */
let outsider: CountingServer;
/** Allowlisted for `fakeStsBroker`; answers whatever a test sets. */
let fakeSts: CountingServer;
/** Where fakeSts redirects to; must never be contacted. */
let redirectTarget: CountingServer;

const savedLogLevel = process.env.POWERTOOLS_LOG_LEVEL;

beforeAll(async () => {
  world = await seedDemo(endpoint);
  relay = await startFaultProxy(endpoint);
  outsider = await startCountingServer(reply(200, gciXml(ARNS.demoCaller)));
  redirectTarget = await startCountingServer(reply(200, gciXml(ARNS.demoCaller)));
  fakeSts = await startCountingServer(reply(500, 'unset'));
  const quiet = { POWERTOOLS_LOG_LEVEL: 'SILENT' };
  iamBroker = await loadBroker(world, { ...quiet });
  fakeStsBroker = await loadBroker(world, {
    ...quiet,
    ROLEBROKER_AUTH: 'sts',
    ROLEBROKER_SERVER_ID: SERVER_ID,
    ROLEBROKER_STS_IDENTITY_ENDPOINTS: fakeSts.origin,
  });
  stsBroker = await loadBroker(world, {
    ...quiet,
    ROLEBROKER_AUTH: 'sts',
    ROLEBROKER_SERVER_ID: SERVER_ID,
    ROLEBROKER_STS_IDENTITY_ENDPOINTS: `${endpoint},${relay.endpoint}`,
  });
});

afterAll(async () => {
  restoreEnv();
  if (savedLogLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
  else process.env.POWERTOOLS_LOG_LEVEL = savedLogLevel;
  await Promise.all([relay?.close(), outsider?.close(), redirectTarget?.close(), fakeSts?.close()]);
});

// ---------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------

interface Payload {
  method: unknown;
  url: unknown;
  headers: Record<string, unknown>;
  body: unknown;
  [extra: string]: unknown;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/**
 * A signed request as the client would build it, but with every part adjustable: another
 * body, path, query, date, server id or extra headers, still correctly SigV4-signed.
 */
async function signed(
  options: {
    origin?: string;
    body?: string;
    path?: string;
    query?: Record<string, string | string[]>;
    serverId?: string | null;
    now?: Date;
    extraHeaders?: Record<string, string>;
    credentials?: AwsCredentialIdentity;
    service?: string;
  } = {},
): Promise<Payload> {
  const url = new URL(options.origin ?? relay.endpoint);
  const body = options.body ?? GCI_BODY;
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    ...options.extraHeaders,
  };
  if (options.serverId !== null) headers['x-rolebroker-server-id'] = options.serverId ?? SERVER_ID;
  const signer = new SignatureV4({
    credentials: options.credentials ?? world.callers.demoCaller,
    region: EMULATOR_REGION,
    service: options.service ?? 'sts',
    sha256: Sha256,
    applyChecksum: false,
  });
  const request = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: options.path ?? '/',
      headers,
      query: options.query ?? {},
      body,
    },
    options.now ? { signingDate: options.now } : {},
  );
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(options.query ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) search.append(k, one);
  }
  const qs = search.size ? `?${search}` : '';
  return {
    method: 'POST',
    url: `${url.origin}${options.path ?? '/'}${qs}`,
    headers: { ...request.headers },
    body,
  };
}

/** A well-formed token for the relay, changed by `change` after signing. */
async function tampered(change: (p: Payload) => void): Promise<string> {
  const p = await signed();
  change(p);
  return encode(p);
}

// ---------------------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------------------

let deniedMessage: string | undefined;
const STACK = /\n\s+at\s|\bat\s+\S+\s+\(|\.(?:ts|js|mjs|cjs):\d+|node:internal|node_modules/;

function expectContractError(
  res: APIGatewayProxyResult,
  event: APIGatewayProxyEvent,
  status: number,
  echo: readonly unknown[] = [],
): string {
  const requestId = event.requestContext.requestId;
  expect(res.statusCode, res.body.slice(0, 300)).toBe(status);
  expect(res.statusCode).toBeGreaterThanOrEqual(400);
  expect(res.statusCode).toBeLessThan(500);
  expect(res.headers?.['Content-Type']).toBe('application/json');
  expect(res.body).not.toMatch(STACK);
  const json = JSON.parse(res.body) as { error: Record<string, unknown> };
  expect(Object.keys(json)).toEqual(['error']);
  expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'requestId']);
  expect(json.error).toEqual({
    code: CODES[status],
    message: expect.any(String),
    requestId,
  });
  const message = json.error.message as string;
  // Messages name fields and rules: short printable ASCII, never the caller's bytes.
  expect(message).toMatch(/^[\x20-\x7e]{1,300}$/);
  for (const value of echo) {
    if (typeof value === 'string' && value.length >= 6) {
      expect(message).not.toContain(value);
      expect(res.body).not.toContain(value);
    }
  }
  // 403 says the same thing whether or not the role exists, so the allowlist cannot be probed.
  if (status === 403) {
    deniedMessage ??= message;
    expect(message).toBe(deniedMessage);
  }
  return message;
}

/** Runs an event through the real credentials handler. */
const run = (broker: LoadedBroker, event: APIGatewayProxyEvent) =>
  broker.credentials(event, lambdaContext());

// ---------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------

interface BodyCase {
  name: string;
  /** The event's `body` as API Gateway (or serverless-offline) would pass it. */
  body: unknown;
  base64?: boolean;
  status: 400 | 403 | 413;
  echo?: string[];
  /** Text the message must contain (the rule it names). */
  mentions?: string;
}

const json = (value: unknown) => JSON.stringify(value);
const withArn = (roleArn: unknown, extra: object = {}) => json({ roleArn, ...extra });
const policy = (statement: unknown, extra: object = {}) => ({
  Version: '2012-10-17',
  Statement: statement,
  ...extra,
});
const ALLOW = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
const deepArrays = (depth: number, inner = '') =>
  `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
const deepObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** A JSON body of exactly `bytes` bytes whose roleArn is padded with `fill`. */
const sized = (bytes: number, fill = 'a') => {
  const head = `{"roleArn":"arn:aws:iam::${ACCT}:role/`;
  const tail = '"}';
  const n = bytes - Buffer.byteLength(head + tail);
  const unit = Buffer.byteLength(fill);
  return `${head}${fill.repeat(Math.floor(n / unit))}${'a'.repeat(n % unit)}${tail}`;
};
const EXT = 'attacker-chosen-external-id-31337';

const BODY_CASES: BodyCase[] = [
  // malformed JSON
  { name: 'unterminated object', body: '{', status: 400 },
  { name: 'truncated after a key', body: '{"roleArn":', status: 400 },
  { name: 'unterminated string', body: `{"roleArn":"${VALID}`, status: 400, echo: [VALID] },
  { name: 'single-quoted JSON', body: `{'roleArn':'${VALID}'}`, status: 400, echo: [VALID] },
  { name: 'unquoted key', body: `{roleArn:"${VALID}"}`, status: 400 },
  { name: 'trailing comma', body: `{"roleArn":"${VALID}",}`, status: 400 },
  { name: 'comment inside JSON', body: `{/* hi */"roleArn":"${VALID}"}`, status: 400 },
  { name: 'two concatenated objects', body: `${withArn(VALID)}${withArn(VALID)}`, status: 400 },
  { name: 'trailing garbage', body: `${withArn(VALID)} ;DROP TABLE grants`, status: 400 },
  { name: 'NaN literal', body: `{"roleArn":"${VALID}","durationSeconds":NaN}`, status: 400 },
  { name: 'hex number', body: `{"roleArn":"${VALID}","durationSeconds":0x384}`, status: 400 },
  { name: 'undefined literal', body: 'undefined', status: 400 },
  { name: 'raw control character in a string', body: `{"roleArn":"${VALID}\u0001"}`, status: 400 },
  { name: 'invalid escape', body: '{"roleArn":"\\x41\\x42"}', status: 400 },
  { name: 'whitespace only', body: ' \n\t\r ', status: 400 },
  { name: 'XML body', body: `<?xml version="1.0"?><roleArn>${VALID}</roleArn>`, status: 400 },
  { name: 'form-urlencoded body', body: `roleArn=${encodeURIComponent(VALID)}`, status: 400 },
  { name: 'JSON hijacking prefix', body: `)]}',\n${withArn(VALID)}`, status: 400 },
  {
    name: 'duplicate key whose last value is a wildcard ARN',
    body: `{"roleArn":"${VALID}","roleArn":"arn:aws:iam::*:role/*"}`,
    status: 400,
  },
  // not an object
  { name: 'empty body', body: '', status: 400 },
  { name: 'null body', body: null, status: 400 },
  { name: 'body already parsed into an object', body: { roleArn: VALID }, status: 400 },
  { name: 'body "null"', body: 'null', status: 400 },
  { name: 'body "[]"', body: '[]', status: 400 },
  { name: 'body "1"', body: '1', status: 400 },
  { name: 'body "\\"s\\""', body: '"s"', status: 400 },
  { name: 'body "true"', body: 'true', status: 400 },
  { name: 'body "{}"', body: '{}', status: 400 },
  { name: 'array wrapping a valid request', body: `[${withArn(VALID)}]`, status: 400 },
  // deep nesting
  { name: 'arrays 8000 deep at top level', body: deepArrays(8000), status: 400 },
  { name: 'objects 2700 deep at top level', body: deepObjects(2700), status: 400 },
  {
    name: 'arrays 7000 deep in sessionPolicy.Statement',
    body: `{"roleArn":"${VALID}","sessionPolicy":{"Version":"2012-10-17","Statement":${deepArrays(7000)}}}`,
    status: 400,
  },
  {
    name: 'objects 2500 deep inside a session policy statement',
    body: `{"roleArn":"${VALID}","sessionPolicy":{"Version":"2012-10-17","Statement":[${deepObjects(2500)}]}}`,
    status: 400,
  },
  {
    name: 'arrays 7000 deep as the sessionPolicy itself',
    body: `{"roleArn":"${VALID}","sessionPolicy":${deepArrays(7000)}}`,
    status: 400,
  },
  { name: 'arrays 7000 deep as roleArn', body: `{"roleArn":${deepArrays(7000)}}`, status: 400 },
  { name: 'arrays 200000 deep (over 16 KiB)', body: deepArrays(200_000), status: 413 },
  {
    name: 'objects 5000 deep in sessionPolicy (over 16 KiB)',
    body: `{"roleArn":"${VALID}","sessionPolicy":{"Version":"2012-10-17","Statement":[${deepObjects(5000)}]}}`,
    status: 413,
  },
  // sizes
  { name: 'body of exactly 16 KiB with a huge roleArn', body: sized(LIMIT), status: 400 },
  { name: 'body of 16 KiB + 1 byte', body: sized(LIMIT + 1), status: 413, mentions: '16384' },
  {
    name: 'under 16 Ki characters but over 16 KiB as UTF-8',
    body: sized(LIMIT + 2, 'é'),
    status: 413,
  },
  {
    name: 'a valid request padded with whitespace past 16 KiB',
    body: `${withArn(VALID)}${' '.repeat(LIMIT)}`,
    status: 413,
  },
  { name: '1 MiB body', body: sized(1024 * 1024), status: 413 },
  {
    name: 'huge grant name',
    body: withArn(VALID, { grant: 'g'.repeat(10_000) }),
    status: 400,
    echo: ['g'.repeat(200)],
  },
  {
    name: 'role name of 65 characters',
    body: withArn(`arn:aws:iam::${ACCT}:role/${'n'.repeat(65)}`),
    status: 400,
    echo: ['n'.repeat(65)],
  },
  {
    name: 'ARN over 2048 characters (long path)',
    body: withArn(`arn:aws:iam::${ACCT}:role/${'p/'.repeat(1100)}x`),
    status: 400,
  },
  // base64 bodies
  {
    name: 'base64 body over 16 KiB decoded',
    body: b64(sized(LIMIT + 1)),
    base64: true,
    status: 413,
  },
  {
    name: 'base64 body over 16 KiB encoded but under decoded',
    body: b64(sized(LIMIT - 400)),
    base64: true,
    status: 400,
  },
  { name: 'base64 garbage', body: '!!!!****$$$$', base64: true, status: 400 },
  {
    name: 'base64 of random bytes',
    body: b64(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff])),
    base64: true,
    status: 400,
  },
  { name: 'plain JSON flagged as base64', body: withArn(VALID), base64: true, status: 400 },
  { name: 'base64 of "null"', body: b64('null'), base64: true, status: 400 },
  {
    name: 'base64 of UTF-16LE JSON with BOM',
    body: Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(withArn(VALID), 'utf16le'),
    ]).toString('base64'),
    base64: true,
    status: 400,
  },
  // non-UTF-8 bytes
  {
    name: 'overlong UTF-8 slash in roleArn',
    body: Buffer.concat([
      Buffer.from(`{"roleArn":"arn:aws:iam::${ACCT}:role`),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('x"}'),
    ]).toString('base64'),
    base64: true,
    status: 400,
  },
  {
    name: 'UTF-8-encoded surrogate (CESU) in roleArn',
    body: Buffer.concat([
      Buffer.from(`{"roleArn":"${VALID}`),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}'),
    ]).toString('base64'),
    base64: true,
    status: 400,
  },
  {
    name: 'truncated multi-byte sequence',
    body: Buffer.concat([Buffer.from(withArn(VALID)), Buffer.from([0xe2, 0x82])]).toString(
      'base64',
    ),
    base64: true,
    status: 400,
  },
  {
    name: 'Latin-1 byte in a string',
    body: Buffer.concat([
      Buffer.from(`{"roleArn":"${VALID}`),
      Buffer.from([0xe9]),
      Buffer.from('"}'),
    ]).toString('base64'),
    base64: true,
    status: 400,
  },
  { name: 'lone surrogate in the event string', body: `{"roleArn":"${VALID}\ud800"}`, status: 400 },
  { name: 'escaped lone surrogate in roleArn', body: `{"roleArn":"${VALID}\\ud800"}`, status: 400 },
  // wrong types
  { name: 'roleArn number', body: json({ roleArn: 1 }), status: 400 },
  { name: 'roleArn true', body: json({ roleArn: true }), status: 400 },
  { name: 'roleArn null', body: json({ roleArn: null }), status: 400 },
  { name: 'roleArn empty string', body: json({ roleArn: '' }), status: 400 },
  { name: 'roleArn array of a valid ARN', body: json({ roleArn: [VALID] }), status: 400 },
  { name: 'roleArn object', body: json({ roleArn: { arn: VALID } }), status: 400 },
  { name: 'grant number', body: withArn(VALID, { grant: 7 }), status: 400 },
  { name: 'grant null', body: withArn(VALID, { grant: null }), status: 400 },
  { name: 'grant array', body: withArn(VALID, { grant: ['local-reader'] }), status: 400 },
  { name: 'grant object', body: withArn(VALID, { grant: {} }), status: 400 },
  {
    name: 'grant with path traversal',
    body: withArn(VALID, { grant: '../audit-readonly' }),
    status: 400,
    echo: ['../audit-readonly'],
  },
  { name: 'durationSeconds string', body: withArn(VALID, { durationSeconds: '900' }), status: 400 },
  {
    name: 'durationSeconds fraction',
    body: withArn(VALID, { durationSeconds: 900.5 }),
    status: 400,
  },
  { name: 'durationSeconds null', body: withArn(VALID, { durationSeconds: null }), status: 400 },
  { name: 'durationSeconds boolean', body: withArn(VALID, { durationSeconds: true }), status: 400 },
  { name: 'durationSeconds array', body: withArn(VALID, { durationSeconds: [900] }), status: 400 },
  {
    name: 'durationSeconds 1e400 (Infinity)',
    body: `{"roleArn":"${VALID}","durationSeconds":1e400}`,
    status: 400,
  },
  {
    name: 'durationSeconds negative',
    body: withArn(VALID, { durationSeconds: -900 }),
    status: 400,
  },
  {
    name: 'durationSeconds 2^53+1',
    body: `{"roleArn":"${VALID}","durationSeconds":9007199254740993}`,
    status: 400,
  },
  {
    name: 'sessionPolicy as a JSON string',
    body: withArn(VALID, { sessionPolicy: json(policy([ALLOW])) }),
    status: 400,
  },
  {
    name: 'sessionPolicy array',
    body: withArn(VALID, { sessionPolicy: [policy([ALLOW])] }),
    status: 400,
  },
  { name: 'sessionPolicy null', body: withArn(VALID, { sessionPolicy: null }), status: 400 },
  { name: 'sessionPolicy number', body: withArn(VALID, { sessionPolicy: 1 }), status: 400 },
  {
    name: 'sessionPolicy Statement string',
    body: withArn(VALID, { sessionPolicy: policy('*') }),
    status: 400,
  },
  {
    name: 'sessionPolicy Statement of numbers',
    body: withArn(VALID, { sessionPolicy: policy([1, 2]) }),
    status: 400,
  },
  {
    name: 'sessionPolicy empty Statement',
    body: withArn(VALID, { sessionPolicy: policy([]) }),
    status: 400,
  },
  {
    name: 'sessionPolicy wrong Version',
    body: withArn(VALID, { sessionPolicy: { ...policy([ALLOW]), Version: '2008-10-17' } }),
    status: 400,
  },
  // unknown fields
  {
    name: 'unknown field externalId',
    body: withArn(VALID, { externalId: EXT }),
    status: 400,
    echo: [EXT],
    mentions: 'unknown field',
  },
  {
    name: 'unknown field whose name is markup, an RTL override and 2000 characters',
    body: `{"roleArn":"${VALID}","\u202e<script>alert(1)</script>${'k'.repeat(2000)}":1}`,
    status: 400,
    echo: ['<script>', '\u202e', 'kkkkkkkkkk'],
    mentions: 'unknown field 1 not shown',
  },
  {
    name: 'unknown field __proto__',
    body: `{"roleArn":"${VALID}","__proto__":{"externalId":"${EXT}","isAdmin":true}}`,
    status: 400,
    echo: [EXT],
  },
  {
    name: 'unknown field constructor',
    body: `{"roleArn":"${VALID}","constructor":{"prototype":{"externalId":"${EXT}"}}}`,
    status: 400,
    echo: [EXT],
  },
  {
    name: 'unknown field prototype',
    body: withArn(VALID, { prototype: { polluted: EXT } }),
    status: 400,
    echo: [EXT],
  },
  {
    name: 'unknown field toString',
    body: withArn(VALID, { toString: EXT }),
    status: 400,
    echo: [EXT],
  },
  {
    name: 'unknown field sourceIdentity',
    body: withArn(VALID, { sourceIdentity: 'admin-mallory' }),
    status: 400,
    echo: ['admin-mallory'],
  },
  {
    name: 'unknown field roleSessionName',
    body: withArn(VALID, { roleSessionName: 'admin-mallory' }),
    status: 400,
    echo: ['admin-mallory'],
  },
  { name: 'unknown field principals', body: withArn(VALID, { principals: ['*'] }), status: 400 },
  {
    name: 'unknown field sessionPolicyArns',
    body: withArn(VALID, { sessionPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }),
    status: 400,
    echo: ['AdministratorAccess'],
  },
  {
    name: 'case-variant field RoleArn',
    body: json({ RoleArn: VALID }),
    status: 400,
    echo: [VALID],
  },
  // unicode and control characters in ARNs
  { name: 'NUL at the end of roleArn', body: withArn(`${VALID}\u0000`), status: 400 },
  {
    name: 'NUL inside roleArn',
    body: withArn(`arn:aws:iam::${ACCT}:role/rolebroker\u0000-local-reader`),
    status: 400,
  },
  { name: 'trailing newline in roleArn', body: withArn(`${VALID}\n`), status: 400 },
  {
    name: 'CRLF header injection in roleArn',
    body: withArn(`${VALID}\r\nX-Injected: 1`),
    status: 400,
    echo: ['X-Injected'],
  },
  {
    name: 'tab in roleArn',
    body: withArn(`arn:aws:iam::${ACCT}:role/\trolebroker-local-reader`),
    status: 400,
  },
  {
    name: 'RTL override in roleArn',
    body: withArn(`arn:aws:iam::${ACCT}:role/\u202eredaer-lacol-rekorbelor`),
    status: 400,
  },
  {
    name: 'zero-width space in roleArn',
    body: withArn(`arn:aws:iam::${ACCT}:role/rolebroker\u200b-local-reader`),
    status: 400,
  },
  { name: 'BOM before roleArn', body: withArn(`\ufeff${VALID}`), status: 400 },
  {
    name: 'Cyrillic homoglyph in "arn"',
    body: withArn(VALID.replace('arn', '\u0430rn')),
    status: 400,
  },
  {
    name: 'Cyrillic homoglyph in the role name',
    body: withArn(VALID.replace('rolebroker', 'r\u043elebroker')),
    status: 400,
  },
  {
    name: 'fullwidth colon in roleArn',
    body: withArn(VALID.replace('iam:', 'iam\uff1a')),
    status: 400,
  },
  {
    name: 'fullwidth digits in the account',
    body: withArn(`arn:aws:iam::\uff11${ACCT.slice(1)}:role/rolebroker-local-reader`),
    status: 400,
  },
  { name: 'combining character in the role name', body: withArn(`${VALID}e\u0301`), status: 400 },
  { name: 'leading space in roleArn', body: withArn(` ${VALID}`), status: 400 },
  { name: 'trailing space in roleArn', body: withArn(`${VALID} `), status: 400 },
  // trailing junk and malformed ARNs
  { name: 'roleArn with an extra :segment', body: withArn(`${VALID}:junk`), status: 400 },
  { name: 'roleArn with a trailing slash', body: withArn(`${VALID}/`), status: 400 },
  { name: 'roleArn with a query string', body: withArn(`${VALID}?x=1`), status: 400 },
  { name: 'roleArn with a fragment', body: withArn(`${VALID}#frag`), status: 400 },
  {
    name: 'roleArn with a shell suffix',
    body: withArn(`${VALID};rm -rf /`),
    status: 400,
    echo: ['rm -rf'],
  },
  { name: 'roleArn with percent-encoded NUL', body: withArn(`${VALID}%00`), status: 400 },
  {
    name: 'roleArn with an empty path segment',
    body: withArn(`arn:aws:iam::${ACCT}:role//rolebroker-local-reader`),
    status: 400,
  },
  { name: 'upper-case ARN prefix', body: withArn(VALID.replace('arn:', 'ARN:')), status: 400 },
  {
    name: 'unknown partition aws-iso',
    body: withArn(VALID.replace(':aws:', ':aws-iso:')),
    status: 400,
  },
  {
    name: 'roleArn with a region',
    body: withArn(VALID.replace('iam::', 'iam:us-east-1:')),
    status: 400,
  },
  { name: '13-digit account', body: withArn(VALID.replace(ACCT, `${ACCT}1`)), status: 400 },
  { name: 'user ARN instead of a role', body: withArn(ARNS.demoCaller), status: 400 },
  {
    name: 'assumed-role ARN instead of a role',
    body: withArn(`arn:aws:sts::${ACCT}:assumed-role/rolebroker-local-reader/s`),
    status: 400,
  },
  {
    name: 'account root instead of a role',
    body: withArn(`arn:aws:iam::${ACCT}:root`),
    status: 400,
  },
  // wildcard-looking role ARNs
  { name: 'role/*', body: withArn(`arn:aws:iam::${ACCT}:role/*`), status: 400 },
  { name: 'role/?x', body: withArn(`arn:aws:iam::${ACCT}:role/?x`), status: 400 },
  {
    name: 'account wildcard arn:aws:iam::*:role/x',
    body: withArn('arn:aws:iam::*:role/x'),
    status: 400,
  },
  {
    name: 'prefix wildcard role/rolebroker-*',
    body: withArn(`arn:aws:iam::${ACCT}:role/rolebroker-*`),
    status: 400,
  },
  {
    name: 'wildcard in the path role/*/x',
    body: withArn(`arn:aws:iam::${ACCT}:role/*/rolebroker-local-reader`),
    status: 400,
  },
  {
    name: 'partition wildcard',
    body: withArn(`arn:*:iam::${ACCT}:role/rolebroker-local-reader`),
    status: 400,
  },
  { name: 'bare *', body: withArn('*'), status: 400 },
  // well-formed ARNs that no grant names: 403, one message for all
  {
    name: 'granted role in the aws-cn partition',
    body: withArn(VALID.replace(':aws:', ':aws-cn:')),
    status: 403,
  },
  {
    name: 'granted role in the aws-us-gov partition',
    body: withArn(VALID.replace(':aws:', ':aws-us-gov:')),
    status: 403,
  },
  {
    name: 'granted role name with a path',
    body: withArn(`arn:aws:iam::${ACCT}:role/rolebroker/rolebroker-local-reader`),
    status: 403,
  },
  {
    name: 'granted role behind a ../ path',
    body: withArn(`arn:aws:iam::${ACCT}:role/../rolebroker-local-reader`),
    status: 403,
  },
  {
    name: 'granted role name in upper case',
    body: withArn(
      VALID.toUpperCase().replace('ARN:AWS:IAM', 'arn:aws:iam').replace('ROLE/', 'role/'),
    ),
    status: 403,
  },
  { name: 'unknown role', body: withArn(`arn:aws:iam::${ACCT}:role/does-not-exist`), status: 403 },
  {
    name: 'a grant for another role named explicitly',
    body: withArn(VALID, { grant: 'audit-readonly' }),
    status: 403,
  },
  // session policies
  {
    name: 'session policy over the 2048-character STS limit',
    body: withArn(VALID, {
      sessionPolicy: policy([{ ...ALLOW, Resource: `arn:aws:s3:::${'b'.repeat(2100)}/*` }]),
    }),
    status: 400,
    echo: ['b'.repeat(100)],
  },
  {
    name: 'session policy of 200 small statements',
    body: withArn(VALID, { sessionPolicy: policy(Array.from({ length: 200 }, () => ALLOW)) }),
    status: 400,
  },
  {
    name: 'session policy over 16 KiB',
    body: withArn(VALID, { sessionPolicy: policy([{ ...ALLOW, Resource: 'r'.repeat(LIMIT) }]) }),
    status: 413,
  },
  {
    name: 'caller session policy on a grant with sessionPolicyArns (widening)',
    body: json({
      roleArn: ARNS.auditTarget,
      sessionPolicy: policy([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
    }),
    status: 400,
    mentions: 'sessionPolicy',
  },
  {
    name: 'durationSeconds above the grant maximum',
    body: json({ roleArn: ARNS.auditTarget, durationSeconds: 3600 }),
    status: 400,
    mentions: '1800',
  },
];

function bodyEvent(c: BodyCase, userArn: string | null, headers: Record<string, string> = {}) {
  const event = restEvent({ body: null, userArn, headers });
  event.body = c.body as string | null;
  event.isBase64Encoded = c.base64 === true;
  return event;
}

/** The raw body, and the roleArn/grant it carried when it was JSON, must never come back. */
function echoesOf(c: BodyCase): string[] {
  const out = [...(c.echo ?? [])];
  if (typeof c.body === 'string' && c.body.length >= 8) out.push(c.body);
  try {
    const parsed = JSON.parse(typeof c.body === 'string' ? c.body : '') as Record<string, unknown>;
    for (const k of ['roleArn', 'grant']) {
      if (typeof parsed?.[k] === 'string') out.push(parsed[k] as string);
    }
  } catch {
    // not JSON: nothing more to collect
  }
  return out;
}

describe('hostile bodies, iam mode', () => {
  it.each(BODY_CASES)('$name → $status', async (c) => {
    const event = bodyEvent(c, ARNS.demoCaller);
    const message = expectContractError(await run(iamBroker, event), event, c.status, echoesOf(c));
    if (c.mentions) expect(message).toContain(c.mentions);
  });
});

describe('hostile bodies, sts mode with a valid identity token', () => {
  it.each(BODY_CASES)('$name → $status', async (c) => {
    const token = await createIdentityToken({
      credentials: world.callers.demoCaller,
      region: EMULATOR_REGION,
      endpoint: relay.endpoint,
      serverId: SERVER_ID,
    });
    const event = bodyEvent(c, 'offlineContext_userArn', { 'X-RoleBroker-Identity': token });
    const message = expectContractError(await run(stsBroker, event), event, c.status, echoesOf(c));
    if (c.mentions) expect(message).toContain(c.mentions);
  });
});

// ---------------------------------------------------------------------------------------
// iam mode: the caller ARN in the request context
// ---------------------------------------------------------------------------------------

interface IamCase {
  name: string;
  userArn: unknown;
  status?: 401 | 403;
  /** Adjust the event further (identity missing, authorizer filled in, ...). */
  tweak?: (event: APIGatewayProxyEvent) => void | Promise<void>;
}

const demo = ARNS.demoCaller;
const IAM_CASES: IamCase[] = [
  { name: 'null userArn', userArn: null },
  {
    name: 'identity without a userArn key',
    userArn: null,
    tweak: (e) => {
      delete (e.requestContext.identity as { userArn?: unknown }).userArn;
    },
  },
  {
    name: 'no identity and no authorizer',
    userArn: null,
    tweak: (e) => {
      delete (e.requestContext as { identity?: unknown }).identity;
    },
  },
  {
    name: 'null identity userArn with a caller-fillable authorizer.iam.userArn',
    userArn: null,
    tweak: (e) => {
      (e.requestContext as { authorizer: unknown }).authorizer = { iam: { userArn: demo } };
    },
  },
  {
    name: 'a valid X-RoleBroker-Identity header does not count in iam mode',
    userArn: null,
    tweak: async (e) => {
      e.headers['X-RoleBroker-Identity'] = encode(await signed());
    },
  },
  { name: 'serverless-offline placeholder', userArn: 'offlineContext_userArn' },
  { name: 'empty string', userArn: '' },
  { name: 'bare *', userArn: '*' },
  { name: 'user/* wildcard', userArn: `arn:aws:iam::${ACCT}:user/*` },
  { name: 'account wildcard', userArn: 'arn:aws:iam::*:user/demo-caller' },
  { name: 'assumed-role/*/* wildcard', userArn: `arn:aws:sts::${ACCT}:assumed-role/*/*` },
  { name: '? wildcard in the user name', userArn: `arn:aws:iam::${ACCT}:user/demo-?aller` },
  { name: 'trailing newline', userArn: `${demo}\n` },
  { name: 'trailing NUL', userArn: `${demo}\u0000` },
  { name: 'Cyrillic homoglyph', userArn: demo.replace('demo', 'dem\u043e') },
  { name: 'fullwidth colon', userArn: demo.replace('iam:', 'iam\uff1a') },
  { name: 'RTL override', userArn: `arn:aws:iam::${ACCT}:user/\u202erellac-omed` },
  { name: 'trailing junk', userArn: `${demo}:junk` },
  { name: 'group ARN', userArn: `arn:aws:iam::${ACCT}:group/admins` },
  { name: 'role ARN without a name', userArn: `arn:aws:iam::${ACCT}:role/` },
  { name: 'one-character session name', userArn: `arn:aws:sts::${ACCT}:assumed-role/demo/x` },
  { name: 'number', userArn: 111111111111 },
  { name: 'object', userArn: { arn: demo } },
  { name: 'array', userArn: [demo] },
  {
    name: 'granted user ARN in the aws-cn partition',
    userArn: demo.replace(':aws:', ':aws-cn:'),
    status: 403,
  },
  {
    name: 'granted user ARN in the aws-us-gov partition',
    userArn: demo.replace(':aws:', ':aws-us-gov:'),
    status: 403,
  },
];

describe('iam mode: hostile caller identities', () => {
  it.each(IAM_CASES)('$name', async (c) => {
    const event = restEvent({ body: { roleArn: VALID }, userArn: null });
    (event.requestContext.identity as { userArn: unknown }).userArn = c.userArn;
    await c.tweak?.(event);
    const echo = typeof c.userArn === 'string' ? [c.userArn] : [];
    expectContractError(await run(iamBroker, event), event, c.status ?? 401, echo);
  });
});

// ---------------------------------------------------------------------------------------
// sts mode: hostile identity tokens
// ---------------------------------------------------------------------------------------

const MINUTE = 60_000;

interface StsCase {
  name: string;
  /** The X-RoleBroker-Identity value (undefined: no header). */
  token: () => Promise<unknown>;
  /** Requests the relay may receive for this case (0: refused before anything is sent). */
  forwarded?: number;
  extraHeaders?: Record<string, string>;
  echo?: () => string[];
}

const STS_CASES: StsCase[] = [
  {
    name: 'no header, with a valid userArn in the request context',
    token: async () => undefined,
  },
  { name: 'empty header', token: async () => '' },
  { name: 'header that reaches the handler as a number', token: async () => 1234 },
  {
    name: 'token for a non-STS host',
    token: async () => encode(await signed({ origin: outsider.origin })),
  },
  {
    name: 'userinfo trick pointing at a non-STS host',
    token: () =>
      tampered((p) => {
        p.url = `http://${new URL(relay.endpoint).host}@${outsider.host}/`;
      }),
  },
  {
    name: 'backslash trick pointing at a non-STS host',
    token: () =>
      tampered((p) => {
        p.url = `http://${outsider.host}\\@${new URL(relay.endpoint).host}/`;
      }),
  },
  {
    name: 'userinfo on the allowed origin',
    token: () =>
      tampered((p) => {
        p.url = `http://user:pass@${new URL(relay.endpoint).host}/`;
      }),
  },
  { name: 'signed path other than /', token: async () => encode(await signed({ path: '/admin' })) },
  { name: 'signed path //', token: async () => encode(await signed({ path: '//' })) },
  {
    name: 'path with an encoded slash',
    token: () =>
      tampered((p) => {
        p.url = `${relay.endpoint}/%2F`;
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
        p.url = `${relay.endpoint}/#x`;
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
        p.url = `https://${new URL(relay.endpoint).host}/`;
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
        credentials: world.callers.demoCaller,
        region: EMULATOR_REGION,
        endpoint: relay.endpoint,
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
            ...world.callers.demoCaller,
            secretAccessKey: 'not-the-real-secret-key-0000000000000000',
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

describe('sts mode: hostile identity tokens', () => {
  it.each(STS_CASES)('$name', async (c) => {
    const token = await c.token();
    const headers: Record<string, string> = { ...c.extraHeaders };
    if (token !== undefined) headers['X-RoleBroker-Identity'] = token as string;
    const event = restEvent({ body: { roleArn: VALID }, userArn: demo, headers });
    const relayBefore = relay.count;
    const outsiderBefore = outsider.count;
    const res = await run(stsBroker, event);
    expectContractError(res, event, 401, typeof token === 'string' ? [token] : []);
    expect(relay.count - relayBefore).toBe(c.forwarded ?? 0);
    expect(outsider.count - outsiderBefore).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------
// sts mode: an allowlisted endpoint that answers badly (redirects, junk)
// ---------------------------------------------------------------------------------------

interface FakeStsCase {
  name: string;
  answer: () => Answer;
}

const FAKE_STS_CASES: FakeStsCase[] = [
  {
    name: '302 redirect to another server is not followed',
    answer: () => reply(302, '', { Location: `${redirectTarget.origin}/` }),
  },
  {
    name: '307 redirect to another server is not followed',
    answer: () => reply(307, '', { Location: `${redirectTarget.origin}/` }),
  },
  {
    name: '200 with a wildcard caller ARN',
    answer: () => reply(200, gciXml(`arn:aws:iam::${ACCT}:user/*`)),
  },
  {
    name: '200 with two Arn elements',
    answer: () =>
      reply(
        200,
        gciXml(ARNS.demoCaller).replace('</Arn>', `</Arn><Arn>${ARNS.demoOutsider}</Arn>`),
      ),
  },
  {
    name: '200 with a caller ARN containing a newline',
    answer: () => reply(200, gciXml(`${ARNS.demoCaller}\n`)),
  },
  {
    name: '200 with an answer over 64 KiB',
    answer: () => reply(200, `${gciXml(ARNS.demoCaller)}${' '.repeat(70 * 1024)}`),
  },
  {
    name: '200 JSON content type with an unparsable body',
    answer: () =>
      reply(200, `{"GetCallerIdentityResponse":`, { 'Content-Type': 'application/json' }),
  },
  {
    name: '200 without a GetCallerIdentityResponse',
    answer: () =>
      reply(200, `<AssumeRoleResponse><Arn>${ARNS.demoCaller}</Arn></AssumeRoleResponse>`),
  },
  {
    name: '403 from the endpoint',
    answer: () =>
      reply(403, '<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>'),
  },
];

describe('sts mode: an allowlisted endpoint that answers badly', () => {
  it.each(FAKE_STS_CASES)('$name', async (c) => {
    fakeSts.answer = c.answer();
    const token = await createIdentityToken({
      credentials: world.callers.demoCaller,
      region: EMULATOR_REGION,
      endpoint: fakeSts.origin,
      serverId: SERVER_ID,
    });
    const event = restEvent({
      body: { roleArn: VALID },
      userArn: demo,
      headers: { 'X-RoleBroker-Identity': token },
    });
    const fakeBefore = fakeSts.count;
    const targetBefore = redirectTarget.count;
    const res = await run(fakeStsBroker, event);
    expectContractError(res, event, 401, [token]);
    expect(fakeSts.count - fakeBefore).toBe(1);
    expect(redirectTarget.count - targetBefore).toBe(0);
  });
});

describe('sanity: the fixtures accept a well-formed request', () => {
  it('the relay path issues credentials for a valid token', async () => {
    const event = restEvent({
      body: { roleArn: VALID },
      userArn: 'offlineContext_userArn',
      headers: { 'X-RoleBroker-Identity': encode(await signed()) },
    });
    const before = relay.count;
    const res = await run(stsBroker, event);
    expect(res.statusCode, res.body).toBe(200);
    expect(relay.count - before).toBe(1);
  });

  it('the iam broker issues credentials for the demo caller', async () => {
    const event = restEvent({ body: { roleArn: VALID }, userArn: demo });
    expect((await run(iamBroker, event)).statusCode).toBe(200);
  });
});

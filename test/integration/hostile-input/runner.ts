/**
 * The hostile-input fixture and helpers: local HTTP servers (127.0.0.1 only), the brokers
 * under test, signed identity tokens with every part adjustable, and the contract-error
 * assertion every refusal must pass. The case tables are in ./*.cases.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { expect, inject } from 'vitest';
import { EMULATOR_REGION } from '../../../scripts/emulator';
import { restEvent } from '../../../scripts/events';
import { type FaultProxy, startFaultProxy } from '../../../scripts/relay';
import { ARNS, BROKER_ACCOUNT, type SeededWorld, seedDemo } from '../../../scripts/seed';
import { type LoadedBroker, loadBroker, restoreEnv } from '../../support/broker';
import { lambdaContext } from '../../support/events';
import type { BodyCase } from './bodies.cases';
import { WINDOW_PARAMETERS } from './windows.cases';

const endpoint = inject('motoEndpoint');
export const SERVER_ID = 'rolebroker-hostile';
export const LIMIT = 16 * 1024;
export const VALID = ARNS.localTarget;
export const ACCT = BROKER_ACCOUNT;
export const GCI_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
export const demo = ARNS.demoCaller;
const CODES: Record<number, string> = {
  400: 'ValidationError',
  401: 'Unauthenticated',
  403: 'AccessDenied',
  413: 'PayloadTooLarge',
};

// ---------------------------------------------------------------------------------------
// Local servers (127.0.0.1 only)
// ---------------------------------------------------------------------------------------

export type Answer = (req: IncomingMessage, res: ServerResponse) => void;

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

export const reply =
  (status: number, body: string, headers: Record<string, string> = {}): Answer =>
  (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'text/xml', ...headers });
    res.end(body);
  };

export const gciXml = (arn: string) =>
  '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
  `<GetCallerIdentityResult><Arn>${arn}</Arn><UserId>AIDA</UserId><Account>${ACCT}</Account>` +
  '</GetCallerIdentityResult></GetCallerIdentityResponse>';

// ---------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------

export interface Fixture {
  world: SeededWorld;
  iamBroker: LoadedBroker;
  stsBroker: LoadedBroker;
  fakeStsBroker: LoadedBroker;
  /** Counting relay in front of the emulator: the STS endpoint most tokens are signed for. */
  relay: FaultProxy;
  /** A host that is no STS endpoint; must never be contacted. */
  outsider: CountingServer;
  /** Allowlisted for `fakeStsBroker`; answers whatever a test sets. */
  fakeSts: CountingServer;
  /** Where fakeSts redirects to; must never be contacted. */
  redirectTarget: CountingServer;
}

/** Filled in by startFixture (beforeAll): read it only inside tests and case callbacks. */
export const fx = {} as Fixture;

const savedLogLevel = process.env.POWERTOOLS_LOG_LEVEL;

/** Seeds moto, starts the local servers and loads the three brokers (beforeAll). */
export async function startFixture() {
  fx.world = await seedDemo(endpoint, { extraParameters: WINDOW_PARAMETERS });
  fx.relay = await startFaultProxy(endpoint);
  fx.outsider = await startCountingServer(reply(200, gciXml(ARNS.demoCaller)));
  fx.redirectTarget = await startCountingServer(reply(200, gciXml(ARNS.demoCaller)));
  fx.fakeSts = await startCountingServer(reply(500, 'unset'));
  const quiet = { POWERTOOLS_LOG_LEVEL: 'SILENT' };
  fx.iamBroker = await loadBroker(fx.world, { ...quiet });
  fx.fakeStsBroker = await loadBroker(fx.world, {
    ...quiet,
    ROLEBROKER_AUTH: 'sts',
    ROLEBROKER_SERVER_ID: SERVER_ID,
    ROLEBROKER_STS_IDENTITY_ENDPOINTS: fx.fakeSts.origin,
  });
  fx.stsBroker = await loadBroker(fx.world, {
    ...quiet,
    ROLEBROKER_AUTH: 'sts',
    ROLEBROKER_SERVER_ID: SERVER_ID,
    ROLEBROKER_STS_IDENTITY_ENDPOINTS: `${endpoint},${fx.relay.endpoint}`,
  });
}

/** Puts the environment back and closes what startFixture started (afterAll). */
export async function stopFixture() {
  restoreEnv();
  if (savedLogLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
  else process.env.POWERTOOLS_LOG_LEVEL = savedLogLevel;
  await Promise.all([
    fx.relay?.close(),
    fx.outsider?.close(),
    fx.redirectTarget?.close(),
    fx.fakeSts?.close(),
  ]);
}

// ---------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------

export interface Payload {
  method: unknown;
  url: unknown;
  headers: Record<string, unknown>;
  body: unknown;
  [extra: string]: unknown;
}

export const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
export const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/**
 * A signed request as the client would build it, but with every part adjustable: another
 * body, path, query, date, server id or extra headers, still correctly SigV4-signed.
 */
export async function signed(
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
    /** Sign with @smithy/signature-v4's defaults (x-amz-content-sha256 signed in). */
    sdkDefaults?: boolean;
  } = {},
): Promise<Payload> {
  const url = new URL(options.origin ?? fx.relay.endpoint);
  const body = options.body ?? GCI_BODY;
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    ...options.extraHeaders,
  };
  if (options.serverId !== null) headers['x-rolebroker-server-id'] = options.serverId ?? SERVER_ID;
  const signer = new SignatureV4({
    credentials: options.credentials ?? fx.world.callers.demoCaller,
    region: EMULATOR_REGION,
    service: options.service ?? 'sts',
    sha256: Sha256,
    ...(options.sdkDefaults ? {} : { applyChecksum: false }),
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
export async function tampered(change: (p: Payload) => void): Promise<string> {
  const p = await signed();
  change(p);
  return encode(p);
}
// ---------------------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------------------

let deniedMessage: string | undefined;
const STACK = /\n\s+at\s|\bat\s+\S+\s+\(|\.(?:ts|js|mjs|cjs):\d+|node:internal|node_modules/;

export function expectContractError(
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
export const run = (broker: LoadedBroker, event: APIGatewayProxyEvent) =>
  broker.credentials(event, lambdaContext());

// ---------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------

export const json = (value: unknown) => JSON.stringify(value);

export function bodyEvent(
  c: BodyCase,
  userArn: string | null,
  headers: Record<string, string> = {},
) {
  const event = restEvent({ body: null, userArn, headers });
  event.body = c.body as string | null;
  event.isBase64Encoded = c.base64 === true;
  return event;
}

/** The raw body, and the roleArn/grant it carried when it was JSON, must never come back. */
export function echoesOf(c: BodyCase): string[] {
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

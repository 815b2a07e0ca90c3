/**
 * The broker asks STS for JSON (`Accept: application/json`, its own header, not signed by
 * the caller). Real STS answers JSON to it; moto 5.2.5 picks its serializer from the request
 * Content-Type and a `ContentType=JSON` parameter and ignores Accept, so it still answers XML.
 * These tests pin both facts for the emulator: if moto starts answering JSON, the second one
 * says so and the XML reading in lib/auth/sts-answer.ts can go.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkIdentityToken } from '../../lib/auth/identity-token';
import { ANSWER_ACCEPT, callerArnFromAnswer, MAX_ANSWER_BYTES } from '../../lib/auth/sts-answer';
import { type SendResponse, sendWithNodeHttp } from '../../lib/auth/sts-transport';
import { createIdentityToken } from '../../lib/client/identity-token';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { restEvent } from '../../scripts/events';
import { type FaultProxy, startFaultProxy } from '../../scripts/relay';
import { ARNS, type SeededWorld, seedDemo } from '../../scripts/seed';
import { type LoadedBroker, loadBroker, restoreEnv } from '../support/broker';
import { lambdaContext } from '../support/events';

const endpoint = inject('motoEndpoint');
const SERVER_ID = 'rolebroker-accept';
let world: SeededWorld;
let relay: FaultProxy;
let broker: LoadedBroker;
const savedLogLevel = process.env.POWERTOOLS_LOG_LEVEL;

beforeAll(async () => {
  world = await seedDemo(endpoint);
  relay = await startFaultProxy(endpoint);
  broker = await loadBroker(world, {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ROLEBROKER_AUTH: 'sts',
    ROLEBROKER_SERVER_ID: SERVER_ID,
    ROLEBROKER_STS_IDENTITY_ENDPOINTS: relay.endpoint,
  });
});

afterAll(async () => {
  restoreEnv();
  if (savedLogLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
  else process.env.POWERTOOLS_LOG_LEVEL = savedLogLevel;
  await relay?.close();
});

const tokenFor = (credentials: SeededWorld['callers']['demoCaller']) =>
  createIdentityToken({
    credentials,
    region: EMULATOR_REGION,
    endpoint: relay.endpoint,
    serverId: SERVER_ID,
  });

/** Sends a token's checked request to moto through the broker's own transport. */
async function askMoto(token: string): Promise<SendResponse> {
  const checked = checkIdentityToken(token, {
    serverId: SERVER_ID,
    allowedOrigins: new Set([relay.endpoint]),
    now: Date.now(),
  });
  return sendWithNodeHttp({
    ...checked,
    method: 'POST',
    accept: ANSWER_ACCEPT,
    maxResponseBytes: MAX_ANSWER_BYTES,
    signal: AbortSignal.timeout(5_000),
  });
}

describe('Accept: application/json on the identity check', () => {
  it('is sent by the broker, unsigned, and the caller is still verified', async () => {
    const seen: { accept?: string; authorization?: string }[] = [];
    relay.decide = (req) => {
      seen.push({
        accept: req.headers.accept,
        authorization: String(req.headers.authorization),
      });
      return 'pass';
    };
    try {
      const event = restEvent({
        body: { roleArn: ARNS.localTarget },
        userArn: 'offlineContext_userArn',
        headers: { 'X-RoleBroker-Identity': await tokenFor(world.callers.demoCaller) },
      });
      const res = await broker.credentials(event, lambdaContext());
      expect(res.statusCode, res.body).toBe(200);
      // The identity check is the only request to the relay (AssumeRole goes to moto).
      expect(seen).toHaveLength(1);
      expect(seen[0]?.accept).toBe('application/json');
      expect(seen[0]?.authorization).not.toMatch(/SignedHeaders=[^,]*accept/);
    } finally {
      relay.decide = undefined;
    }
  });

  it('gets XML from moto 5.2.5 all the same, which the broker reads', async () => {
    const res = await askMoto(await tokenFor(world.callers.demoCaller));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toMatch(
      /^<\?xml[^>]*>\s*<GetCallerIdentityResponse|^<GetCallerIdentityResponse/,
    );
    expect(callerArnFromAnswer(res)).toBe(ARNS.demoCaller);
  });

  it('gets an XML error from moto for a bad signature, refused as sts-refused', async () => {
    const forged = {
      ...world.callers.demoCaller,
      secretAccessKey: 'not-the-real-secret-key-0000000000000000',
    };
    const res = await askMoto(await tokenFor(forged));
    expect(res.statusCode).toBe(403);
    // moto labels its auth errors text/html; the body is an XML ErrorResponse.
    expect(res.headers['content-type']).not.toMatch(/json/);
    expect(res.body).toMatch(/^<\?xml[^>]*>\s*<ErrorResponse>/);
    expect(res.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(() => callerArnFromAnswer(res)).toThrow(
      expect.objectContaining({ statusCode: 401, reason: 'sts-refused' }),
    );
  });
});

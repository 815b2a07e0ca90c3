/**
 * Hostile input through the real POST /credentials handler, in `iam` and `sts` mode: every
 * refusal must be a 4xx with exactly the contract's error body, the event's request id, JSON
 * content type, no stack trace and no echo of what was sent. In `sts` mode, tokens are signed
 * for a counting relay in front of the emulator, so a test can prove that a token refused
 * locally never left the broker.
 *
 * The case tables are in hostile-input/*.cases.ts; the fixture and the assertions in
 * hostile-input/runner.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityToken } from '../../lib/client/identity-token';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { restEvent } from '../../scripts/events';
import { ARNS } from '../../scripts/seed';
import { BODY_CASES } from './hostile-input/bodies.cases';
import { FAKE_STS_CASES } from './hostile-input/fake-sts.cases';
import { IAM_CASES } from './hostile-input/iam.cases';
import {
  bodyEvent,
  demo,
  echoesOf,
  encode,
  expectContractError,
  fx,
  run,
  SERVER_ID,
  signed,
  startFixture,
  stopFixture,
  VALID,
} from './hostile-input/runner';
import { STS_CASES } from './hostile-input/sts-tokens.cases';
import { WINDOW_CASES, windowGrantName } from './hostile-input/windows.cases';

beforeAll(startFixture);
afterAll(stopFixture);

describe('hostile bodies, iam mode', () => {
  it.each(BODY_CASES)('$name → $status', async (c) => {
    const event = bodyEvent(c, ARNS.demoCaller);
    const message = expectContractError(
      await run(fx.iamBroker, event),
      event,
      c.status,
      echoesOf(c),
    );
    if (c.mentions) expect(message).toContain(c.mentions);
  });
});

describe('hostile bodies, sts mode with a valid identity token', () => {
  it.each(BODY_CASES)('$name → $status', async (c) => {
    const token = await createIdentityToken({
      credentials: fx.world.callers.demoCaller,
      region: EMULATOR_REGION,
      endpoint: fx.relay.endpoint,
      serverId: SERVER_ID,
    });
    const event = bodyEvent(c, 'offlineContext_userArn', { 'X-RoleBroker-Identity': token });
    const message = expectContractError(
      await run(fx.stsBroker, event),
      event,
      c.status,
      echoesOf(c),
    );
    if (c.mentions) expect(message).toContain(c.mentions);
  });
});

describe('iam mode: hostile caller identities', () => {
  it.each(IAM_CASES)('$name', async (c) => {
    const event = restEvent({ body: { roleArn: VALID }, userArn: null });
    (event.requestContext.identity as { userArn: unknown }).userArn = c.userArn;
    await c.tweak?.(event);
    const echo = typeof c.userArn === 'string' ? [c.userArn] : [];
    expectContractError(await run(fx.iamBroker, event), event, c.status ?? 401, echo);
  });
});

describe('sts mode: hostile identity tokens', () => {
  it.each(STS_CASES)('$name', async (c) => {
    const token = await c.token();
    const headers: Record<string, string> = { ...c.extraHeaders };
    if (token !== undefined) headers['X-RoleBroker-Identity'] = token as string;
    const event = restEvent({ body: { roleArn: VALID }, userArn: demo, headers });
    const relayBefore = fx.relay.count;
    const outsiderBefore = fx.outsider.count;
    const res = await run(fx.stsBroker, event);
    expectContractError(res, event, 401, typeof token === 'string' ? [token] : []);
    expect(fx.relay.count - relayBefore).toBe(c.forwarded ?? 0);
    expect(fx.outsider.count - outsiderBefore).toBe(0);
  });
});

describe('sts mode: an allowlisted endpoint that answers badly', () => {
  it.each(FAKE_STS_CASES)('$name', async (c) => {
    fx.fakeSts.answer = c.answer();
    const token = await createIdentityToken({
      credentials: fx.world.callers.demoCaller,
      region: EMULATOR_REGION,
      endpoint: fx.fakeSts.origin,
      serverId: SERVER_ID,
    });
    const event = restEvent({
      body: { roleArn: VALID },
      userArn: demo,
      headers: { 'X-RoleBroker-Identity': token },
    });
    const fakeBefore = fx.fakeSts.count;
    const targetBefore = fx.redirectTarget.count;
    const res = await run(fx.fakeStsBroker, event);
    expectContractError(res, event, 401, [token]);
    expect(fx.fakeSts.count - fakeBefore).toBe(1);
    expect(fx.redirectTarget.count - targetBefore).toBe(0);
  });
});

describe('grants stored with a bad or closed window: the ordinary 403 in both modes', () => {
  const cases = WINDOW_CASES.map((c, i) => ({ ...c, grant: windowGrantName(i) }));

  it.each(cases)('iam mode: $name', async (c) => {
    const event = restEvent({ body: { roleArn: VALID, grant: c.grant }, userArn: demo });
    expectContractError(await run(fx.iamBroker, event), event, 403, [c.grant]);
  });

  it.each(cases)('sts mode: $name', async (c) => {
    const token = await createIdentityToken({
      credentials: fx.world.callers.demoCaller,
      region: EMULATOR_REGION,
      endpoint: fx.relay.endpoint,
      serverId: SERVER_ID,
    });
    const event = restEvent({
      body: { roleArn: VALID, grant: c.grant },
      userArn: 'offlineContext_userArn',
      headers: { 'X-RoleBroker-Identity': token },
    });
    const before = fx.relay.count;
    expectContractError(await run(fx.stsBroker, event), event, 403, [c.grant, token]);
    // The caller was verified (its token forwarded once), then refused like any other.
    expect(fx.relay.count - before).toBe(1);
  });

  it('leaves the valid grant for the same role and caller working beside them', async () => {
    const event = restEvent({ body: { roleArn: VALID }, userArn: demo });
    const res = await run(fx.iamBroker, event);
    expect(res.statusCode, res.body).toBe(200);
    expect(JSON.parse(res.body).Grant).toBe('local-reader');
  });
});

describe('sanity: the fixtures accept a well-formed request', () => {
  it('the relay path issues credentials for a valid token', async () => {
    const event = restEvent({
      body: { roleArn: VALID },
      userArn: 'offlineContext_userArn',
      headers: { 'X-RoleBroker-Identity': encode(await signed()) },
    });
    const before = fx.relay.count;
    const res = await run(fx.stsBroker, event);
    expect(res.statusCode, res.body).toBe(200);
    expect(fx.relay.count - before).toBe(1);
  });

  it.each([
    ['@smithy/signature-v4 with its default options', { sdkDefaults: true }],
    [
      'SDK bookkeeping headers signed in',
      {
        sdkDefaults: true,
        extraHeaders: {
          'amz-sdk-invocation-id': '6e1f1bde-6c7a-4ab4-9c52-6a0c7b1d3f11',
          'amz-sdk-request': 'attempt=1; max=3',
          'x-amz-user-agent': 'aws-sdk-js/3.0.0',
        },
      },
    ],
    [
      'the form content type in upper case',
      { extraHeaders: { 'content-type': 'APPLICATION/X-WWW-FORM-URLENCODED; CHARSET=UTF-8' } },
    ],
  ] as const)('the relay path issues credentials for a token signed with %s', async (_n, opts) => {
    const event = restEvent({
      body: { roleArn: VALID },
      userArn: 'offlineContext_userArn',
      headers: { 'X-RoleBroker-Identity': encode(await signed(opts)) },
    });
    const before = fx.relay.count;
    const res = await run(fx.stsBroker, event);
    expect(res.statusCode, res.body).toBe(200);
    expect(fx.relay.count - before).toBe(1);
  });

  it('the iam broker issues credentials for the demo caller', async () => {
    const event = restEvent({ body: { roleArn: VALID }, userArn: demo });
    expect((await run(fx.iamBroker, event)).statusCode).toBe(200);
  });
});

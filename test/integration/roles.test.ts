import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIdentityToken } from '../../lib/client/identity-token';
import { IDENTITY_HEADER } from '../../lib/contract';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { restEvent } from '../../scripts/events';
import { ARNS, EXTERNAL_IDS, GRANTS, type SeededWorld, seedDemo } from '../../scripts/seed';
import { type LoadedBroker, loadBroker, restoreEnv } from '../support/broker';
import { lambdaContext } from '../support/events';

const endpoint = inject('motoEndpoint');
const SERVER_ID = 'rolebroker-test';
let world: SeededWorld;

// What demo-caller may assume in the seeded world, as GET /roles must show it.
const DEMO_CALLER_ROLES = [
  {
    grant: 'audit-readonly',
    roleArn: ARNS.auditTarget,
    maxDurationSeconds: 1800,
    scoped: true,
    chained: false,
  },
  {
    grant: 'deploy-via-hub',
    roleArn: ARNS.deployTarget,
    maxDurationSeconds: 3600,
    scoped: false,
    chained: true,
  },
  {
    grant: 'local-reader',
    roleArn: ARNS.localTarget,
    maxDurationSeconds: 3600,
    scoped: false,
    chained: false,
  },
  {
    grant: 'strict-mismatch',
    roleArn: ARNS.strictTarget,
    maxDurationSeconds: 3600,
    scoped: false,
    chained: false,
  },
];

const rolesEvent = (extra: Partial<APIGatewayProxyEvent> & { userArn?: string | null } = {}) => {
  const { userArn = ARNS.demoCaller, ...rest } = extra;
  return { ...restEvent({ method: 'GET', path: '/roles', userArn }), ...rest };
};

const call = async (broker: LoadedBroker, event: APIGatewayProxyEvent) => {
  const res = await broker.roles(event, lambdaContext());
  return { status: res.statusCode, headers: res.headers ?? {}, body: res.body };
};

/** Nothing in a GET /roles answer may carry an external ID or another grant's principals. */
const expectNothingSecret = (body: string) => {
  for (const id of Object.values(EXTERNAL_IDS)) expect(body).not.toContain(id);
  expect(body).not.toContain('principals');
  expect(body).not.toContain('externalId');
};

beforeAll(async () => {
  world = await seedDemo(endpoint);
});
afterAll(restoreEnv);

describe('GET /roles (iam mode)', () => {
  let broker: LoadedBroker;
  beforeAll(async () => {
    broker = await loadBroker(world);
  });

  it('shows demo-caller exactly its enabled grants, by name, with nothing secret', async () => {
    const res = await call(broker, rolesEvent());
    expect(res.status).toBe(200);
    expect(res.headers['Cache-Control']).toBe('no-store');
    expect(JSON.parse(res.body)).toEqual({ roles: DEMO_CALLER_ROLES });
    expect(DEMO_CALLER_ROLES.map((r) => r.grant).sort()).toEqual(
      Object.keys(GRANTS)
        .filter((g) =>
          (GRANTS[g as keyof typeof GRANTS].principals as readonly string[]).includes(
            ARNS.demoCaller,
          ),
        )
        .sort(),
    );
    expectNothingSecret(res.body);
  });

  it('shows the outsider nothing', async () => {
    const res = await call(broker, rolesEvent({ userArn: ARNS.demoOutsider }));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ roles: [] });
  });

  it('matches role sessions by pattern, as POST /credentials does', async () => {
    const auditor = 'arn:aws:sts::111111111111:assumed-role/audit-bot/run-1';
    const res = await call(broker, rolesEvent({ userArn: auditor }));
    expect(JSON.parse(res.body).roles.map((r: { grant: string }) => r.grant)).toEqual([
      'local-reader',
    ]);
  });

  it.each([
    ['no caller identity', rolesEvent({ userArn: null }), 401],
    ['a placeholder identity', rolesEvent({ userArn: 'offlineContext_userArn' }), 401],
    ['a query string', rolesEvent({ queryStringParameters: { grant: 'x' } }), 400],
    ['a request body', rolesEvent({ body: '{"roleArn":"x"}' }), 400],
  ])('refuses %s with a 4xx JSON error and a request id', async (_name, event, status) => {
    const res = await call(broker, event);
    expect(res.status).toBe(status);
    const json = JSON.parse(res.body);
    expect(json.error.requestId).toBe(event.requestContext.requestId);
    expect(json.error.message).not.toMatch(/grant=|x"|roleArn/);
  });
});

describe('GET /roles (sts mode)', () => {
  let broker: LoadedBroker;
  beforeAll(async () => {
    broker = await loadBroker(world, {
      ROLEBROKER_AUTH: 'sts',
      ROLEBROKER_SERVER_ID: SERVER_ID,
      ROLEBROKER_STS_IDENTITY_ENDPOINTS: endpoint,
    });
  });
  const token = (credentials: SeededWorld['callers']['demoCaller'], serverId = SERVER_ID) =>
    createIdentityToken({ credentials, region: EMULATOR_REGION, endpoint, serverId });
  const withToken = (t: string | undefined) =>
    rolesEvent({
      userArn: 'offlineContext_userArn',
      headers: t === undefined ? {} : { [IDENTITY_HEADER]: t },
    });

  it('shows the caller the signed token proves, and only its grants', async () => {
    const res = await call(broker, withToken(await token(world.callers.demoCaller)));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ roles: DEMO_CALLER_ROLES });
    expectNothingSecret(res.body);
    const outsider = await call(broker, withToken(await token(world.callers.demoOutsider)));
    expect(JSON.parse(outsider.body)).toEqual({ roles: [] });
  });

  it.each([
    ['no token', undefined],
    ['a token for another broker', 'other'],
    ['garbage', 'bm90IGEgdG9rZW4='],
  ])('refuses %s with 401', async (name, value) => {
    const t =
      name === 'a token for another broker' ? await token(world.callers.demoCaller, value) : value;
    const res = await call(broker, withToken(t));
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe('Unauthenticated');
  });
});

/**
 * Hostile input to GET /roles through the real roles handler, in `iam` and `sts` mode: a
 * query string or a body is a 400, a missing or garbage identity a 401, each with exactly
 * the contract's error body and nothing echoed (hostile-input/runner.ts's assertion).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityToken } from '../../lib/client/identity-token';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { restEvent } from '../../scripts/events';
import type { LoadedBroker } from '../support/broker';
import { lambdaContext } from '../support/events';
import {
  demo,
  expectContractError,
  fx,
  SERVER_ID,
  startFixture,
  stopFixture,
} from './hostile-input/runner';
import { WINDOW_CASES, windowGrantName } from './hostile-input/windows.cases';

beforeAll(startFixture);
afterAll(stopFixture);

const roles = (broker: LoadedBroker, event: APIGatewayProxyEvent) =>
  broker.roles(event, lambdaContext());

function rolesEvent(options: {
  userArn?: string | null;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: string;
}) {
  const event = restEvent({
    method: 'GET',
    path: '/roles',
    userArn: options.userArn === undefined ? demo : options.userArn,
    headers: options.headers,
  });
  if (options.query) event.queryStringParameters = options.query;
  if (options.body !== undefined) event.body = options.body;
  return event;
}

const validToken = () =>
  createIdentityToken({
    credentials: fx.world.callers.demoCaller,
    region: EMULATOR_REGION,
    endpoint: fx.relay.endpoint,
    serverId: SERVER_ID,
  });

type Case = {
  name: string;
  status: number;
  event: () => Promise<APIGatewayProxyEvent>;
  echo?: string[];
};

const SHAPE_CASES = (
  identity: () => Promise<Partial<Parameters<typeof rolesEvent>[0]>>,
): Case[] => [
  {
    name: 'a query string',
    status: 400,
    event: async () =>
      rolesEvent({ ...(await identity()), query: { grant: 'audit-readonly-xyz' } }),
    echo: ['audit-readonly-xyz'],
  },
  {
    name: 'a JSON body',
    status: 400,
    event: async () =>
      rolesEvent({ ...(await identity()), body: '{"roleArn":"arn:aws:iam::1:role/zzzz"}' }),
    echo: ['arn:aws:iam::1:role/zzzz'],
  },
  {
    name: 'an empty-object body',
    status: 400,
    event: async () => rolesEvent({ ...(await identity()), body: '{}' }),
  },
];

describe('GET /roles, iam mode', () => {
  const cases: Case[] = [
    ...SHAPE_CASES(async () => ({})),
    { name: 'no caller identity', status: 401, event: async () => rolesEvent({ userArn: null }) },
    {
      name: 'a garbage caller identity',
      status: 401,
      event: async () => rolesEvent({ userArn: 'not-an-arn<script>' }),
      echo: ['not-an-arn<script>'],
    },
    {
      name: 'a wildcard caller identity',
      status: 401,
      event: async () => rolesEvent({ userArn: 'arn:aws:iam::111111111111:user/*' }),
    },
  ];
  it.each(cases)('$name → $status', async (c) => {
    const event = await c.event();
    expectContractError(await roles(fx.iamBroker, event), event, c.status, c.echo ?? []);
  });
});

describe('GET /roles, sts mode', () => {
  const cases: Case[] = [
    ...SHAPE_CASES(async () => ({ headers: { 'X-RoleBroker-Identity': await validToken() } })),
    { name: 'no identity token', status: 401, event: async () => rolesEvent({}) },
    {
      name: 'a garbage identity token',
      status: 401,
      event: async () => rolesEvent({ headers: { 'X-RoleBroker-Identity': 'bm90IGEgdG9rZW4=' } }),
      echo: ['bm90IGEgdG9rZW4='],
    },
    {
      name: 'a token for another broker',
      status: 401,
      event: async () =>
        rolesEvent({
          headers: {
            'X-RoleBroker-Identity': await createIdentityToken({
              credentials: fx.world.callers.demoCaller,
              region: EMULATOR_REGION,
              endpoint: fx.relay.endpoint,
              serverId: 'another-broker',
            }),
          },
        }),
    },
  ];
  it.each(cases)('$name → $status', async (c) => {
    const event = await c.event();
    const relayBefore = fx.relay.count;
    expectContractError(await roles(fx.stsBroker, event), event, c.status, c.echo ?? []);
    if (c.status === 401) expect(fx.relay.count - relayBefore).toBe(0);
  });

  it('sanity: a valid token lists the roles', async () => {
    const res = await roles(
      fx.stsBroker,
      rolesEvent({ headers: { 'X-RoleBroker-Identity': await validToken() } }),
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).roles.length).toBeGreaterThan(0);
  });
});

describe('GET /roles beside grants stored with bad windows', () => {
  const notYet = windowGrantName(WINDOW_CASES.findIndex((c) => c.name === 'a window not open yet'));
  const listed = async (broker: LoadedBroker, event: APIGatewayProxyEvent) => {
    const res = await roles(broker, event);
    expect(res.statusCode, res.body).toBe(200);
    return JSON.parse(res.body).roles as { grant: string; notBefore?: string }[];
  };
  const expectOnlyTheWindowNotYetOpen = (shown: { grant: string; notBefore?: string }[]) => {
    const windowGrants = shown.filter((r) => r.grant.startsWith('window-case-'));
    expect(windowGrants).toEqual([expect.objectContaining({ grant: notYet })]);
    expect(windowGrants[0]?.notBefore).toBe('2099-12-31T00:00:00Z');
  };

  it('iam mode: a 200 listing none of them but the one not open yet', async () => {
    expectOnlyTheWindowNotYetOpen(await listed(fx.iamBroker, rolesEvent({})));
  });

  it('sts mode: the same', async () => {
    const event = rolesEvent({ headers: { 'X-RoleBroker-Identity': await validToken() } });
    expectOnlyTheWindowNotYetOpen(await listed(fx.stsBroker, event));
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIdentityToken } from '../../lib/client/identity-token';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { type FaultDecision, type FaultProxy, startFaultProxy } from '../../scripts/relay';
import { type SeededWorld, seedDemo } from '../../scripts/seed';
import { askWithToken, loadBroker, restoreEnv } from '../support/broker';

// sts mode: the caller's identity is checked while the grants load, not after.
const endpoint = inject('motoEndpoint');
const SERVER_ID = 'rolebroker-cold-path';
let world: SeededWorld;
let proxy: FaultProxy;

const isIdentityCheck = (body: string) => body.includes('Action=GetCallerIdentity');
const isGrantLoad = (headers: Record<string, unknown>) =>
  String(headers['x-amz-target']).endsWith('GetParametersByPath');

beforeAll(async () => {
  world = await seedDemo(endpoint);
  proxy = await startFaultProxy(endpoint);
});

afterAll(async () => {
  restoreEnv();
  await proxy.close();
});

async function freshBroker() {
  return loadBroker(
    { ...world, endpoint: proxy.endpoint },
    {
      ROLEBROKER_AUTH: 'sts',
      ROLEBROKER_SERVER_ID: SERVER_ID,
      ROLEBROKER_STS_IDENTITY_ENDPOINTS: proxy.endpoint,
    },
  );
}

const token = (serverId = SERVER_ID) =>
  createIdentityToken({
    credentials: world.callers.demoCaller,
    region: EMULATOR_REGION,
    endpoint: proxy.endpoint,
    serverId,
  });

describe('cold path in sts mode', () => {
  it('sends the grant load before the identity check has its answer', async () => {
    const broker = await freshBroker();
    let grantLoadSeen: () => void = () => {};
    const grantLoad = new Promise<void>((resolve) => {
      grantLoadSeen = resolve;
    });
    let heldUntilGrantLoad = false;
    proxy.decide = ({ headers, body }): FaultDecision | Promise<FaultDecision> => {
      if (isGrantLoad(headers)) grantLoadSeen();
      if (!isIdentityCheck(body)) return 'pass';
      // Hold the identity answer until the grant load arrives; sequential code never sends it.
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3_000));
      return Promise.race([grantLoad.then(() => 'seen' as const), timeout]).then((why) => {
        heldUntilGrantLoad = why === 'seen';
        return 'pass';
      });
    };
    try {
      const res = await askWithToken(broker, await token());
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      expect(heldUntilGrantLoad).toBe(true);
    } finally {
      proxy.decide = undefined;
    }
  });

  it('answers a refused caller 401 even while the grant store fails', async () => {
    const broker = await freshBroker();
    proxy.decide = ({ headers }) => (isGrantLoad(headers) ? 'error500' : 'pass');
    try {
      const res = await askWithToken(broker, await token('another-broker'));
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('Unauthenticated');
    } finally {
      proxy.decide = undefined;
    }
  });
});

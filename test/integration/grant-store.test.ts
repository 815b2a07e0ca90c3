import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { restEvent } from '../../scripts/events';
import { type FaultProxy, startFaultProxy } from '../../scripts/relay';
import { ARNS, type SeededWorld, seedDemo } from '../../scripts/seed';
import { loadBroker, restoreEnv } from '../support/broker';
import { lambdaContext } from '../support/events';

const endpoint = inject('motoEndpoint');
let world: SeededWorld;
let ssm: FaultProxy;

beforeAll(async () => {
  world = await seedDemo(endpoint);
  ssm = await startFaultProxy(endpoint);
});

afterAll(async () => {
  restoreEnv();
  await ssm.close();
});

const request = (broker: Awaited<ReturnType<typeof loadBroker>>) =>
  broker.credentials(
    restEvent({ body: { roleArn: ARNS.localTarget }, userArn: ARNS.demoCaller }),
    lambdaContext(),
  );

describe('grant store failures against the emulator', () => {
  it('answers 503 when SSM is unreachable and nothing was loaded before', async () => {
    ssm.mode = 'refuse';
    const broker = await loadBroker(world, { AWS_ENDPOINT_URL_SSM: ssm.endpoint });
    const res = await request(broker);
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe('Unavailable');
  });

  it('answers 503 when SSM keeps failing with 5xx and nothing was loaded before', async () => {
    ssm.mode = 'error500';
    const broker = await loadBroker(world, { AWS_ENDPOINT_URL_SSM: ssm.endpoint });
    expect((await request(broker)).statusCode).toBe(503);
  });

  it('answers 429 with Retry-After when SSM keeps throttling and nothing was loaded before', async () => {
    ssm.mode = 'throttle';
    const broker = await loadBroker(world, { AWS_ENDPOINT_URL_SSM: ssm.endpoint });
    const res = await request(broker);
    expect(res.statusCode).toBe(429);
    expect(res.headers?.['Retry-After']).toMatch(/^\d+$/);
  });

  it('keeps issuing from the last good grants while SSM fails, within the stale limit', async () => {
    ssm.mode = 'pass';
    const broker = await loadBroker(world, {
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      ROLEBROKER_GRANTS_TTL_SECONDS: '0',
      ROLEBROKER_MAX_STALE_SECONDS: '900',
    });
    expect((await request(broker)).statusCode).toBe(200);
    ssm.mode = 'refuse';
    const before = ssm.count;
    expect((await request(broker)).statusCode).toBe(200);
    expect(ssm.count).toBeGreaterThan(before);
  });

  it.each([
    ['throttling', 'throttle', 429],
    ['failing with 5xx', 'error500', 503],
  ] as const)(
    'serves the last good grants while SSM keeps %s (%s), then answers %s past the stale limit',
    async (_what, mode, after) => {
      ssm.mode = 'pass';
      const broker = await loadBroker(world, {
        AWS_ENDPOINT_URL_SSM: ssm.endpoint,
        ROLEBROKER_GRANTS_TTL_SECONDS: '0',
        // Longer than the SDK's own retries of a throttled call (~2 s).
        ROLEBROKER_MAX_STALE_SECONDS: '4',
      });
      expect((await request(broker)).statusCode).toBe(200);
      ssm.mode = mode;
      const before = ssm.count;
      expect((await request(broker)).statusCode).toBe(200);
      expect(ssm.count).toBeGreaterThan(before);
      await new Promise((r) => setTimeout(r, 4100));
      expect((await request(broker)).statusCode).toBe(after);
    },
  );

  it('stops serving stale grants after the stale limit', async () => {
    ssm.mode = 'pass';
    const broker = await loadBroker(world, {
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      ROLEBROKER_GRANTS_TTL_SECONDS: '0',
      ROLEBROKER_MAX_STALE_SECONDS: '0',
    });
    expect((await request(broker)).statusCode).toBe(200);
    ssm.mode = 'refuse';
    await new Promise((r) => setTimeout(r, 5));
    expect((await request(broker)).statusCode).toBe(503);
  });
});

import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { restEvent } from '../../scripts/events';
import { type FaultProxy, startFaultProxy } from '../../scripts/relay';
import {
  ARNS,
  BROKER_ACCOUNT,
  GRANTS,
  PREFIX,
  type SeededWorld,
  seedDemo,
} from '../../scripts/seed';
import { type LoadedBroker, loadBroker, restoreEnv } from '../support/broker';
import { lambdaContext } from '../support/events';

const endpoint = inject('motoEndpoint');
const AUDIT_A = `arn:aws:sts::${BROKER_ACCOUNT}:assumed-role/audit-a/job`;
const AUDIT_B = `arn:aws:sts::${BROKER_ACCOUNT}:assumed-role/audit-b/job`;
let world: SeededWorld;
/** Relays the broker's STS traffic to moto, counting it. */
let stsRelay: FaultProxy;

const ask = async (broker: LoadedBroker, userArn: string, body: object = {}) => {
  const res = await broker.credentials(
    restEvent({ body: { roleArn: ARNS.localTarget, ...body }, userArn }),
    lambdaContext(),
  );
  return { status: res.statusCode, json: JSON.parse(res.body) };
};

/** STS requests the broker sends while `fn` runs. */
async function stsCalls(fn: () => Promise<unknown>): Promise<number> {
  const before = stsRelay.count;
  await fn();
  return stsRelay.count - before;
}

beforeAll(async () => {
  world = await seedDemo(endpoint);
  stsRelay = await startFaultProxy(endpoint);
});

afterAll(async () => {
  restoreEnv();
  await stsRelay.close();
});

describe('per-caller session reuse against the emulator', () => {
  it('is on by default: the same caller gets the same live session without an STS call', async () => {
    const broker = await loadBroker(world, { AWS_ENDPOINT_URL_STS: stsRelay.endpoint });
    const first = await ask(broker, AUDIT_A);
    let second = first;
    expect(await stsCalls(async () => (second = await ask(broker, AUDIT_A)))).toBe(0);
    expect(first.status).toBe(200);
    expect(second.json).toEqual(first.json);
  });

  it('never hands one caller the session issued to another', async () => {
    const broker = await loadBroker(world, { AWS_ENDPOINT_URL_STS: stsRelay.endpoint });
    const a = await ask(broker, AUDIT_A);
    const b = await ask(broker, AUDIT_B);
    expect(b.json.Credentials.AccessKeyId).not.toBe(a.json.Credentials.AccessKeyId);
    expect(a.json.SourceIdentity).toMatch(/^audit-a/);
    expect(b.json.SourceIdentity).toMatch(/^audit-b/);
    expect((await ask(broker, AUDIT_B)).json).toEqual(b.json);
    expect((await ask(broker, AUDIT_A)).json).toEqual(a.json);
  });

  it('issues anew for another duration', async () => {
    const broker = await loadBroker(world, { AWS_ENDPOINT_URL_STS: stsRelay.endpoint });
    const short = await ask(broker, AUDIT_A);
    let long = short;
    expect(
      await stsCalls(async () => (long = await ask(broker, AUDIT_A, { durationSeconds: 1800 }))),
    ).toBe(1);
    expect(long.json.Credentials.AccessKeyId).not.toBe(short.json.Credentials.AccessKeyId);
  });

  it('calls STS for every request when turned off', async () => {
    const broker = await loadBroker(world, {
      AWS_ENDPOINT_URL_STS: stsRelay.endpoint,
      ROLEBROKER_SESSION_REUSE: 'off',
    });
    const first = await ask(broker, AUDIT_A);
    let second = first;
    expect(await stsCalls(async () => (second = await ask(broker, AUDIT_A)))).toBe(1);
    expect(second.json.Credentials.AccessKeyId).not.toBe(first.json.Credentials.AccessKeyId);
  });

  it('stops at a grant disabled after the session was issued', async () => {
    const broker = await loadBroker(world, { ROLEBROKER_GRANTS_TTL_SECONDS: '0' });
    expect((await ask(broker, AUDIT_A)).status).toBe(200);
    const ssm = new SSMClient({
      region: EMULATOR_REGION,
      endpoint,
      credentials: world.admins[BROKER_ACCOUNT],
    });
    const grant = (disabled: boolean) =>
      new PutParameterCommand({
        Name: `${PREFIX}/grants/local-reader`,
        Type: 'SecureString',
        Overwrite: true,
        Value: JSON.stringify({ ...GRANTS['local-reader'], disabled }),
      });
    try {
      await ssm.send(grant(true));
      const denied = await ask(broker, AUDIT_A);
      expect(denied.status).toBe(403);
      expect(JSON.stringify(denied.json)).not.toContain('ASIA');
    } finally {
      await ssm.send(grant(false));
      ssm.destroy();
    }
  });
});

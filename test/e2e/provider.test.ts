import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BrokerRequestError, fromBroker } from '../../lib/client';
import { type FaultProxy, startFaultProxy } from '../../scripts/relay';
import { ARNS } from '../../scripts/seed';

const stack = inject('stack');
let counter: FaultProxy;
const saved = { ...process.env };

beforeAll(async () => {
  // The caller's own credentials, region and STS endpoint come from the SDK's default chain.
  Object.assign(process.env, stack.profileEnv, {
    AWS_PROFILE: 'demo-caller',
    ROLEBROKER_SERVER_ID: 'rolebroker-local',
  });
  counter = await startFaultProxy(stack.brokerUrl);
});

afterAll(async () => {
  process.env = saved;
  await counter.close();
});

describe('fromBroker against the local stack', () => {
  it('serves 50 concurrent callers with one broker request', async () => {
    const provider = fromBroker({ url: counter.endpoint, roleArn: ARNS.localTarget, auth: 'sts' });
    const before = counter.count;
    const results = await Promise.all(Array.from({ length: 50 }, () => provider()));
    expect(counter.count - before).toBe(1);
    expect(new Set(results.map((r) => r.accessKeyId)).size).toBe(1);
    expect(results[0]?.expiration).toBeInstanceOf(Date);
  });

  it('gives an SDK client working credentials for the target role', async () => {
    const sts = new STSClient({
      credentials: fromBroker({ url: stack.brokerUrl, roleArn: ARNS.deployTarget, auth: 'sts' }),
    });
    const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
    expect(Arn).toMatch(/^arn:aws:sts::222222222222:assumed-role\/rolebroker-deploy\//);
    sts.destroy();
  });

  it('surfaces a refusal as a typed error with status and code', async () => {
    const provider = fromBroker({
      url: stack.brokerUrl,
      roleArn: 'arn:aws:iam::222222222222:role/nope',
      auth: 'sts',
    });
    const error = await provider().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerRequestError);
    expect(error).toMatchObject({ status: 403, code: 'AccessDenied' });
  });
});

import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { type CountingRelay, startCountingRelay } from '../../scripts/relay';
import { ARNS, BROKER_SESSION, EXTERNAL_IDS, type SeededWorld, seedDemo } from '../../scripts/seed';

// The benchmark's "0 SSM calls, 0 hub calls per warm request" rests on this relay's counts.
const endpoint = inject('motoEndpoint');
let world: SeededWorld;
let relay: CountingRelay;

beforeAll(async () => {
  world = await seedDemo(endpoint);
  relay = await startCountingRelay(endpoint, [ARNS.hubRole]);
});

afterAll(() => relay.close());

describe('the benchmark relay', () => {
  it('passes calls through unchanged and counts SSM, hub and target AssumeRole calls', async () => {
    const config = { region: EMULATOR_REGION, endpoint: relay.endpoint, credentials: world.broker };
    const sts = new STSClient(config);
    const ssm = new SSMClient(config);
    await ssm.send(new GetParametersByPathCommand({ Path: '/rolebroker', Recursive: true }));
    await sts.send(new GetCallerIdentityCommand({}));
    await sts.send(new AssumeRoleCommand({ RoleArn: ARNS.hubRole, RoleSessionName: 'x-hub' }));
    const target = await sts.send(
      new AssumeRoleCommand({
        RoleArn: ARNS.localTarget,
        RoleSessionName: BROKER_SESSION,
        ExternalId: EXTERNAL_IDS.local,
      }),
    );
    expect(target.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(relay.counts()).toEqual({ ssm: 1, hubAssumeRole: 1, targetAssumeRole: 1, other: 1 });
    sts.destroy();
    ssm.destroy();
  });
});

import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { HUB_SESSION_NAME } from '../lib/contract';
import { parseCallerArn, sessionNameFor } from '../lib/principals';
import { EMULATOR_REGION } from '../scripts/emulator';
import { restEvent } from '../scripts/events';
import { startCountingRelay } from '../scripts/relay';
import { ARNS, EXTERNAL_IDS, seedDemo } from '../scripts/seed';
import { note } from './note';

/**
 * The demo world, seeded into moto, behind a relay that counts what reaches moto: what the
 * in-process phases (cold start, warm path, reuse, memory) run against.
 */
export async function setUpWorld(emulatorEndpoint: string) {
  note(`starting moto and seeding the demo world`);
  const world = await seedDemo(emulatorEndpoint);
  const relay = await startCountingRelay(emulatorEndpoint, [ARNS.hubRole]);
  const caller = parseCallerArn(ARNS.demoCaller);
  if (!caller) throw new Error('demo caller ARN does not parse');
  const viaHub = {
    RoleArn: ARNS.deployTarget,
    RoleSessionName: sessionNameFor(caller),
    DurationSeconds: 900,
    ExternalId: EXTERNAL_IDS.deploy,
    SourceIdentity: sessionNameFor(caller),
  };
  // What the baseline handler assumes: one hop with the broker's own credentials.
  const oneHop = {
    RoleArn: ARNS.localTarget,
    RoleSessionName: 'bench-baseline',
    DurationSeconds: 900,
    ExternalId: EXTERNAL_IDS.local,
  };
  const hub = await new STSClient({
    region: EMULATOR_REGION,
    endpoint: emulatorEndpoint,
    credentials: world.broker,
  }).send(
    new AssumeRoleCommand({
      RoleArn: ARNS.hubRole,
      RoleSessionName: HUB_SESSION_NAME,
      DurationSeconds: 3600,
    }),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    AWS_REGION: EMULATOR_REGION,
    AWS_ACCESS_KEY_ID: world.broker.accessKeyId,
    AWS_SECRET_ACCESS_KEY: world.broker.secretAccessKey,
    AWS_SESSION_TOKEN: world.broker.sessionToken,
    AWS_ENDPOINT_URL: relay.endpoint,
    AWS_LAMBDA_FUNCTION_NAME: 'rolebroker-bench-credentials',
    ROLEBROKER_AUTH: 'iam',
    // Longer than any phase, so a warm phase never straddles a grant reload.
    ROLEBROKER_GRANTS_TTL_SECONDS: '600',
    POWERTOOLS_SERVICE_NAME: 'rolebroker',
    POWERTOOLS_METRICS_NAMESPACE: 'RoleBroker',
  };
  const brokerEvent = (roleArn: string, userArn = ARNS.demoCaller) =>
    restEvent({ body: { roleArn }, userArn });
  return {
    /** The environment of every worker: the broker's own session, all AWS calls via the relay. */
    env,
    /** The relay's counts so far. */
    counts: relay.counts,
    /** A POST /credentials event from `userArn` for `roleArn`. */
    brokerEvent,
    /** The AssumeRole the broker makes for the demo caller's deploy grant, via the hub. */
    viaHub,
    oneHop,
    /** The hub role's session, for calling the deploy target directly. */
    hubCredentials: {
      accessKeyId: hub.Credentials?.AccessKeyId,
      secretAccessKey: hub.Credentials?.SecretAccessKey,
      sessionToken: hub.Credentials?.SessionToken,
    },
    close: () => relay.close(),
  };
}

export type BenchWorld = Awaited<ReturnType<typeof setUpWorld>>;

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity } from '@smithy/types';
import autocannon from 'autocannon';
import { createIdentityToken } from '../../lib/client/identity-token';
import { IDENTITY_HEADER } from '../../lib/contract';
import { parseCallerArn, sessionNameFor } from '../../lib/principals';
import { EMULATOR_REGION, freePort } from '../../scripts/emulator';
import { LOCAL_SERVER_ID, startLocalStack } from '../../scripts/local-stack';
import { startCountingRelay } from '../../scripts/relay';
import { ARNS, BROKER_SESSION, EXTERNAL_IDS, GRANTS } from '../../scripts/seed';
import { SIZES } from '../config';
import { note } from '../note';

export interface LoadResult {
  /** Requests per second; for a pair of calls, pairs per second. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
}

interface Target {
  url: string;
  requests: {
    method: 'GET' | 'POST';
    path: string;
    headers?: Record<string, string>;
    body?: string;
  }[];
}

async function load(target: Target, seconds: number, connections: number): Promise<LoadResult> {
  const r = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    requests: target.requests,
  });
  const perCall = target.requests.length;
  return {
    perSecond: Number((r.requests.average / perCall).toFixed(1)),
    p50Ms: r.latency.p50 * perCall,
    p99Ms: r.latency.p99 * perCall,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

/** `connections` concurrent loops of `call` for `seconds`, timed like autocannon times requests. */
async function sdkLoad(
  call: () => Promise<unknown>,
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        try {
          await call();
          latencies.push(performance.now() - start);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round(latencies[Math.ceil(p * latencies.length) - 1] ?? Number.NaN);
  return {
    perSecond: Number((latencies.length / seconds).toFixed(1)),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    ok: latencies.length,
    non2xx: 0,
    errors,
  };
}

/**
 * Load through serverless-offline with autocannon (sts mode: each broker request makes a
 * GetCallerIdentity and an AssumeRole call to moto) versus the same calls made straight to
 * the same moto by SDK clients, with the same concurrency. Every call to moto, the broker's
 * included, passes one counting relay, so both sides pay the same hops.
 */
export async function runHttpBench(options: { seconds: number; connections: number }) {
  const localDir = await mkdtemp(join(tmpdir(), 'rolebroker-bench-local-'));
  const emulatorPort = await freePort();
  const relay = await startCountingRelay(`http://127.0.0.1:${emulatorPort}`, []);
  const stack = await startLocalStack({
    localDir,
    emulatorPort,
    brokerEnv: {
      AWS_ENDPOINT_URL: relay.endpoint,
      ROLEBROKER_STS_IDENTITY_ENDPOINTS: relay.endpoint,
      ROLEBROKER_SESSION_REUSE: 'off',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
  }).catch(async (error: unknown) => {
    await relay.close();
    throw error;
  });
  try {
    Object.assign(process.env, stack.profileEnv);
    const caller = await defaultProvider({ profile: 'demo-caller' })();
    const admin = await defaultProvider({ profile: 'admin' })();
    const sts = new STSClient({
      region: EMULATOR_REGION,
      endpoint: stack.emulatorEndpoint,
      credentials: admin,
    });
    const brokerSession = (
      await sts.send(
        new AssumeRoleCommand({ RoleArn: ARNS.brokerExecRole, RoleSessionName: BROKER_SESSION }),
      )
    ).Credentials;
    sts.destroy();
    const demoCaller = parseCallerArn(ARNS.demoCaller);
    if (!brokerSession || !demoCaller) throw new Error('bench setup: no broker session');
    const asBroker = {
      accessKeyId: brokerSession.AccessKeyId ?? '',
      secretAccessKey: brokerSession.SecretAccessKey ?? '',
      sessionToken: brokerSession.SessionToken ?? '',
    };
    const name = sessionNameFor(demoCaller);
    const client = (credentials: AwsCredentialIdentity) =>
      new STSClient({ region: EMULATOR_REGION, endpoint: relay.endpoint, credentials });
    const asCaller = client(caller);
    const asBrokerClient = client(asBroker);
    // The AssumeRole the broker sends for this grant, byte for byte the same parameters.
    const assumeRole = () =>
      asBrokerClient.send(
        new AssumeRoleCommand({
          RoleArn: ARNS.localTarget,
          RoleSessionName: name,
          DurationSeconds: 900,
          ExternalId: EXTERNAL_IDS.local,
          SourceIdentity: name,
          Tags: [{ Key: 'team', Value: GRANTS['local-reader'].sessionTags.team }],
        }),
      );
    const token = await createIdentityToken({
      credentials: caller,
      region: EMULATOR_REGION,
      endpoint: relay.endpoint,
      serverId: LOCAL_SERVER_ID,
    });
    const brokerTarget = {
      url: stack.brokerUrl,
      requests: [
        {
          method: 'POST' as const,
          path: '/credentials',
          headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: token },
          body: JSON.stringify({ roleArn: ARNS.localTarget }),
        },
      ],
    };
    const { seconds, connections } = options;
    // Untimed: serverless-offline starts one handler instance per concurrent request, each cold.
    await load(brokerTarget, Math.min(seconds, 10), connections);
    const broker = await load(brokerTarget, seconds, connections);
    // The floor of serverless-offline itself: GET /health answers from the grant cache.
    const health = await load(
      { url: stack.brokerUrl, requests: [{ method: 'GET', path: '/health' }] },
      seconds,
      connections,
    );
    const direct = await sdkLoad(assumeRole, seconds, connections);
    const directPair = await sdkLoad(
      async () => {
        await asCaller.send(new GetCallerIdentityCommand({}));
        await assumeRole();
      },
      seconds,
      connections,
    );
    asCaller.destroy();
    asBrokerClient.destroy();
    return {
      seconds,
      connections,
      broker,
      offlineHealth: health,
      directAssumeRole: direct,
      directIdentityAndAssumeRole: directPair,
    };
  } finally {
    await stack.stop();
    await relay.close();
    await rm(localDir, { recursive: true, force: true });
  }
}

export type EndToEnd = Awaited<ReturnType<typeof runHttpBench>>;

/** Phase 6: end to end through serverless-offline against direct calls to the same moto. */
export function measureEndToEnd(): Promise<EndToEnd> {
  note(`end to end, ${SIZES.httpConnections} connections for ${SIZES.httpSeconds} s per row`);
  return runHttpBench({ seconds: SIZES.httpSeconds, connections: SIZES.httpConnections });
}

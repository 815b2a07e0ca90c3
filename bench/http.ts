import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import autocannon from 'autocannon';
import { createIdentityToken } from '../lib/client/identity-token';
import { parseCallerArn, sessionNameFor } from '../lib/principals';
import { EMULATOR_REGION, freePort } from '../scripts/emulator';
import { LOCAL_SERVER_ID, startLocalStack } from '../scripts/local-stack';
import { ARNS, BROKER_SESSION, EXTERNAL_IDS, GRANTS } from '../scripts/seed';
import { startCountingRelay } from './relay';

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
  requests: { method: 'POST'; path: string; headers: Record<string, string>; body: string }[];
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

/** A signed STS query request, replayable for the few minutes moto accepts its date. */
async function signedSts(
  endpoint: string,
  credentials: AwsCredentialIdentity,
  params: Record<string, string>,
): Promise<Target['requests'][number]> {
  const url = new URL(endpoint);
  const body = new URLSearchParams({ ...params, Version: '2011-06-15' }).toString();
  const signed = await new SignatureV4({
    credentials,
    region: EMULATOR_REGION,
    service: 'sts',
    sha256: Sha256,
  }).sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  return { method: 'POST', path: '/', headers: signed.headers as Record<string, string>, body };
}

/**
 * Load through serverless-offline (sts mode: each broker request makes a GetCallerIdentity
 * and an AssumeRole call to moto) versus the same calls sent straight to the same moto.
 * Everything that reaches moto, the broker's calls included, passes one relay: moto closes
 * every connection after its answer, which autocannon cannot follow, and the relay keeps
 * client connections open (it opens a new one to moto per request, as the broker must).
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
    const assumeRole = await signedSts(relay.endpoint, asBroker, {
      Action: 'AssumeRole',
      RoleArn: ARNS.localTarget,
      RoleSessionName: name,
      DurationSeconds: '900',
      ExternalId: EXTERNAL_IDS.local,
      SourceIdentity: name,
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': GRANTS['local-reader'].sessionTags.team,
    });
    const whoAmI = await signedSts(relay.endpoint, caller, { Action: 'GetCallerIdentity' });
    const token = await createIdentityToken({
      credentials: caller,
      region: EMULATOR_REGION,
      endpoint: relay.endpoint,
      serverId: LOCAL_SERVER_ID,
    });
    const brokerRequest = {
      method: 'POST' as const,
      path: '/credentials',
      headers: { 'content-type': 'application/json', 'x-rolebroker-identity': token },
      body: JSON.stringify({ roleArn: ARNS.localTarget }),
    };
    const { seconds, connections } = options;
    const broker = await load(
      { url: stack.brokerUrl, requests: [brokerRequest] },
      seconds,
      connections,
    );
    const direct = await load(
      { url: stack.emulatorEndpoint, requests: [assumeRole] },
      seconds,
      connections,
    );
    const directPair = await load(
      { url: stack.emulatorEndpoint, requests: [whoAmI, assumeRole] },
      seconds,
      connections,
    );
    return {
      seconds,
      connections,
      broker,
      directAssumeRole: direct,
      directIdentityAndAssumeRole: directPair,
    };
  } finally {
    await stack.stop();
    await relay.close();
    await rm(localDir, { recursive: true, force: true });
  }
}

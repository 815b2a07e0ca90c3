/**
 * `npm run load-check`: 200 callers at once for 60 s, after they join over 10 s, against the
 * local stack (serverless-offline, sts mode, moto), half of them allowed by a grant and half
 * not, each asking again 200 ms after its last answer. Passes when no answer is a
 * 5xx or a network error, every allowed caller gets only 200s and every other caller only
 * 403s, and every issued session belongs to the caller that asked for it: its session name
 * and SourceIdentity are that caller's, its access key was never handed to another caller,
 * and STS itself (GetCallerIdentity with the returned keys) names that session.
 *
 *   LOAD_CALLERS=200 LOAD_SECONDS=60 npm run load-check
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity } from '@smithy/types';
import { createIdentityToken } from '../lib/client/identity-token';
import { IDENTITY_HEADER } from '../lib/contract';
import { parseCallerArn, sessionNameFor } from '../lib/principals';
import { EMULATOR_REGION } from './emulator';
import { LOCAL_SERVER_ID, startLocalStack } from './local-stack';
import { ARNS, BROKER_ACCOUNT, EXTERNAL_IDS, PREFIX } from './seed';

const CALLERS = Number(process.env.LOAD_CALLERS ?? 200);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const GRANT_TTL_SECONDS = 5;
/** Callers join over this long, as traffic ramps up, not all in the same millisecond. */
const RAMP_SECONDS = 10;
/** Each caller's pause between an answer and its next request. */
const THINK_MS = 200;

interface Caller {
  readonly arn: string;
  readonly allowed: boolean;
  readonly sessionName: string;
  readonly credentials: AwsCredentialIdentity;
  token: string;
}

interface Issued {
  Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
  AssumedRoleUser: { Arn: string };
  SourceIdentity?: string;
}

const problems: string[] = [];
/** False while every problem is a 503 Unavailable: an upstream that did not answer in time. */
let wrongAnswer = false;
const problem = (message: string, upstreamOnly = false) => {
  if (!upstreamOnly) wrongAnswer = true;
  if (problems.length < 20) problems.push(message);
};
/** The exit code of a run whose only failures were 503 Unavailable (.ci/run retries it once). */
const EXIT_UPSTREAM_ONLY = 3;

async function createCallers(admin: AwsCredentialIdentity, endpoint: string): Promise<Caller[]> {
  const iam = new IAMClient({ region: EMULATOR_REGION, endpoint, credentials: admin });
  try {
    return await Promise.all(
      Array.from({ length: CALLERS }, async (_, i) => {
        const allowed = i % 2 === 0;
        const name = `load-${allowed ? 'allowed' : 'denied'}-${i}`;
        const user = await iam.send(new CreateUserCommand({ UserName: name }));
        const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
        const arn = user.User?.Arn ?? '';
        const parsed = parseCallerArn(arn);
        if (!parsed) throw new Error(`unexpected user ARN ${arn}`);
        return {
          arn,
          allowed,
          sessionName: sessionNameFor(parsed),
          credentials: {
            accessKeyId: key.AccessKey?.AccessKeyId ?? '',
            secretAccessKey: key.AccessKey?.SecretAccessKey ?? '',
          },
          token: '',
        };
      }),
    );
  } finally {
    iam.destroy();
  }
}

async function main() {
  const localDir = await mkdtemp(join(tmpdir(), 'rolebroker-load-'));
  const stack = await startLocalStack({
    localDir,
    brokerEnv: { ROLEBROKER_GRANTS_TTL_SECONDS: String(GRANT_TTL_SECONDS) },
    // One broker instance serves all callers at once, so every cache is shared by all of them:
    // the hardest case for crossed credentials. (serverless-offline's default starts one
    // worker per concurrent request: 200 Lambda instances on 2 cores starve each other.)
    offlineArgs: process.env.LOAD_WORKERS === '1' ? [] : ['--useInProcess'],
  });
  try {
    Object.assign(process.env, stack.profileEnv);
    const admin = await defaultProvider({ profile: 'admin' })();
    const endpoint = stack.emulatorEndpoint;
    const callers = await createCallers(admin, endpoint);
    const ssm = new SSMClient({ region: EMULATOR_REGION, endpoint, credentials: admin });
    await ssm.send(
      new PutParameterCommand({
        Name: `${PREFIX}/grants/load-allowed`,
        Type: 'SecureString',
        Overwrite: true,
        Value: JSON.stringify({
          roleArn: ARNS.localTarget,
          externalId: EXTERNAL_IDS.local,
          principals: [`arn:aws:iam::${BROKER_ACCOUNT}:user/load-allowed-*`],
        }),
      }),
    );
    ssm.destroy();
    // Every broker instance that already read the grants drops them by then.
    await new Promise((r) => setTimeout(r, (GRANT_TTL_SECONDS + 1) * 1000));
    for (const c of callers) {
      c.token = await createIdentityToken({
        credentials: c.credentials,
        region: EMULATOR_REGION,
        endpoint,
        serverId: LOCAL_SERVER_ID,
      });
    }

    const statuses = new Map<number, number>();
    const keyOwner = new Map<string, string>();
    const firstIssued = new Map<Caller, Issued>();
    let networkErrors = 0;
    const window = RAMP_SECONDS + SECONDS;
    const deadline = Date.now() + window * 1000;
    process.stdout.write(
      `load-check: ${CALLERS} callers joining over ${RAMP_SECONDS} s, then all of them for ${SECONDS} s, against ${stack.brokerUrl}\n`,
    );
    await Promise.all(
      callers.map(async (c, i) => {
        await new Promise((r) => setTimeout(r, (i * RAMP_SECONDS * 1000) / CALLERS));
        for (let first = true; Date.now() < deadline; first = false) {
          if (!first) await new Promise((r) => setTimeout(r, THINK_MS));
          let res: Response;
          try {
            res = await fetch(`${stack.brokerUrl}/credentials`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: c.token },
              body: JSON.stringify({ roleArn: ARNS.localTarget }),
              signal: AbortSignal.timeout(30_000),
            });
          } catch (error) {
            networkErrors += 1;
            problem(`${c.arn}: ${(error as Error).name}`);
            continue;
          }
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const body = await res.text();
          const expected = c.allowed ? 200 : 403;
          if (res.status !== expected) {
            problem(
              `${c.arn}: ${res.status} (expected ${expected}) ${body.slice(0, 200)}`,
              res.status === 503 && errorCode(body) === 'Unavailable',
            );
            continue;
          }
          if (res.status !== 200) continue;
          const issued = JSON.parse(body) as Issued;
          const session = issued.AssumedRoleUser.Arn.split('/').pop();
          if (session !== c.sessionName || issued.SourceIdentity !== c.sessionName) {
            problem(`${c.arn}: got session ${session} / ${issued.SourceIdentity}`);
          }
          const owner = keyOwner.get(issued.Credentials.AccessKeyId);
          if (owner && owner !== c.arn) problem(`access key of ${owner} handed to ${c.arn}`);
          keyOwner.set(issued.Credentials.AccessKeyId, c.arn);
          if (!firstIssued.has(c)) firstIssued.set(c, issued);
        }
      }),
    );

    // STS's own word on whose session each caller received.
    for (const [c, issued] of firstIssued) {
      const sts = new STSClient({
        region: EMULATOR_REGION,
        endpoint,
        credentials: {
          accessKeyId: issued.Credentials.AccessKeyId,
          secretAccessKey: issued.Credentials.SecretAccessKey,
          sessionToken: issued.Credentials.SessionToken,
        },
      });
      const who = await sts.send(new GetCallerIdentityCommand({}));
      sts.destroy();
      if (who.Arn !== issued.AssumedRoleUser.Arn || !who.Arn?.endsWith(`/${c.sessionName}`)) {
        problem(`${c.arn}: STS says the keys belong to ${who.Arn}`);
      }
    }
    const allowedCallers = callers.filter((c) => c.allowed).length;
    if (firstIssued.size !== allowedCallers) {
      problem(`only ${firstIssued.size} of ${allowedCallers} allowed callers got credentials`);
    }
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const fiveXx = [...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
    process.stdout.write(
      `load-check: ${total} answers in ${window} s (${(total / window).toFixed(1)}/s): ${[
        ...statuses,
      ]
        .sort()
        .map(([s, n]) => `${n} x ${s}`)
        .join(', ')}; ${fiveXx} 5xx, ${networkErrors} network errors; ` +
        `${keyOwner.size} distinct sessions for ${firstIssued.size} callers, each checked with STS\n`,
    );
    if (fiveXx || networkErrors || problems.length) {
      process.stderr.write(`load-check: FAILED\n  ${problems.join('\n  ')}\n`);
      process.exitCode = 1;
      if (!wrongAnswer && !networkErrors) {
        // Every failure was the broker's documented answer to SSM or STS not answering in time:
        // moto (one request at a time) fell behind. Never set when any answer was wrong.
        process.stderr.write(
          `load-check: every failure was a 503 Unavailable (an upstream did not answer in time); exit ${EXIT_UPSTREAM_ONLY}\n`,
        );
        process.exitCode = EXIT_UPSTREAM_ONLY;
      }
    } else {
      process.stdout.write('load-check: ok\n');
    }
  } finally {
    await stack.stop();
    await rm(localDir, { recursive: true, force: true });
  }
}

/** The contract's error code in a JSON error body, if it has one. */
function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

await main();

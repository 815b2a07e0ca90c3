import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { vi } from 'vitest';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { restEvent } from '../../scripts/events';
import { ARNS, type SeededWorld } from '../../scripts/seed';
import { lambdaContext } from './events';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface LoadedBroker {
  credentials: Handler;
  health: Handler;
  roles: Handler;
}

const TOUCHED = [
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_SSM',
  'AWS_ENDPOINT_URL_STS',
  'AWS_PROFILE',
  'ROLEBROKER_AUTH',
  'ROLEBROKER_SERVER_ID',
  'ROLEBROKER_STS_IDENTITY_ENDPOINTS',
  'ROLEBROKER_GRANTS_TTL_SECONDS',
  'ROLEBROKER_MAX_STALE_SECONDS',
  'ROLEBROKER_SESSION_REUSE',
  'ROLEBROKER_SESSION_REUSE_MIN_SECONDS',
  'POWERTOOLS_METRICS_DISABLED',
];
const saved = new Map(TOUCHED.map((k) => [k, process.env[k]]));

/** Puts the environment back as it was before loadBroker. */
export function restoreEnv() {
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/**
 * Loads fresh copies of the real Lambda handlers (new caches, new clients), configured by
 * environment as in Lambda, running with the seeded broker execution-role session.
 */
export async function loadBroker(
  world: SeededWorld,
  env: Record<string, string> = {},
): Promise<LoadedBroker> {
  restoreEnv();
  Object.assign(process.env, {
    AWS_REGION: EMULATOR_REGION,
    AWS_ACCESS_KEY_ID: world.broker.accessKeyId,
    AWS_SECRET_ACCESS_KEY: world.broker.secretAccessKey,
    AWS_SESSION_TOKEN: world.broker.sessionToken ?? '',
    AWS_ENDPOINT_URL: world.endpoint,
    ROLEBROKER_AUTH: 'iam',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...env,
  });
  delete process.env.AWS_PROFILE;
  vi.resetModules();
  const credentials = await import('../../functions/credentials');
  const health = await import('../../functions/health');
  const roles = await import('../../functions/roles');
  return {
    credentials: credentials.handler as unknown as Handler,
    health: health.handler as unknown as Handler,
    roles: roles.handler as unknown as Handler,
  };
}

/**
 * POST /credentials in `sts` mode: the identity token (none when undefined) and `body`, with
 * serverless-offline's placeholder as the API Gateway caller, which sts mode must not read.
 */
export async function askWithToken(
  broker: LoadedBroker,
  token: string | undefined,
  body: object = { roleArn: ARNS.localTarget },
) {
  const headers: Record<string, string> =
    token === undefined ? {} : { 'X-RoleBroker-Identity': token };
  const res = await broker.credentials(
    restEvent({ body, headers, userArn: 'offlineContext_userArn' }),
    lambdaContext(),
  );
  return { status: res.statusCode, json: JSON.parse(res.body) };
}

import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createAuthenticator } from '../lib/auth';
import { createSsmClient } from '../lib/aws';
import { loadConfig } from '../lib/config';
import type { RolesResponse } from '../lib/contract';
import { createGrantStore, rolesFor } from '../lib/grants';
import { jsonResponse, parseRolesRequest, withHttp } from '../lib/http';
import { countAnswer, createLogger, createMetrics } from '../lib/observability';

const config = loadConfig();
const logger = createLogger();
const metrics = createMetrics();
const grants = createGrantStore(config, { ssm: () => createSsmClient(config.region), log: logger });
const authenticate = createAuthenticator(config);

/** GET /roles: parse → authenticate → the caller's own grants → respond. */
async function roles(event: APIGatewayProxyEvent) {
  parseRolesRequest(event);
  const caller = await authenticate(event);
  logger.appendKeys({ caller: caller.arn });
  const body: RolesResponse = { roles: rolesFor((await grants.get()).grants, caller) };
  logger.info('roles listed', { count: body.roles.length });
  countAnswer(metrics, 'RolesListed');
  return jsonResponse(200, body);
}

export const handler = withHttp(roles, { logger, metrics });

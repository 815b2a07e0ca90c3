import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createAuthenticator } from '../lib/auth';
import { createSsmClient, createStsClient } from '../lib/aws';
import { loadConfig } from '../lib/config';
import { authorize, createGrantStore } from '../lib/grants';
import { jsonResponse, parseCredentialsRequest, withHttp } from '../lib/http';
import { createIssuer, SessionReuse } from '../lib/issue';
import { countAnswer, createLogger, createMetrics } from '../lib/observability';

const config = loadConfig();
const logger = createLogger();
const metrics = createMetrics();
const grants = createGrantStore(config, { ssm: () => createSsmClient(config.region), log: logger });
const authenticate = createAuthenticator(config);
const issuer = createIssuer({
  sts: createStsClient(config.region),
  stsFor: (credentials) => createStsClient(config.region, credentials),
});
const sessions = config.sessionReuseMinSeconds
  ? new SessionReuse({ minRemainingSeconds: config.sessionReuseMinSeconds })
  : undefined;

/** POST /credentials: parse → authenticate (while the grants load) → authorize → issue → respond. */
async function credentials(event: APIGatewayProxyEvent) {
  const request = parseCredentialsRequest(event);
  const granted = grants.get();
  // Awaited once the caller is known: a caller refused first never waits for (or sees) it.
  granted.catch(() => {});
  const caller = await authenticate(event);
  // Request-scoped keys (reset after each invocation, lib/http): every later line, a refusal
  // or an upstream failure included, names the caller, and once authorized the grant.
  logger.appendKeys({ caller: caller.arn });
  const input = { ...authorize((await granted).grants, request, caller), caller };
  const { grant } = input;
  logger.appendKeys({ grant: grant.name, roleArn: grant.roleArn });
  const { issued, reused } = sessions
    ? await sessions.issue(input, () => issuer.issue(input))
    : { issued: await issuer.issue(input), reused: false };
  logger.info('credentials issued', {
    session: issued.AssumedRoleUser.Arn,
    expiration: issued.Credentials.Expiration,
    reused,
  });
  countAnswer(metrics, reused ? 'CredentialsReused' : 'CredentialsIssued');
  return jsonResponse(200, issued);
}

export const handler = withHttp(credentials, { logger, metrics });

import { createSsmClient } from '../lib/aws';
import { loadConfig } from '../lib/config';
import { createGrantStore } from '../lib/grants';
import { jsonResponse, withHttp } from '../lib/http';
import { createLogger, createMetrics } from '../lib/observability';

const config = loadConfig();
const logger = createLogger();
const grants = createGrantStore(config, { ssm: () => createSsmClient(config.region), log: logger });

/** GET /health: the broker can read its grants. Reports a count, never grant contents. */
async function health() {
  const { grants: valid } = await grants.get();
  return jsonResponse(200, { status: 'ok', grants: valid.length });
}

export const handler = withHttp(health, { logger, metrics: createMetrics() });

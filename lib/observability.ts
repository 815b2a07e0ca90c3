import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

const SERVICE = 'rolebroker';

/**
 * Structured JSON logger. Nothing in the broker passes secrets to it: external IDs and
 * credentials never leave lib/issue, and events are not logged.
 */
export function createLogger(): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE });
}

/** CloudWatch EMF metrics (POWERTOOLS_METRICS_DISABLED=true turns them off locally). */
export function createMetrics(): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'RoleBroker',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE,
  });
}

export type { Logger, Metrics };

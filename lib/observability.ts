import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ErrorCode } from './contract';

const SERVICE = 'rolebroker';

/** The metrics namespace when POWERTOOLS_METRICS_NAMESPACE is unset (serverless.yml sets it). */
export const METRICS_NAMESPACE = 'RoleBroker';

/**
 * Every metric the broker emits (contract §6), each with the dimensions it carries besides
 * Powertools' own `service` (POWERTOOLS_SERVICE_NAME). The stack's dashboard and alarms name
 * exactly these (test/integration/observability.test.ts), and CloudWatch matches a metric by
 * its whole dimension set, so a change here is a change to the alarms.
 */
export const METRICS = {
  /** An STS call was made for a caller. */
  CredentialsIssued: [],
  /** A caller's earlier session was handed out again (no STS call). */
  CredentialsReused: [],
  /** GET /roles answered. */
  RolesListed: [],
  /** An error answer, by its contract `code` (§2), 4xx and 5xx alike. */
  Errors: ['Code'],
  /** Findings of one scheduled audit run, one value per severity (0 included). */
  AuditFindings: ['Severity'],
} as const satisfies Record<string, readonly string[]>;

export type MetricName = keyof typeof METRICS;

/** The audit's severities as its metric's `Severity` values. */
export const SEVERITIES = ['high', 'medium', 'low'] as const;

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
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE,
  });
}

/** Counts one answered request: credentials issued or reused, or roles listed. */
export function countAnswer(
  metrics: Metrics,
  name: Extract<MetricName, 'CredentialsIssued' | 'CredentialsReused' | 'RolesListed'>,
): void {
  metrics.addMetric(name, MetricUnit.Count, 1);
}

/** Counts one error answer under its code, flushed at once with only that dimension. */
export function countError(metrics: Metrics, code: ErrorCode): void {
  metrics
    .singleMetric()
    .addDimension('Code', code)
    .addMetric('Errors' satisfies MetricName, MetricUnit.Count, 1);
}

/** Records how many findings of one severity an audit run found. */
export function countAuditFindings(
  metrics: Metrics,
  severity: (typeof SEVERITIES)[number],
  count: number,
): void {
  metrics
    .singleMetric()
    .addDimension('Severity', severity)
    .addMetric('AuditFindings' satisfies MetricName, MetricUnit.Count, count);
}

export type { Logger, Metrics };

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { brokerIamClients, runAudit } from '../lib/audit';
import { createSsmClient, lambdaClientConfig } from '../lib/aws';
import { loadConfig } from '../lib/config';
import { countAuditFindings, createLogger, createMetrics, SEVERITIES } from '../lib/observability';

const config = loadConfig();
const logger = createLogger();
const metrics = createMetrics();
const ssm = createSsmClient(config.region);
const auditRoles = (process.env.ROLEBROKER_AUDIT_ROLES ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const iamFor = brokerIamClients({
  url: process.env.ROLEBROKER_URL ?? '',
  auditRoles,
  auth: process.env.ROLEBROKER_AUDIT_AUTH === 'sts' ? 'sts' : 'iam',
  clientConfig: lambdaClientConfig(),
});

/** Scheduled trust-posture audit: one log record per finding, a summary, metrics by severity. */
async function audit() {
  const report = await runAudit({
    ssm,
    prefix: config.ssmPrefix,
    partition: config.partition,
    iamFor,
    brokerRoleArn: process.env.ROLEBROKER_BROKER_ROLE_ARN || undefined,
  });
  for (const finding of report.findings) logger.warn('audit finding', { ...finding });
  logger.info('audit summary', { ...report.summary, findings: report.findings.length });
  for (const severity of SEVERITIES) {
    countAuditFindings(metrics, severity, report.summary[severity]);
  }
  return report.summary;
}

export const handler = middy(audit).use(injectLambdaContext(logger)).use(logMetrics(metrics));

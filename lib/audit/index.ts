export { type AuditReport, failsAt, runAudit } from './audit';
export { brokerIamClients } from './clients';
export type { Finding, Severity } from './findings';
export { formatReport } from './report';

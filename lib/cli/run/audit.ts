import { SSMClient } from '@aws-sdk/client-ssm';
import { brokerIamClients, failsAt, formatReport, runAudit, type Severity } from '../../audit';
import { partitionOf } from '../../principals';
import { type CliIo, EXIT } from '../command';

export interface AuditOptions {
  url: string;
  auditRole: string[];
  prefix: string;
  format: 'table' | 'json';
  failOn: Severity | 'none';
  auth: 'iam' | 'sts';
  serverId?: string;
}

/**
 * `rolebroker audit`: reads the grants with the operator's credentials and IAM with the
 * broker's sessions of the audit roles, then prints the report.
 */
export async function audit(options: AuditOptions, io: CliIo): Promise<number> {
  const ssm = new SSMClient({});
  try {
    const report = await runAudit({
      ssm,
      prefix: options.prefix,
      partition: partitionOf(await ssm.config.region()),
      iamFor: brokerIamClients({
        url: options.url,
        auditRoles: options.auditRole,
        auth: options.auth,
        serverId: options.serverId,
      }),
    });
    io.stdout(`${formatReport(report, options.format)}\n`);
    return options.failOn !== 'none' && failsAt(report, options.failOn) ? EXIT.findings : EXIT.ok;
  } catch (error) {
    io.stderr(`rolebroker: audit failed: ${(error as Error).name}: ${(error as Error).message}\n`);
    return EXIT.failed;
  } finally {
    ssm.destroy();
  }
}

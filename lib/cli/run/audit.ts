import { SSMClient } from '@aws-sdk/client-ssm';
import { brokerIamClients, failsAt, formatReport, runAudit, type Severity } from '../../audit';
import { partitionOf } from '../../principals';
import { type CliIo, EXIT } from '../command';
import { awsFailure } from './caller-error';
import { operatorClientConfig } from './operator-clients';

export interface AuditOptions {
  url: string;
  auditRole: string[];
  prefix: string;
  format: 'table' | 'json';
  failOn: Severity | 'none';
  auth: 'iam' | 'sts';
  serverId?: string;
  brokerRoleArn?: string;
  /** Per-attempt timeout of the SSM and IAM calls, seconds (--aws-timeout). */
  awsTimeout: number;
}

/**
 * `rolebroker audit`: reads the grants with the operator's credentials and IAM with the
 * broker's sessions of the audit roles, then prints the report.
 */
export async function audit(options: AuditOptions, io: CliIo): Promise<number> {
  // One connection pool and the same timeouts for the SSM read and the IAM reads.
  const clientConfig = operatorClientConfig(options.awsTimeout);
  const ssm = new SSMClient(clientConfig);
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
        clientConfig,
      }),
      brokerRoleArn: options.brokerRoleArn,
    });
    io.stdout(`${formatReport(report, options.format)}\n`);
    return options.failOn !== 'none' && failsAt(report, options.failOn) ? EXIT.findings : EXIT.ok;
  } catch (error) {
    const failure = awsFailure(
      error,
      io.env,
      `the operator's credentials (--profile or the default chain) need ssm:GetParametersByPath and kms:Decrypt on the grants under ${options.prefix}`,
    );
    io.stderr(`rolebroker: audit failed: ${failure.line}\n`);
    return failure.code;
  } finally {
    ssm.destroy();
  }
}

import { type Command, Option } from 'commander';
import type { Severity } from '../audit';
import { parseRoleArn, partitionOf } from '../principals';
import {
  authOption,
  brokerUrl,
  type CliIo,
  type CommandContext,
  EnvOption,
  EXIT,
  profileOption,
  serverIdOption,
  UsageError,
  urlOption,
} from './command';

interface AuditOptions {
  url: string;
  auditRole: string[];
  prefix: string;
  format: 'table' | 'json';
  failOn: Severity | 'none';
  auth: 'iam' | 'sts';
  serverId?: string;
}

/** `rolebroker audit`: an operator checks the grants and their roles' trust policies. */
export function auditCommand(program: Command, context: CommandContext): Command {
  return program
    .command('audit')
    .summary('check every grant and its roles for risky settings')
    .description(
      'Checks every grant under --prefix and its roles, reading IAM with credentials the broker issues for each --audit-role.',
    )
    .usage('--url <url> --audit-role <arn> [--audit-role <arn> ...] [options]')
    .addOption(urlOption())
    .addOption(
      new Option('--audit-role <arn>', 'read-only audit role, one per account (repeat the flag)')
        .argParser(collectAuditRole)
        .makeOptionMandatory(),
    )
    .addOption(
      new EnvOption('--prefix <path>', 'SSM path of the grants', 'ROLEBROKER_SSM_PREFIX').default(
        '/rolebroker',
      ),
    )
    .addOption(
      new Option('--format <format>', 'report as a table or JSON')
        .choices(['table', 'json'])
        .default('table'),
    )
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 on findings at or above this severity')
        .choices(['high', 'medium', 'low', 'none'])
        .default('high'),
    )
    .addOption(authOption())
    .addOption(serverIdOption())
    .addOption(profileOption())
    .addHelpText(
      'after',
      '\nexit codes: 0 ok, 1 findings at or above --fail-on, 2 usage, 4 the audit failed',
    )
    .action(async (options: AuditOptions) => {
      context.exit(await audit(options, context.io));
    });
}

function collectAuditRole(value: string, previous: string[] | undefined): string[] {
  if (!parseRoleArn(value)) throw new UsageError('--audit-role must be an IAM role ARN');
  return [...(previous ?? []), value];
}

async function audit(options: AuditOptions, io: CliIo): Promise<number> {
  const url = brokerUrl(options.url);
  // The audit and the SSM and IAM clients load only for this command.
  const [{ SSMClient }, { brokerIamClients, failsAt, formatReport, runAudit }] = await Promise.all([
    import('@aws-sdk/client-ssm'),
    import('../audit'),
  ]);
  const ssm = new SSMClient({});
  try {
    const report = await runAudit({
      ssm,
      prefix: options.prefix,
      partition: partitionOf(await ssm.config.region()),
      iamFor: brokerIamClients({
        url,
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

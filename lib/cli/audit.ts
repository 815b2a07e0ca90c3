import { type Command, Option } from 'commander';
import {
  authOption,
  awsTimeoutOption,
  type CommandContext,
  prefixOption,
  profileOption,
  roleArnArgument,
  serverIdOption,
  urlOption,
} from './command';
import type { AuditOptions } from './run/audit';

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
    .addOption(prefixOption())
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
    .addOption(
      new Option(
        '--broker-role-arn <arn>',
        "the broker's execution role: check each first hop's trust against it (default: any named principal may be the broker)",
      ).argParser(roleArnArgument('--broker-role-arn')),
    )
    .addOption(authOption())
    .addOption(serverIdOption())
    .addOption(profileOption())
    .addOption(awsTimeoutOption())
    .addHelpText(
      'after',
      '\nexit codes: 0 ok, 1 findings at or above --fail-on, 2 usage, 3 access denied, 4 the audit failed',
    )
    .action(async (options: AuditOptions) => {
      // The audit and its SSM and IAM clients load only for this command.
      const { audit } = await import('./run/audit');
      context.exit(await audit(options, context.io));
    });
}

function collectAuditRole(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), roleArnArgument('--audit-role')(value)];
}

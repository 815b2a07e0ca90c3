import type { Command } from 'commander';
import {
  awsTimeoutOption,
  type CommandContext,
  profileOption,
  roleArnArgument,
  UsageError,
} from './command';
import { REVOKE_POLICY_NAME } from './revoke-policy';
import type { RevokeOptions } from './run/revoke';

/** Clock skew allowed for --before; a later time would also deny sessions not yet issued. */
const MAX_FUTURE_MS = 60_000;

/** `rolebroker revoke`: an operator denies a role's older sessions, without the broker. */
export function revokeCommand(program: Command, context: CommandContext): Command {
  return program
    .command('revoke')
    .summary("deny a role's sessions issued before a time")
    .description(
      `Denies every session of the role issued before --before, whoever issued it, with AWS's revoke-older-sessions inline policy (${REVOKE_POLICY_NAME}). Runs with the operator's own credentials (default chain or --profile; needs iam:PutRolePolicy), not through the broker.`,
    )
    .usage('--role-arn <arn> [options]')
    .requiredOption(
      '--role-arn <arn>',
      'the role whose sessions to deny',
      roleArnArgument('--role-arn'),
    )
    .option(
      '--before <time>',
      'deny sessions issued before this ISO 8601 time with a zone (default: now)',
      (value: string) => parseRevokeTime(value),
    )
    .addOption(profileOption())
    .addOption(awsTimeoutOption())
    .addHelpText('after', '\nexit codes: 0 ok, 2 usage, 3 access denied, 4 any other failure')
    .action(async (options: RevokeOptions) => {
      // The IAM client loads only for this command.
      const { revoke } = await import('./run/revoke');
      context.exit(await revoke(options, context.io));
    });
}

/** Checks a --before value: an ISO 8601 instant, not in the future. */
export function parseRevokeTime(value: string | undefined, now = new Date()): Date {
  if (value === undefined) return now;
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
    ? new Date(value)
    : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) {
    throw new UsageError(
      '--before must be an ISO 8601 time with a zone, e.g. 2026-01-01T12:00:00Z',
    );
  }
  if (at.getTime() > now.getTime() + MAX_FUTURE_MS) {
    throw new UsageError(
      '--before must not be in the future (it would deny sessions not yet issued)',
    );
  }
  return at;
}

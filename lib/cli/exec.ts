import type { Command } from 'commander';
import {
  authOption,
  type CommandContext,
  durationOption,
  grantOption,
  profileOption,
  roleArnOption,
  serverIdOption,
  sessionPolicyOption,
  UsageError,
  urlOption,
} from './command';
import type { RequestCredentials } from './run/credentials';
import type { ExecOptions } from './run/exec';

/** `rolebroker exec`: runs a command with a role's credentials. */
export function execCommand(
  program: Command,
  context: CommandContext,
  request?: RequestCredentials,
): Command {
  const command = program
    .command('exec')
    .summary("run a command with a role's credentials")
    .description(
      "Runs COMMAND with the role's credentials, signing as the caller (default chain or --profile). By default the child's AWS SDKs get them from a local credential server in this process (AWS_CONTAINER_CREDENTIALS_FULL_URI), refreshed before they expire; --no-server passes AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN instead. Inherited credential variables (AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_CONTAINER_*, ...) are removed. A [default] profile with credentials in the child's shared config files still wins over the server: see docs/callers.md.",
    )
    .usage('--url <url> --role-arn <arn> [options] -- <command> [args...]')
    .argument('[command...]', 'the command to run, after --')
    .addOption(urlOption())
    .addOption(roleArnOption('the role to run the command as'))
    .addOption(grantOption())
    .addOption(durationOption(true))
    .addOption(sessionPolicyOption())
    .option('--no-server', 'pass key variables instead of running the local credential server')
    .addOption(authOption())
    .addOption(serverIdOption())
    .addOption(profileOption())
    .addHelpText(
      'after',
      "\nexit codes: the command's own status (128 + N when signal N ended it), 2 usage,\n" +
        '3 denied (401/403) and 4 any other failure before the command starts',
    );
  return command.action(async (args: string[], options: ExecOptions) => {
    // Everything after `--` is the command, even its flags; nothing before it may be.
    const raw = context.argv;
    const end = raw.indexOf('--');
    const after = end < 0 ? [] : raw.slice(end + 1);
    if (args.length === 0) throw new UsageError('missing command after --');
    if (after.length !== args.length || after.some((a, i) => a !== args[i])) {
      throw new UsageError('the command goes after --: rolebroker exec [options] -- COMMAND');
    }
    const { exec } = await import('./run/exec');
    context.exit(await exec(options, args, context.io, request));
  });
}

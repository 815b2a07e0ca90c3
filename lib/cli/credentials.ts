import { type Command, Option } from 'commander';
import {
  authOption,
  type CommandContext,
  durationOption,
  grantOption,
  profileOption,
  roleArnOption,
  serverIdOption,
  sessionPolicyOption,
  urlOption,
} from './command';
import type { CredentialsOptions, RequestCredentials } from './run/credentials';

/** `rolebroker credentials`: the caller asks the broker for a session of a role. */
export function credentialsCommand(
  program: Command,
  context: CommandContext,
  request?: RequestCredentials,
): Command {
  return program
    .command('credentials')
    .summary('get credentials for a role from the broker')
    .description(
      "Asks the broker for credentials for a role, signing as the caller (the AWS SDK's default credential chain, or --profile).",
    )
    .usage('--url <url> --role-arn <arn> [options]')
    .addOption(urlOption())
    .addOption(roleArnOption('the role to get credentials for'))
    .addOption(grantOption())
    .addOption(durationOption(false))
    .addOption(sessionPolicyOption())
    .addOption(
      new Option(
        '--format <format>',
        'print the 200 body, shell exports or credential_process JSON',
      )
        .choices(['json', 'env', 'process'])
        .default('json'),
    )
    .addOption(authOption())
    .addOption(serverIdOption())
    .addOption(profileOption())
    .option(
      '--no-cache',
      'neither read nor write the cache of sessions ($XDG_CACHE_HOME/rolebroker or ~/.cache/rolebroker)',
    )
    .addHelpText('after', '\nexit codes: 0 ok, 2 usage, 3 denied (401/403), 4 any other failure')
    .action(async (options: CredentialsOptions) => {
      // Loaded only now, so that --help and usage errors load no AWS SDK.
      const { credentials } = await import('./run/credentials');
      context.exit(await credentials(options, context.io, context.argv, request));
    });
}

import type { Command } from 'commander';
import {
  authOption,
  type CommandContext,
  parseDuration,
  profileOption,
  roleArnArgument,
  serverIdOption,
  UsageError,
  urlOption,
} from './command';
import type { ConsoleOptions } from './run/console';

/** `rolebroker console`: an AWS console sign-in URL for a session the broker issues. */
export function consoleCommand(program: Command, context: CommandContext): Command {
  return program
    .command('console')
    .summary('open the AWS console as a role')
    .description(
      "Gets a session for the role from the broker (like credentials), turns it into a sign-in token at the partition's federation endpoint (getSigninToken) and opens the console sign-in URL in a browser, or prints it (--print, or when no browser can be started). The console session lasts as long as the credentials.",
    )
    .usage('--url <url> --role-arn <arn> [options]')
    .addOption(urlOption())
    .requiredOption('--role-arn <arn>', 'the role to sign in as', roleArnArgument('--role-arn'))
    .option('--grant <name>', 'the grant to use when several allow the role')
    .option(
      '--duration <seconds>',
      'session duration: 900..3600, or max (default: the grant decides)',
      parseDuration,
    )
    .option(
      '--destination <url>',
      "console page to open (default: the partition's console home)",
      parseDestination,
    )
    .option('--print', 'print the sign-in URL instead of opening a browser')
    .addOption(authOption())
    .addOption(serverIdOption())
    .addOption(profileOption())
    .addHelpText(
      'after',
      '\nThe URL signs in whoever holds it while the token lasts (15 minutes): do not share it.' +
        '\nexit codes: 0 ok, 2 usage, 3 denied (401/403), 4 any other failure (federation endpoint included)',
    )
    .action(async (options: ConsoleOptions) => {
      const { consoleSignin } = await import('./run/console');
      context.exit(await consoleSignin(options, context.io));
    });
}

function parseDestination(value: string): string {
  if (!/^https:\/\//.test(value) || !URL.canParse(value)) {
    throw new UsageError('--destination must be an https URL of the console');
  }
  return value;
}

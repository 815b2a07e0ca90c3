import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { LONGEST_SESSION } from '../contract';
import {
  authOption,
  type CommandContext,
  profileOption,
  serverIdOption,
  UsageError,
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
    .requiredOption('--role-arn <arn>', 'the role to get credentials for')
    .option('--grant <name>', 'the grant to use when several allow the role')
    .option(
      '--duration <seconds>',
      'session duration in seconds, or "max" for the longest the grant allows (default: "max" for --format process, else 900)',
      parseDuration,
    )
    .option(
      '--session-policy <file>',
      'JSON session policy that narrows the session',
      readSessionPolicy,
    )
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
      context.exit(await credentials(options, context.io, request));
    });
}

function parseDuration(value: string): number | typeof LONGEST_SESSION {
  if (value === LONGEST_SESSION) return value;
  if (!/^\d{1,5}$/.test(value)) {
    throw new UsageError('--duration must be a number of seconds or "max"');
  }
  return Number(value);
}

function readSessionPolicy(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--session-policy: cannot read a JSON policy: ${(error as Error).message}`,
    );
  }
}

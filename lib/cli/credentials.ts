import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
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
      'session duration: 900..3600, or max (default: the grant decides)',
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
    .addHelpText('after', '\nexit codes: 0 ok, 2 usage, 3 denied (401/403), 4 any other failure')
    .action(async (options: CredentialsOptions) => {
      // Loaded only now, so that --help and usage errors load no AWS SDK.
      const { credentials } = await import('./run/credentials');
      context.exit(await credentials(options, context.io, request));
    });
}

/** Chained role sessions last 900..3600 s; the grant's maximum decides within that. */
export function parseDuration(value: string): number | 'max' {
  if (value === 'max') return value;
  const seconds = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= 900 && seconds <= 3600)) {
    throw new UsageError(
      "--duration must be 900..3600 seconds or max (the grant's maximum decides; the broker names it)",
    );
  }
  return seconds;
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

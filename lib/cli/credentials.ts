import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { BrokerCredentials, requestCredentials } from '../client';
import {
  authOption,
  brokerUrl,
  type CliIo,
  type CommandContext,
  EXIT,
  profileOption,
  serverIdOption,
  UsageError,
  urlOption,
} from './command';

export type RequestCredentials = typeof requestCredentials;

type Format = 'json' | 'env' | 'process';

interface CredentialsOptions {
  url: string;
  roleArn: string;
  grant?: string;
  duration?: number;
  sessionPolicy?: string;
  format: Format;
  auth: 'iam' | 'sts';
  serverId?: string;
}

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
    .option('--duration <seconds>', 'session duration (default: the grant decides)', parseDuration)
    .option('--session-policy <file>', 'JSON session policy that narrows the session')
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
      context.exit(await credentials(options, context.io, request));
    });
}

function parseDuration(value: string): number {
  if (!/^\d{1,5}$/.test(value)) throw new UsageError('--duration must be a number of seconds');
  return Number(value);
}

async function readSessionPolicy(file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--session-policy: cannot read a JSON policy: ${(error as Error).message}`,
    );
  }
}

async function credentials(
  options: CredentialsOptions,
  io: CliIo,
  request: RequestCredentials | undefined,
): Promise<number> {
  const url = brokerUrl(options.url);
  const sessionPolicy =
    options.sessionPolicy === undefined
      ? undefined
      : await readSessionPolicy(options.sessionPolicy);
  // Loaded only now, so that --help and usage errors load no AWS SDK.
  const client = await import('../client');
  try {
    const body = await (request ?? client.requestCredentials)({
      url,
      roleArn: options.roleArn,
      grant: options.grant,
      durationSeconds: options.duration,
      sessionPolicy,
      auth: options.auth,
      serverId: options.serverId,
    });
    io.stdout(`${formatCredentials(body, options.format)}\n`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof client.BrokerRequestError)) {
      io.stderr(`rolebroker: ${(error as Error).message}\n`);
      return EXIT.failed;
    }
    const where = error.status ? `${error.status} ${error.code}` : error.code;
    const id = error.requestId ? ` (request id ${error.requestId})` : '';
    io.stderr(`rolebroker: ${where}: ${error.message}${id}\n`);
    if (error.code === 'Usage') return EXIT.usage;
    return error.status === 401 || error.status === 403 ? EXIT.denied : EXIT.failed;
  }
}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** Renders a 200 body in one of the contract's output formats. */
export function formatCredentials(body: BrokerCredentials, format: Format): string {
  const c = body.Credentials;
  if (format === 'env') {
    return [
      `export AWS_ACCESS_KEY_ID=${shellQuote(c.AccessKeyId)}`,
      `export AWS_SECRET_ACCESS_KEY=${shellQuote(c.SecretAccessKey)}`,
      `export AWS_SESSION_TOKEN=${shellQuote(c.SessionToken)}`,
      `export AWS_CREDENTIAL_EXPIRATION=${shellQuote(c.Expiration)}`,
    ].join('\n');
  }
  if (format === 'process') {
    return JSON.stringify({
      Version: 1,
      AccessKeyId: c.AccessKeyId,
      SecretAccessKey: c.SecretAccessKey,
      SessionToken: c.SessionToken,
      Expiration: c.Expiration,
    });
  }
  return JSON.stringify(body, null, 2);
}

import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { REGION, SSM_PREFIX } from '../config';
import { durationRule, MAX_CHAINED_SESSION_SECONDS, MIN_SESSION_SECONDS } from '../contract';
import { parseRoleArn } from '../principals';
import { CLI_SET_ENV, RESOLVING_CALLER_ENV } from './cli-env';

/** Exit codes of every command (1: the audit's findings, or a grant command's refusal). */
export const EXIT = { ok: 0, findings: 1, refused: 1, usage: 2, denied: 3, failed: 4 } as const;

export { CLI_SET_ENV, RESOLVING_CALLER_ENV } from './cli-env';

/** The user's environment for a child process: `env` without what the CLI set for itself. */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of [...CLI_SET_ENV, RESOLVING_CALLER_ENV]) delete out[name];
  return out;
}

export const SELF_CALL_MESSAGE =
  "credential_process calls rolebroker again: give --profile with the caller's own credentials";

/** Where the CLI reads and writes: the process in bin.ts, arrays in tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

/** What a command's action gets: the io, and where to put its exit code. */
export interface CommandContext {
  readonly io: CliIo;
  /** The command line as given to main() (exec finds its `--` in it). */
  readonly argv: readonly string[];
  /** Records the exit code (commander drops what an action returns). */
  exit(code: number): void;
}

/** A command line the CLI refuses: exit 2, the message names the flag. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An option that falls back to a variable of the caller's environment (see completeOptions). */
export class EnvOption extends Option {
  constructor(
    flags: string,
    description: string,
    readonly envName: string,
  ) {
    super(flags, `${description} (env: ${envName})`);
  }
}

/**
 * Runs before each action of `command`: EnvOptions the command line left unset come from
 * io.env (commander's Option.env() reads process.env), checked by their parser; then the
 * required options, checked after commander has refused unknown flags (its own check comes
 * first), so that `credentials --fail-on high` names --fail-on.
 */
export function completeOptions(command: Command, env: NodeJS.ProcessEnv): void {
  const required = command.options.filter((o) => o.mandatory);
  for (const option of required) option.makeOptionMandatory(false);
  command.hook('preAction', () => {
    for (const option of command.options) {
      if (!(option instanceof EnvOption)) continue;
      const key = option.attributeName();
      const value = env[option.envName];
      const source = command.getOptionValueSource(key);
      if (value === undefined || (source !== undefined && source !== 'default')) continue;
      try {
        command.setOptionValueWithSource(key, option.parseArg?.(value, undefined) ?? value, 'env');
      } catch (error) {
        throw new UsageError(`${(error as Error).message} (from ${option.envName})`);
      }
    }
    const missing = required.find((o) => command.getOptionValue(o.attributeName()) === undefined);
    if (!missing) return;
    const hint = missing instanceof EnvOption ? ` (or set ${missing.envName})` : '';
    throw new UsageError(`${missing.long} is required${hint}`);
  });
}

// The flags `credentials` and `audit` share to reach the broker as the caller.

export const urlOption = () =>
  new EnvOption('--url <url>', 'base URL of the broker API', 'ROLEBROKER_URL')
    .argParser(brokerUrl)
    .makeOptionMandatory();

export const authOption = () =>
  new EnvOption(
    '--auth <mode>',
    'how the broker authenticates the caller: SigV4 or an STS token',
    'ROLEBROKER_AUTH',
  )
    .choices(['iam', 'sts'])
    .default('iam');

export const serverIdOption = () =>
  new EnvOption(
    '--server-id <id>',
    "the broker's server id (sts mode; default: the host of --url)",
    'ROLEBROKER_SERVER_ID',
  );

export const profileOption = () =>
  new Option('--profile <name>', 'AWS profile to sign with (sets AWS_PROFILE)');

// The flags of the commands that read or write grants in SSM with the operator's credentials.

export const prefixOption = () =>
  new EnvOption('--prefix <path>', 'SSM path of the grants', 'ROLEBROKER_SSM_PREFIX')
    .argParser(ssmPrefix)
    .default('/rolebroker');

export const regionOption = () =>
  new Option(
    '--region <region>',
    "AWS region of the grants (default: the SDK's, AWS_REGION or the profile's)",
  ).argParser((value: string) => {
    if (!REGION.test(value)) {
      throw new UsageError('--region must be an AWS region such as eu-west-1');
    }
    return value;
  });

/** An argument parser for a flag that takes an IAM role ARN. */
export const roleArnArgument = (flag: string) => (value: string) => {
  if (!parseRoleArn(value)) throw new UsageError(`${flag} must be an IAM role ARN`);
  return value;
};

/** Per-attempt timeout of the operator's own AWS calls (grants, revoke, audit), seconds. */
export const awsTimeoutOption = () =>
  new Option(
    '--aws-timeout <seconds>',
    'give up on an AWS attempt after this long (3 attempts; 1-300)',
  )
    .argParser((value: string) => {
      const seconds = Number(value);
      if (!/^\d+$/.test(value) || seconds < 1 || seconds > 300) {
        throw new UsageError('--aws-timeout must be a whole number of seconds from 1 to 300');
      }
      return seconds;
    })
    .default(10);

/** The broker's own rule for ROLEBROKER_SSM_PREFIX. */
function ssmPrefix(value: string): string {
  if (!SSM_PREFIX.test(value)) {
    throw new UsageError('--prefix must look like /name or /a/b, without a trailing slash');
  }
  return value;
}

// The flags of a request for a role's session: `credentials`, `exec` and `serve`.

/** The request flags of `credentials`, `exec` and `serve` (the last two default --duration to max). */
export interface SessionRequestOptions {
  url: string;
  roleArn: string;
  grant?: string;
  /** Unset: the broker's default (900 s). */
  duration?: number | 'max';
  sessionPolicy?: Record<string, unknown>;
  auth: 'iam' | 'sts';
  serverId?: string;
}

export const roleArnOption = (description: string) =>
  new Option('--role-arn <arn>', description).makeOptionMandatory();

export const grantOption = () =>
  new Option('--grant <name>', 'the grant to use when several allow the role');

/**
 * `--duration`: whole seconds, or `max` (the grant's maximum). With `maxByDefault`, `max` is
 * also the default (what `exec` and `serve` ask for); `credentials` picks its default by format.
 */
export const durationOption = (maxByDefault: boolean) => {
  const option = new Option(
    '--duration <seconds|max>',
    maxByDefault
      ? 'session duration, or max for the longest the grant allows'
      : 'session duration, or max for the longest the grant allows (default: max for --format process, else 900)',
  ).argParser(parseDuration);
  return maxByDefault ? option.default('max') : option;
};

export const sessionPolicyOption = () =>
  new Option('--session-policy <file>', 'JSON session policy that narrows the session').argParser(
    readSessionPolicy,
  );

/** 900..3600 seconds (STS's floor, the chained-session ceiling) or max; the grant decides. */
export function parseDuration(value: string): number | 'max' {
  if (value === 'max') return value;
  const seconds = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= MIN_SESSION_SECONDS && seconds <= MAX_CHAINED_SESSION_SECONDS)) {
    throw new UsageError(`--duration ${durationRule()}`);
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

/** Routes of the API: a --url ending in one is a route's URL, not the API's base URL. */
const ROUTE = /\/(credentials|roles|health)\/*$/;

function brokerUrl(url: string): string {
  if (!/^https?:\/\//.test(url) || !URL.canParse(url)) {
    throw new UsageError('--url must be an http(s) URL');
  }
  const route = ROUTE.exec(new URL(url).pathname)?.[1];
  if (route) {
    throw new UsageError(
      `--url is the API's base URL (e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod), without /${route}`,
    );
  }
  return url;
}

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { brokerIamClients, failsAt, formatReport, runAudit, type Severity } from '../audit';
import { type BrokerCredentials, BrokerRequestError, requestCredentials } from '../client';
import { parseRoleArn, partitionOf } from '../principals';
import { parseRevokeTime, REVOKE_POLICY_NAME, revokeSessions } from './revoke';

const USAGE = `usage: rolebroker credentials --url URL --role-arn ARN [--grant NAME] [--duration SECONDS]
                              [--session-policy FILE] [--format json|env|process] [--auth iam|sts]
                              [--profile NAME] [--server-id ID]
       rolebroker audit --url URL --audit-role ARN [--audit-role ARN ...] [--prefix PATH]
                        [--format table|json] [--fail-on high|medium|low|none]
                        [--auth iam|sts] [--profile NAME] [--server-id ID]
       rolebroker revoke --role-arn ARN [--before TIMESTAMP] [--profile NAME]

credentials: asks the broker for credentials for ARN, signing as the caller (the AWS SDK's
default credential chain, or --profile).
audit: checks every grant under PATH (default $ROLEBROKER_SSM_PREFIX or /rolebroker) and
its roles, reading IAM with credentials the broker issues for each --audit-role.
revoke: denies every session of the role issued before TIMESTAMP (default: now) with AWS's
revoke-older-sessions inline policy (AWSRevokeOlderSessions), using the operator's own
credentials (default chain or --profile; needs iam:PutRolePolicy), not the broker.
--url defaults to $ROLEBROKER_URL, --server-id (sts mode) to $ROLEBROKER_SERVER_ID.

Exit codes: 0 ok, 1 audit findings at or above --fail-on (default high), 2 usage,
3 denied (401/403), 4 any other failure.`;

export const EXIT = { ok: 0, findings: 1, usage: 2, denied: 3, failed: 4 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** Renders a 200 body in one of the contract's output formats. */
export function formatCredentials(
  body: BrokerCredentials,
  format: 'json' | 'env' | 'process',
): string {
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

async function parse(argv: string[], env: NodeJS.ProcessEnv) {
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true as const };
  const command = positionals[0];
  if (
    positionals.length !== 1 ||
    (command !== 'credentials' && command !== 'audit' && command !== 'revoke')
  ) {
    throw new UsageError(
      positionals.length ? `unknown command: ${positionals.join(' ')}` : 'missing command',
    );
  }
  if (command === 'revoke') {
    const roleArn = values['role-arn'];
    if (!roleArn) throw new UsageError('--role-arn is required');
    if (!parseRoleArn(roleArn)) throw new UsageError('--role-arn must be an IAM role ARN');
    let before: Date;
    try {
      before = parseRevokeTime(values.before);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    return {
      help: false as const,
      command: 'revoke' as const,
      profile: values.profile,
      revoke: { roleArn, before },
    };
  }
  const url = values.url ?? env.ROLEBROKER_URL;
  if (!url) throw new UsageError('--url is required (or set ROLEBROKER_URL)');
  if (!/^https?:\/\//.test(url)) throw new UsageError('--url must be an http(s) URL');
  const auth = values.auth ?? 'iam';
  if (auth !== 'iam' && auth !== 'sts') throw new UsageError('--auth must be iam or sts');
  const serverId = values['server-id'] ?? env.ROLEBROKER_SERVER_ID;
  if (command === 'audit') {
    const format = values.format ?? 'table';
    if (format !== 'table' && format !== 'json')
      throw new UsageError('--format must be table or json');
    const failOn = values['fail-on'] ?? 'high';
    if (failOn !== 'high' && failOn !== 'medium' && failOn !== 'low' && failOn !== 'none') {
      throw new UsageError('--fail-on must be high, medium, low or none');
    }
    const auditRoles = values['audit-role'] ?? [];
    if (auditRoles.length === 0) throw new UsageError('--audit-role is required (one per account)');
    return {
      help: false as const,
      command: 'audit' as const,
      profile: values.profile,
      audit: {
        url,
        auth,
        serverId,
        auditRoles,
        prefix: values.prefix ?? env.ROLEBROKER_SSM_PREFIX ?? '/rolebroker',
        format,
        failOn,
      } as AuditCommand,
    };
  }
  if (!values['role-arn']) throw new UsageError('--role-arn is required');
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'env' && format !== 'process') {
    throw new UsageError('--format must be json, env or process');
  }
  const outputFormat: 'json' | 'env' | 'process' = format;
  let durationSeconds: number | undefined;
  if (values.duration !== undefined) {
    if (!/^\d{1,5}$/.test(values.duration))
      throw new UsageError('--duration must be a number of seconds');
    durationSeconds = Number(values.duration);
  }
  let sessionPolicy: Record<string, unknown> | undefined;
  if (values['session-policy'] !== undefined) {
    try {
      sessionPolicy = JSON.parse(await readFile(values['session-policy'], 'utf8'));
    } catch (error) {
      throw new UsageError(
        `--session-policy: cannot read a JSON policy: ${(error as Error).message}`,
      );
    }
  }
  return {
    help: false as const,
    command: 'credentials' as const,
    format: outputFormat,
    profile: values.profile,
    request: {
      url,
      roleArn: values['role-arn'],
      grant: values.grant,
      durationSeconds,
      sessionPolicy,
      auth,
      serverId,
    } as const,
  };
}

const OPTIONS = {
  url: { type: 'string' },
  'role-arn': { type: 'string' },
  grant: { type: 'string' },
  duration: { type: 'string' },
  'session-policy': { type: 'string' },
  format: { type: 'string' },
  auth: { type: 'string' },
  profile: { type: 'string' },
  'server-id': { type: 'string' },
  'audit-role': { type: 'string', multiple: true },
  prefix: { type: 'string' },
  'fail-on': { type: 'string' },
  before: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `rolebroker ARGS`; returns the exit code. Output goes only through `io`. */
export async function main(
  argv: string[],
  io: CliIo,
  request: typeof requestCredentials = requestCredentials,
): Promise<number> {
  let args: Awaited<ReturnType<typeof parse>>;
  try {
    args = await parse(argv, io.env);
  } catch (error) {
    io.stderr(`rolebroker: ${(error as Error).message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (args.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT.ok;
  }
  // The SDK reads a profile's region and endpoint_url only through AWS_PROFILE.
  if (args.profile) io.env.AWS_PROFILE = args.profile;
  if (args.command === 'audit') return audit(args.audit, io);
  if (args.command === 'revoke') return revoke(args.revoke, io);
  try {
    const body = await request(args.request);
    io.stdout(`${formatCredentials(body, args.format)}\n`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof BrokerRequestError)) {
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

interface AuditCommand {
  url: string;
  auth: 'iam' | 'sts';
  serverId?: string;
  auditRoles: string[];
  prefix: string;
  format: 'table' | 'json';
  failOn: Severity | 'none';
}

async function audit(options: AuditCommand, io: CliIo): Promise<number> {
  const ssm = new SSMClient({});
  try {
    const report = await runAudit({
      ssm,
      prefix: options.prefix,
      partition: partitionOf(await ssm.config.region()),
      iamFor: brokerIamClients(options),
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

async function revoke(options: { roleArn: string; before: Date }, io: CliIo): Promise<number> {
  const iam = new IAMClient({});
  try {
    await revokeSessions(iam, options.roleArn, options.before);
    io.stdout(
      `revoked: sessions of ${options.roleArn} issued before ${options.before.toISOString()} are denied (inline policy ${REVOKE_POLICY_NAME})\n`,
    );
    return EXIT.ok;
  } catch (error) {
    const name = (error as Error).name;
    io.stderr(`rolebroker: revoke failed: ${name}: ${(error as Error).message}\n`);
    return name === 'AccessDenied' || name === 'AccessDeniedException' ? EXIT.denied : EXIT.failed;
  } finally {
    iam.destroy();
  }
}

import { type BrokerCredentials, requestCredentials } from '../../client';
import { type CliIo, EXIT } from '../command';
import { reportBrokerError } from './caller-error';

export type RequestCredentials = typeof requestCredentials;

export type Format = 'json' | 'env' | 'process';

export interface CredentialsOptions {
  url: string;
  roleArn: string;
  grant?: string;
  duration?: number | 'max';
  sessionPolicy?: Record<string, unknown>;
  format: Format;
  auth: 'iam' | 'sts';
  serverId?: string;
}

/** `rolebroker credentials`: asks the broker once and prints the session. */
export async function credentials(
  options: CredentialsOptions,
  io: CliIo,
  request: RequestCredentials = requestCredentials,
): Promise<number> {
  try {
    const body = await request({
      url: options.url,
      roleArn: options.roleArn,
      grant: options.grant,
      durationSeconds: options.duration,
      sessionPolicy: options.sessionPolicy,
      auth: options.auth,
      serverId: options.serverId,
    });
    io.stdout(`${formatCredentials(body, options.format)}\n`);
    return EXIT.ok;
  } catch (error) {
    return reportBrokerError(error, io, options.auth);
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

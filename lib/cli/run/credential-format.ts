// The output formats of `rolebroker credentials`: a leaf module (types only besides), so the
// fast path (lib/cli/fast-path.ts) prints a hit without loading commander.
import type { BrokerCredentials } from '../../client';

export type Format = 'json' | 'env' | 'process';

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

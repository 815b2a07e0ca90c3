import { IAMClient, type IAMClientConfig } from '@aws-sdk/client-iam';
import { fromBroker } from '../client';
import { parseRoleArn } from '../principals';

export interface AuditCredentialOptions {
  /** The broker's base URL. */
  readonly url: string;
  /** One read-only audit role per account (iam:GetRole), each covered by a grant for the auditor. */
  readonly auditRoles: readonly string[];
  readonly auth?: 'iam' | 'sts';
  readonly serverId?: string;
  /** Timeouts and attempts for the IAM clients (the caller's: Lambda's or the CLI's). */
  readonly clientConfig?: Pick<IAMClientConfig, 'maxAttempts' | 'requestHandler'>;
}

/**
 * IAM clients for the audit, one per account, each with short-lived credentials the broker
 * issues for that account's audit role: the audit never uses long-lived keys for IAM reads.
 */
export function brokerIamClients(
  options: AuditCredentialOptions,
): (accountId: string) => IAMClient | undefined {
  const byAccount = new Map<string, IAMClient>();
  for (const roleArn of options.auditRoles) {
    const role = parseRoleArn(roleArn);
    if (!role) throw new Error(`audit role ${roleArn} is not an IAM role ARN`);
    byAccount.set(
      role.accountId,
      new IAMClient({
        ...options.clientConfig,
        credentials: fromBroker({
          url: options.url,
          roleArn,
          auth: options.auth,
          serverId: options.serverId,
        }),
      }),
    );
  }
  return (accountId) => byAccount.get(accountId);
}

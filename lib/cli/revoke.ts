import { type IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { parseRoleArn } from '../principals';

/** The inline policy name the IAM console's "Revoke active sessions" uses; a rerun replaces it. */
export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';

/** Clock skew allowed for --before; a later time would also deny sessions not yet issued. */
const MAX_FUTURE_MS = 60_000;

/** AWS's revoke-older-sessions policy: deny everything to sessions issued before `before`. */
export function revokePolicy(before: Date): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: ['*'],
        Resource: ['*'],
        Condition: { DateLessThan: { 'aws:TokenIssueTime': before.toISOString() } },
      },
    ],
  });
}

/** Checks a --before value: an ISO 8601 instant, not in the future. */
export function parseRevokeTime(value: string | undefined, now = new Date()): Date {
  if (value === undefined) return now;
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
    ? new Date(value)
    : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) {
    throw new Error('--before must be an ISO 8601 time with a zone, e.g. 2026-01-01T12:00:00Z');
  }
  if (at.getTime() > now.getTime() + MAX_FUTURE_MS) {
    throw new Error('--before must not be in the future (it would deny sessions not yet issued)');
  }
  return at;
}

/**
 * Revokes every session of `roleArn` issued before `before`, whoever issued it (the broker
 * or anyone else), by putting the revoke-older-sessions inline policy on the role. Needs
 * iam:PutRolePolicy in the role's account: run it with operator credentials.
 */
export async function revokeSessions(iam: IAMClient, roleArn: string, before: Date) {
  const role = parseRoleArn(roleArn);
  if (!role) throw new Error('--role-arn must be an IAM role ARN');
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: role.name,
      PolicyName: REVOKE_POLICY_NAME,
      PolicyDocument: revokePolicy(before),
    }),
  );
}

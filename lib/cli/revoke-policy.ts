// The policy `rolebroker revoke` writes; pure, so help text and the action can share it.

/** The inline policy name the IAM console's "Revoke active sessions" uses; a rerun replaces it. */
export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';

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

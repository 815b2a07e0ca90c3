import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { parseRoleArn } from '../../principals';
import { type CliIo, EXIT } from '../command';
import { REVOKE_POLICY_NAME, revokePolicy } from '../revoke-policy';
import { awsFailure } from './caller-error';
import { operatorClientConfig } from './operator-clients';

export interface RevokeOptions {
  roleArn: string;
  before?: Date;
  /** Per-attempt timeout of the IAM call, seconds (--aws-timeout). */
  awsTimeout: number;
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

/** `rolebroker revoke` with the operator's credentials (default chain or --profile). */
export async function revoke(options: RevokeOptions, io: CliIo): Promise<number> {
  const before = options.before ?? new Date();
  const iam = new IAMClient(operatorClientConfig(options.awsTimeout));
  try {
    await revokeSessions(iam, options.roleArn, before);
    io.stdout(
      `revoked: sessions of ${options.roleArn} issued before ${before.toISOString()} are denied (inline policy ${REVOKE_POLICY_NAME})\n`,
    );
    return EXIT.ok;
  } catch (error) {
    const failure = awsFailure(
      error,
      io.env,
      `the operator's credentials (--profile or the default chain) need iam:PutRolePolicy on ${options.roleArn}`,
    );
    io.stderr(`rolebroker: revoke failed: ${failure.line}\n`);
    return failure.code;
  } finally {
    iam.destroy();
  }
}

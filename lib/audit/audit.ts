import { GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { awsErrorName } from '../aws';
import { BrokerRequestError } from '../client';
import { HUB_SESSION_NAME } from '../contract';
import { formatInstant, type Grant, parseGrant, readGrantParameters } from '../grants';
import { type Partition, parseRoleArn } from '../principals';
import { type Finding, SEVERITY_RANK, type Severity } from './findings';
import { auditTrust, parseTrustPolicy } from './trust';

export interface AuditReport {
  readonly findings: readonly Finding[];
  readonly summary: {
    readonly grants: number;
    readonly roles: number;
    readonly high: number;
    readonly medium: number;
    readonly low: number;
  };
}

export interface AuditOptions {
  /** Reads the grants (the audit reports invalid and disabled ones too). */
  readonly ssm: SSMClient;
  readonly prefix: string;
  readonly partition: Partition;
  /** An IAM client with read-only credentials for that account (from the broker), if any. */
  readonly iamFor: (accountId: string) => IAMClient | undefined;
  /**
   * The broker's execution role, when known. Each hop's trust policy is then checked against
   * the principal that really assumes it: this role for the first hop, the hub before it
   * (role or its `rolebroker-hub` session) for the next. Unknown, any named principal may be
   * the broker.
   */
  readonly brokerRoleArn?: string;
  /** Clock in epoch ms, for grant windows. Default Date.now. */
  readonly now?: () => number;
}

/** Checks on a grant document alone: storage type, schema, window, principals breadth. */
function auditGrantParameter(
  name: string,
  type: string,
  value: string,
  partition: Partition,
  now: number,
): { findings: Finding[]; grant?: Grant } {
  const findings: Finding[] = [];
  if (type === 'String') {
    findings.push({
      check: 'grant-not-secure-string',
      severity: 'medium',
      grant: name,
      message:
        'grant is stored as String: its external ID is readable by anyone with ssm:GetParameter',
      fix: `store it as SecureString (aws ssm put-parameter --type SecureString --overwrite ...)`,
    });
  }
  const parsed = parseGrant(name, value, partition);
  if (!parsed.ok || (type !== 'String' && type !== 'SecureString')) {
    const reason = parsed.ok ? `parameter type ${type}` : parsed.reason;
    findings.push({
      check: 'grant-invalid',
      severity: 'high',
      grant: name,
      message: `grant is invalid and skipped by the broker: ${reason}`,
      fix: 'fix the grant so it matches the schema in the README',
    });
    return { findings };
  }
  const grant = parsed.grant;
  if (grant.notAfter !== undefined && grant.notAfter <= now) {
    findings.push({
      check: 'grant-expired',
      severity: 'low',
      grant: name,
      message: `grant's window closed at ${formatInstant(grant.notAfter)}: the broker no longer issues sessions for it`,
      fix: 'delete the parameter, or move notAfter if the access is still meant',
    });
  }
  for (const p of grant.principals) {
    // role/* and the like match every role (or user) session of the account.
    const everyName = /:(?:role|user)\/[*?/]+$|:assumed-role\/[*?]+\/[*?]+$/.test(p.source);
    if (p.scope === 'account' || everyName) {
      findings.push({
        check: 'principals-whole-account',
        severity: 'high',
        grant: name,
        message: `principal ${p.source} matches every principal of account ${p.accountId}`,
        fix: 'name the roles or users that need this grant',
      });
    }
    if (p.crossedPathBefore) {
      findings.push({
        check: 'principal-wildcard-path',
        severity: 'medium',
        grant: name,
        message: `principal ${p.source} matched users under other IAM paths before wildcards stopped at "/" (issue 12); it now matches fewer users`,
        fix: 'check the users it should admit still match; add a pattern per path level (user/ops/*/*) if one is meant',
      });
    }
  }
  return { findings, grant };
}

/**
 * Audits every grant under the prefix, including disabled and invalid ones: the grant
 * documents, then each target and hub role's existence, trust policy and session limit.
 */
export async function runAudit(options: AuditOptions): Promise<AuditReport> {
  const parameters = await readGrantParameters(options.ssm, options.prefix);
  const now = (options.now ?? Date.now)();
  const findings: Finding[] = [];
  const roles = new Map<
    string,
    Promise<
      { ok: true; trust: string; maxSession: number } | { ok: false; check: string; why: string }
    >
  >();

  const getRole = (roleArn: string) => {
    let pending = roles.get(roleArn);
    if (!pending) {
      const role = parseRoleArn(roleArn);
      const iam = role ? options.iamFor(role.accountId) : undefined;
      pending =
        !role || !iam
          ? Promise.resolve({
              ok: false as const,
              check: 'role-unreadable',
              why: 'no audit role for its account',
            })
          : iam.send(new GetRoleCommand({ RoleName: role.name })).then(
              (out) => ({
                ok: true as const,
                trust: out.Role?.AssumeRolePolicyDocument ?? '',
                maxSession: out.Role?.MaxSessionDuration ?? 3600,
              }),
              (error: unknown) => {
                const why =
                  error instanceof BrokerRequestError
                    ? `broker: ${error.status} ${error.code}`
                    : awsErrorName(error);
                const missing = why === 'NoSuchEntityException' || why === 'NoSuchEntity';
                return {
                  ok: false as const,
                  check: missing ? 'role-missing' : 'role-unreadable',
                  why,
                };
              },
            );
      roles.set(roleArn, pending);
    }
    return pending;
  };

  for (const { name, type, value } of parameters) {
    const checked = auditGrantParameter(name, type, value, options.partition, now);
    findings.push(...checked.findings);
    const grant = checked.grant;
    if (!grant) continue;
    const hops = [
      ...grant.via.map((arn) => ({ arn, hop: 'hub' as const })),
      { arn: grant.roleArn, hop: 'target' as const },
    ];
    for (const [i, { arn, hop }] of hops.entries()) {
      const assumer = i === 0 ? options.brokerRoleArn : hops[i - 1]?.arn;
      const role = await getRole(arn);
      if (!role.ok) {
        findings.push(
          role.check === 'role-missing'
            ? {
                check: 'role-missing',
                severity: 'high',
                grant: name,
                role: arn,
                message: `${hop} role does not exist`,
                fix: 'create the role or fix the ARN in the grant',
              }
            : {
                check: 'role-unreadable',
                severity: 'medium',
                grant: name,
                role: arn,
                message: `${hop} role could not be read with the audit credentials for its account (${role.why})`,
                fix: 'add an audit grant (iam:GetRole) for that account and pass its role to the audit',
              },
        );
        continue;
      }
      const statements = parseTrustPolicy(role.trust);
      if (!statements) {
        findings.push({
          check: 'trust-unreadable',
          severity: 'medium',
          grant: name,
          role: arn,
          message: 'trust policy is not valid JSON',
          fix: "fix the role's trust policy",
        });
        continue;
      }
      findings.push(
        ...auditTrust(statements, {
          grant: name,
          roleArn: arn,
          roleAccount: parseRoleArn(arn)?.accountId ?? '',
          hop,
          externalId: hop === 'target' ? grant.externalId : undefined,
          needsSourceIdentity: hop === 'target' && grant.sourceIdentity,
          needsTagSession: hop === 'target' && Object.keys(grant.sessionTags).length > 0,
          brokerPrincipals: assumer === undefined ? undefined : principalsOf(assumer, i > 0),
        }),
      );
      if (hop === 'target' && role.maxSession < grant.maxDurationSeconds) {
        findings.push({
          check: 'role-max-session-too-short',
          severity: 'medium',
          grant: name,
          role: arn,
          message: `role MaxSessionDuration ${role.maxSession}s is below the grant's maxDurationSeconds ${grant.maxDurationSeconds}s`,
          fix: "raise the role's MaxSessionDuration or lower the grant's maxDurationSeconds",
        });
      }
    }
  }
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return {
    findings,
    summary: {
      grants: parameters.length,
      roles: roles.size,
      high: count('high'),
      medium: count('medium'),
      low: count('low'),
    },
  };
}

/** True when any finding is at or above `threshold`. */
export function failsAt(report: AuditReport, threshold: Severity): boolean {
  return report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[threshold]);
}

/** A role as a trust policy may name it: the role, and for a hub also the broker's session of it. */
function principalsOf(roleArn: string, hub: boolean): string[] {
  const role = parseRoleArn(roleArn);
  if (!hub || !role) return [roleArn];
  const { partition, accountId, name } = role;
  return [roleArn, `arn:${partition}:sts::${accountId}:assumed-role/${name}/${HUB_SESSION_NAME}`];
}

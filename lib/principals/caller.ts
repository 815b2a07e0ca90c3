import { isName, isSession, splitArn, splitPathAndName } from './arn';
import type { Partition } from './partition';

/** Who is calling, as proven by API Gateway (iam mode) or STS (sts mode). */
export interface Caller {
  readonly arn: string;
  readonly partition: Partition;
  readonly accountId: string;
  readonly kind: 'user' | 'role' | 'assumed-role' | 'federated-user' | 'root';
  /** User name, role name, federated user name, or 'root'. */
  readonly name: string;
  /** IAM path of a user or role ARN ('/' when none); never set for sessions. */
  readonly path?: string;
  /** Session name of an assumed-role caller. */
  readonly session?: string;
}

/** An IAM role ARN, split. */
export interface RoleArn {
  readonly arn: string;
  readonly partition: Partition;
  readonly accountId: string;
  readonly path: string;
  readonly name: string;
}

/** Parses `arn:PART:iam::ACCT:role/[path/]Name`; null if malformed (wildcards included). */
export function parseRoleArn(arn: string): RoleArn | null {
  const parts = splitArn(arn);
  if (parts?.service !== 'iam' || !parts.resource.startsWith('role/')) return null;
  const pn = splitPathAndName(parts.resource.slice('role/'.length));
  if (!pn || !isName(pn.name)) return null;
  return { arn, partition: parts.partition, accountId: parts.accountId, ...pn };
}

/**
 * Parses a caller identity ARN: IAM user, IAM role, assumed-role session, federated user,
 * or account root. Returns null for anything else, including placeholders and wildcards.
 */
export function parseCallerArn(arn: string): Caller | null {
  const parts = splitArn(arn);
  if (!parts) return null;
  const { partition, accountId, resource, service } = parts;
  const base = { arn, partition, accountId };
  if (service === 'iam') {
    if (resource === 'root') return { ...base, kind: 'root', name: 'root' };
    const [type, ...restParts] = resource.split('/');
    if (type !== 'user' && type !== 'role') return null;
    const pn = splitPathAndName(restParts.join('/'));
    if (!pn || !isName(pn.name)) return null;
    return { ...base, kind: type, name: pn.name, path: pn.path };
  }
  const segments = resource.split('/');
  if (segments[0] === 'assumed-role' && segments.length === 3) {
    const [, role, session] = segments as [string, string, string];
    if (!isName(role) || !isSession(session)) return null;
    return { ...base, kind: 'assumed-role', name: role, session };
  }
  if (segments[0] === 'federated-user' && segments.length === 2) {
    const name = segments[1] as string;
    if (!/^[\w+=,.@-]{2,32}$/.test(name)) return null;
    return { ...base, kind: 'federated-user', name };
  }
  return null;
}

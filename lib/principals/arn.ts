import { PARTITIONS, type Partition } from './partition';

const ACCOUNT = /^\d{12}$/;
/** IAM user/role names, and federated user names. */
const NAME = /^[\w+=,.@-]{1,64}$/;
/** STS role session names. */
const SESSION = /^[\w+=,.@-]{2,64}$/;
/** An IAM path: "/" or "/a/b/", printable ASCII without wildcards. */
const PATH = /^\/(?:[\x21-\x29\x2b-\x2e\x30-\x3e\x40-\x7e]+\/)*$/;
const MAX_ARN_CHARS = 2048;

export interface ArnParts {
  readonly partition: Partition;
  readonly service: 'iam' | 'sts';
  readonly accountId: string;
  readonly resource: string;
}

/** Splits an IAM or STS ARN (empty region); null if anything is off. */
export function splitArn(arn: string): ArnParts | null {
  if (typeof arn !== 'string' || arn.length > MAX_ARN_CHARS || !/^[\x21-\x7e]+$/.test(arn))
    return null;
  const parts = arn.split(':');
  if (parts.length !== 6) return null;
  const [prefix, partition, service, region, accountId, resource] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (prefix !== 'arn' || !PARTITIONS.has(partition as Partition)) return null;
  if ((service !== 'iam' && service !== 'sts') || region !== '' || !ACCOUNT.test(accountId))
    return null;
  if (resource === '') return null;
  return { partition: partition as Partition, service, accountId, resource };
}

/** Splits `path/.../name` into an IAM path ("/" or "/a/b/") and a name. */
export function splitPathAndName(rest: string): { path: string; name: string } | null {
  const slash = rest.lastIndexOf('/');
  const path = slash < 0 ? '/' : `/${rest.slice(0, slash + 1)}`;
  const name = rest.slice(slash + 1);
  if (path.length > 512 || !PATH.test(path)) return null;
  return { path, name };
}

export const isName = (s: string) => NAME.test(s);
export const isSession = (s: string) => SESSION.test(s);
export const isAccount = (s: string) => ACCOUNT.test(s);

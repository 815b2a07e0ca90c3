import { ValidationError } from '../errors';
import { isAccount, splitArn } from './arn';
import type { Caller } from './caller';
import type { Partition } from './partition';

/** One compiled entry of a grant's `principals`. */
export interface PrincipalPattern {
  readonly source: string;
  /** 'account' when it matches every principal of an account (root ARN or bare account id). */
  readonly scope: 'account' | 'principal';
  readonly partition: Partition;
  readonly accountId: string;
  /**
   * The pattern matched more before issue 12, when `*` and `?` could match `/`: a user
   * pattern with a wildcard that took a path separator (the audit reports it as
   * `principal-wildcard-path`). Role and assumed-role patterns never changed for sessions.
   */
  readonly crossedPathBefore: boolean;
  matches(caller: Caller): boolean;
}

/** Characters a resource part may hold, with the wildcards `*` and `?`. */
const RESOURCE = /^[\w+=,.@/*?-]+$/;

/**
 * Wildcard match without regular expressions: `*` any run (possibly empty), `?` one
 * character, neither ever matching `/` (a wildcard stays inside one path segment, so
 * `user/dev-*` never matches a user under the path `/dev-x/`). Linear in practice, O(n·m)
 * at worst; inputs are at most 2 KiB.
 */
export function globMatch(glob: string, text: string): boolean {
  const globs = glob.split('/');
  const texts = text.split('/');
  return globs.length === texts.length && globs.every((g, i) => segmentMatch(g, texts[i] ?? ''));
}

/**
 * True when `glob` (a user pattern's part after `user/`) has a `*` or `?` that the rule
 * before issue 12 let match across `/`: some user path and name it matched then and does
 * not match now. Any `*` could (it took `a/b`); a `?` could wherever a `/` fits between
 * two characters of a path (not first, not last, not next to a `/`).
 */
export function wildcardCrossedPath(glob: string): boolean {
  if (glob.includes('*')) return true;
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] !== '?') continue;
    if (i > 0 && i < glob.length - 1 && glob[i - 1] !== '/' && glob[i + 1] !== '/') return true;
  }
  return false;
}

/** {@link globMatch} on one segment (no `/` in either). */
function segmentMatch(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (g < glob.length && (glob[g] === '?' || glob[g] === text[t])) {
      g++;
      t++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      mark = t;
    } else if (star >= 0) {
      g = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}

const invalid = (reason: string): never => {
  throw new ValidationError(reason);
};

function accountPattern(source: string, partition: Partition, accountId: string): PrincipalPattern {
  return {
    source,
    scope: 'account',
    partition,
    accountId,
    crossedPathBefore: false,
    matches: (c) => c.partition === partition && c.accountId === accountId,
  };
}

/**
 * Compiles a grant principal: an IAM role, user or assumed-role session ARN (wildcards
 * allowed after the resource type only), an account root ARN, or a bare 12-digit account
 * id (the root of that account in `defaultPartition`). Throws ValidationError saying why.
 */
export function parsePrincipalPattern(
  pattern: string,
  defaultPartition: Partition,
): PrincipalPattern {
  if (typeof pattern !== 'string' || pattern.length === 0)
    invalid('principal must be a non-empty string');
  if (/^[*?]+$/.test(pattern)) invalid('a principal of only wildcards is not allowed');
  if (isAccount(pattern)) return accountPattern(pattern, defaultPartition, pattern);
  if (pattern.length > 2048 || !/^[\x21-\x7e]+$/.test(pattern)) {
    invalid('principal must be printable ASCII without spaces, at most 2048 characters');
  }
  const fields = pattern.split(':');
  if (fields.length !== 6 || fields[0] !== 'arn')
    invalid('principal must be an ARN or a 12-digit account id');
  if (fields.slice(1, 5).some((f) => /[*?]/.test(f))) {
    invalid(
      'wildcards are allowed only in the resource part, never in partition, service, region or account',
    );
  }
  const parts = splitArn(pattern.replace(/[*?]/g, 'x'));
  if (!parts)
    invalid('principal must be an IAM or STS ARN with an empty region and a 12-digit account');
  const { partition, accountId, service } = parts as NonNullable<typeof parts>;
  const resource = fields[5] as string;

  if (service === 'iam' && resource === 'root')
    return accountPattern(pattern, partition, accountId);
  const slash = resource.indexOf('/');
  const type = slash < 0 ? resource : resource.slice(0, slash);
  const rest = slash < 0 ? '' : resource.slice(slash + 1);
  if (rest === '' || !RESOURCE.test(rest))
    invalid('principal resource must be TYPE/NAME with IAM name characters');
  const inAccount = (c: Caller) => c.partition === partition && c.accountId === accountId;
  const base = {
    source: pattern,
    scope: 'principal' as const,
    partition,
    accountId,
    crossedPathBefore: false,
  };

  if (service === 'iam' && type === 'role') {
    // Assumed-role ARNs carry no path, so sessions are matched on the role name alone.
    const nameGlob = rest.slice(rest.lastIndexOf('/') + 1);
    if (nameGlob === '') invalid('role principal must end in a role name');
    // role/team/* would read as "roles under /team/" but match every session in the account.
    if (rest.includes('/') && /[*?]/.test(nameGlob)) {
      invalid(
        'a role principal with a path cannot use wildcards in the name: sessions carry no path',
      );
    }
    return {
      ...base,
      matches: (c) =>
        inAccount(c) &&
        ((c.kind === 'assumed-role' && globMatch(nameGlob, c.name)) ||
          (c.kind === 'role' && globMatch(rest, `${(c.path ?? '/').slice(1)}${c.name}`))),
    };
  }
  if (service === 'iam' && type === 'user') {
    if (rest.endsWith('/')) invalid('user principal must end in a user name');
    return {
      ...base,
      crossedPathBefore: wildcardCrossedPath(rest),
      matches: (c) =>
        inAccount(c) &&
        c.kind === 'user' &&
        globMatch(rest, `${(c.path ?? '/').slice(1)}${c.name}`),
    };
  }
  if (service === 'sts' && type === 'assumed-role') {
    const segments = rest.split('/');
    if (segments.length !== 2 || segments.some((s) => s === '')) {
      invalid('assumed-role principal must be assumed-role/ROLE/SESSION');
    }
    const [roleGlob, sessionGlob] = segments as [string, string];
    return {
      ...base,
      matches: (c) =>
        inAccount(c) &&
        c.kind === 'assumed-role' &&
        globMatch(roleGlob, c.name) &&
        globMatch(sessionGlob, c.session ?? ''),
    };
  }
  return invalid(
    'principal must be a role, user, assumed-role or root ARN (resource type cannot be a wildcard)',
  );
}

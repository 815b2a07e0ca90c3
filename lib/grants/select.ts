import { AccessDenied, ValidationError } from '../errors';
import type { Caller } from '../principals';
import type { Grant } from './schema';

const DENIED = 'no grant allows this caller to assume this role';

/**
 * Picks the one enabled grant for `roleArn` whose principals match the caller. The denial
 * message is the same whether or not the role is known, so callers cannot probe the allowlist.
 */
export function selectGrant(
  grants: readonly Grant[],
  request: { readonly roleArn: string; readonly grant?: string },
  caller: Caller,
): Grant {
  const candidates = grants.filter(
    (g) =>
      !g.disabled &&
      g.roleArn === request.roleArn &&
      g.principals.some((p) => p.matches(caller)) &&
      (request.grant === undefined || g.name === request.grant),
  );
  const [only, ...others] = candidates;
  if (!only) throw new AccessDenied(DENIED);
  if (others.length > 0) {
    const names = candidates.map((g) => g.name).join(', ');
    throw new ValidationError(
      `several grants match this role and caller; name one in "grant": ${names}`,
    );
  }
  return only;
}

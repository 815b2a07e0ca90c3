import { createHash } from 'node:crypto';
import type { Caller } from './caller';

const MAX = 64;
/** 64 bits: finding another ARN with the same hash (to pass as another caller in CloudTrail) is out of reach. */
const HASH_CHARS = 16;

/**
 * The session name and SourceIdentity for a caller, never chosen by the caller:
 * `<readable>-<hash>`, where readable is `role.session` for an assumed role, the user or
 * federated name, or `root.<account>`, with characters outside [\w+=,.@-] replaced by `-`
 * and cut to fit 64; hash is the first 16 hex digits of SHA-256 of the caller's full ARN,
 * so callers in different accounts, or whose names only look alike, never share a name.
 */
export function sessionNameFor(caller: Caller): string {
  const readable =
    caller.kind === 'assumed-role'
      ? `${caller.name}.${caller.session ?? ''}`
      : caller.kind === 'root'
        ? `root.${caller.accountId}`
        : caller.name;
  const hash = createHash('sha256').update(caller.arn).digest('hex').slice(0, HASH_CHARS);
  const safe = readable.replace(/[^\w+=,.@-]/g, '-').slice(0, MAX - HASH_CHARS - 1);
  return `${safe}-${hash}`;
}

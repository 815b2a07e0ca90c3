// The fast path of `rolebroker credentials`, which runs on every AWS CLI and SDK credential
// refresh through a credential_process profile: a command line that commander parsed before
// and that has a fresh entry is answered from the cache before commander (or anything but
// node: built-ins and the cache) loads. The command line is never parsed here: it must be
// exactly one the full path recorded (credential-cache.ts, the command-line memo).
import { RESOLVING_CALLER_ENV } from './cli-env';
import type { CliIo } from './command';
import {
  argsKey,
  cacheDir,
  cacheKey,
  existingCacheDir,
  readArgs,
  readEntry,
} from './credential-cache';
import { formatCredentials } from './run/credential-format';

/**
 * Prints the cached answer for `argv` and returns true, as the full path would on the same
 * hit; returns false (nothing printed, nothing changed but the removal of untrusted files)
 * whenever anything is unusual: another command, no memo for this exact command line and
 * ROLEBROKER_* environment, no trusted cache directory, no fresh entry, or a CLI started by
 * a credential_process (the full path checks that it is not calling itself).
 */
export function answerFromCache(argv: readonly string[], io: CliIo): boolean {
  if (argv[0] !== 'credentials' || io.env[RESOLVING_CALLER_ENV] !== undefined) return false;
  const dir = existingCacheDir(cacheDir(io.env));
  const parsed = dir && readArgs(dir, argsKey(argv, io.env));
  if (!dir || !parsed) return false;
  // As the full path's preAction hook does before the key is made.
  const env = parsed.profile ? { ...io.env, AWS_PROFILE: parsed.profile } : io.env;
  const hit = readEntry(dir, cacheKey(parsed.request, env));
  if (!hit) return false;
  io.stdout(`${formatCredentials(hit, parsed.format)}\n`);
  return true;
}

// The hit path of `rolebroker credentials` (every AWS CLI call through a credential_process
// profile) loads only node: built-ins: the broker request and its AWS SDK load on a miss.
import type { BrokerCredentials, requestCredentials } from '../../client';
import { LONGEST_SESSION } from '../../contract';
import { type CliIo, EXIT } from '../command';
import {
  argsKey,
  cacheable,
  cacheDir,
  cacheKey,
  fresh,
  openCacheDir,
  readEntry,
  withEntryLock,
  writeArgs,
  writeEntry,
} from '../credential-cache';
import { type Format, formatCredentials } from './credential-format';

export type RequestCredentials = typeof requestCredentials;

export { type Format, formatCredentials } from './credential-format';

export interface CredentialsOptions {
  url: string;
  roleArn: string;
  grant?: string;
  /** Seconds or "max"; unset: "max" for `process`, else the broker's default (900). */
  duration?: number | typeof LONGEST_SESSION;
  sessionPolicy?: Record<string, unknown>;
  format: Format;
  auth: 'iam' | 'sts';
  serverId?: string;
  /** --profile (already in AWS_PROFILE). */
  profile?: string;
  /** false with --no-cache: neither read nor write the cache. */
  cache?: boolean;
}

/** The duration asked: `process` output goes to SDKs, which refresh a 900 s session at once. */
export function askedDuration(options: Pick<CredentialsOptions, 'duration' | 'format'>) {
  return options.duration ?? (options.format === 'process' ? LONGEST_SESSION : undefined);
}

/**
 * `rolebroker credentials`: serves a cached session or asks the broker once, and prints it.
 * `argv` is the command line commander parsed into `options`: answered through the cache, it
 * is recorded so that the next run of it can be answered by the fast path (fast-path.ts).
 */
export async function credentials(
  options: CredentialsOptions,
  io: CliIo,
  argv: readonly string[],
  request?: RequestCredentials,
): Promise<number> {
  const asked = { ...options, duration: askedDuration(options) };
  const dir =
    options.cache !== false && cacheable(asked.duration)
      ? openCacheDir(cacheDir(io.env))
      : undefined;
  const key = dir ? cacheKey(asked, io.env) : '';
  const hit = dir ? readEntry(dir, key) : undefined;
  const remember = () => {
    if (!dir) return;
    const parsed = { request: asked, profile: options.profile, format: options.format };
    writeArgs(dir, argsKey(argv, io.env), parsed);
  };
  if (hit) {
    remember();
    io.stdout(`${formatCredentials(hit, options.format)}\n`);
    return EXIT.ok;
  }
  const ask = () => fromBroker(asked, io, request);
  const result = !dir
    ? await ask()
    : await withEntryLock(dir, key, async () => {
        // Another invocation may have asked while this one waited for the lock.
        const body = readEntry(dir, key);
        if (body) return body;
        const answer = await ask();
        if (typeof answer !== 'number' && fresh(answer)) writeEntry(dir, key, answer);
        return answer;
      });
  if (typeof result === 'number') return result;
  remember();
  io.stdout(`${formatCredentials(result, options.format)}\n`);
  return EXIT.ok;
}

/** One broker request: the 200 body, or the exit code after printing the reason. */
async function fromBroker(
  options: CredentialsOptions,
  io: CliIo,
  request: RequestCredentials | undefined,
): Promise<BrokerCredentials | number> {
  // Loaded only on a miss: they bring the AWS SDK.
  const { reportFailure, sessionFetcher } = await import('./session-request');
  try {
    return await sessionFetcher(options, request)();
  } catch (error) {
    return reportFailure(error, io, options.auth);
  }
}

// The CLI's credential cache (contract §4). The hit path runs on every AWS CLI call through a
// credential_process profile, so this file uses only node: built-ins and leaf modules; the
// file lock (proper-lockfile) and the broker request load only on a miss.
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  type Stats,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { version } from '../../package.json';
// A leaf module of constants, imported directly so that the hit path loads no AWS SDK.
import { SDK_REFRESH_MARGIN_MS } from '../client/refresh';
import type { IssuedCredentials } from '../contract';
import { RESOLVING_CALLER_ENV } from './cli-env';
import type { SessionRequestOptions } from './command';

/** What the caller asked for: every field is part of the key. */
export type CacheRequest = SessionRequestOptions;

/** Bumped when the key's inputs or the entry's form change: old entries are then never read. */
const KEY_VERSION = 'rolebroker-cli-cache-v1';
/** Entries are small (a 200 body); anything bigger is not one of ours. */
const MAX_ENTRY_BYTES = 64 * 1024;
const MINUTE_MS = 60_000;
/** The broker's default duration when none is asked. */
const DEFAULT_DURATION_SECONDS = 900;

/** `$XDG_CACHE_HOME/rolebroker`, else `~/.cache/rolebroker`. */
export function cacheDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored.
  if (xdg?.startsWith('/')) return join(xdg, 'rolebroker');
  return join(homeDir(env), '.cache', 'rolebroker');
}

/** The home directory as the AWS SDK finds it (HOME first). */
function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || homedir();
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hashOf = (value: string | undefined) => (value === undefined ? null : sha256(value));

/** A profile file as the SDK reads it (`~/` expanded): its path and a hash of its bytes. */
function profileFile(env: NodeJS.ProcessEnv, variable: string, name: string) {
  const home = homeDir(env);
  const given = env[variable];
  const path = !given
    ? join(home, '.aws', name)
    : given.startsWith('~/')
      ? join(home, given.slice(2))
      : given;
  let contents: string | null;
  try {
    contents = sha256(readFileSync(path));
  } catch {
    contents = null;
  }
  return { path, contents };
}

/**
 * Where the AWS SDK's default chain would get the caller's credentials from, as far as the
 * CLI can see it without loading the SDK: the resolved profile, the environment's keys, the
 * profile files (path and contents: editing a file invalidates every entry), web identity
 * and container settings, and the endpoints the sts-mode token is signed for. Secrets are
 * hashed; the result is only ever hashed again into the key.
 */
export function callerIdentitySource(env: NodeJS.ProcessEnv): Record<string, unknown> {
  return {
    uid: process.getuid?.() ?? null,
    profile: env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default',
    accessKeyId: env.AWS_ACCESS_KEY_ID ?? null,
    secretAccessKey: hashOf(env.AWS_SECRET_ACCESS_KEY),
    sessionToken: hashOf(env.AWS_SESSION_TOKEN),
    configFile: profileFile(env, 'AWS_CONFIG_FILE', 'config'),
    credentialsFile: profileFile(env, 'AWS_SHARED_CREDENTIALS_FILE', 'credentials'),
    roleArn: env.AWS_ROLE_ARN ?? null,
    roleSessionName: env.AWS_ROLE_SESSION_NAME ?? null,
    webIdentityTokenFile: env.AWS_WEB_IDENTITY_TOKEN_FILE ?? null,
    containerRelativeUri: env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ?? null,
    containerFullUri: env.AWS_CONTAINER_CREDENTIALS_FULL_URI ?? null,
    containerToken: hashOf(env.AWS_CONTAINER_AUTHORIZATION_TOKEN),
    containerTokenFile: env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ?? null,
    region: env.AWS_REGION ?? null,
    defaultRegion: env.AWS_DEFAULT_REGION ?? null,
    endpoint: env.AWS_ENDPOINT_URL ?? null,
    stsEndpoint: env.AWS_ENDPOINT_URL_STS ?? null,
  };
}

/** The entry's name: SHA-256 over the request and the caller's identity source. */
export function cacheKey(request: CacheRequest, env: NodeJS.ProcessEnv): string {
  return sha256(
    JSON.stringify([
      KEY_VERSION,
      {
        url: request.url.replace(/\/+$/, ''),
        roleArn: request.roleArn,
        grant: request.grant ?? null,
        duration: request.duration ?? null,
        sessionPolicy: request.sessionPolicy ?? null,
        auth: request.auth,
        serverId: request.auth === 'sts' ? (request.serverId ?? null) : null,
      },
      callerIdentitySource(env),
    ]),
  );
}

/**
 * Whether a session of this duration can ever be served: only one that starts with more than
 * the margin left. The broker's default (900 s) and short durations bypass the cache.
 */
export function cacheable(duration: number | 'max' | undefined): boolean {
  const seconds = duration ?? DEFAULT_DURATION_SECONDS;
  return seconds === 'max' || seconds * 1000 > SDK_REFRESH_MARGIN_MS;
}

/** Fresh: more than SDK_REFRESH_MARGIN_MS left, so no SDK would refresh it at once. */
export function fresh(body: IssuedCredentials, now = Date.now()): boolean {
  return Date.parse(body.Credentials.Expiration) - now > SDK_REFRESH_MARGIN_MS;
}

/** Ours alone: a real file or directory, our uid, no group or world bits. */
function trusted(stats: Stats, kind: 'file' | 'dir'): boolean {
  const uid = process.getuid?.();
  return (
    (kind === 'file' ? stats.isFile() : stats.isDirectory()) &&
    (uid === undefined || stats.uid === uid) &&
    (stats.mode & 0o077) === 0
  );
}

/**
 * The cache directory, made 0700 if missing. One that is a symlink, not a directory, another
 * user's, or group/world-accessible is removed with what it holds and made again. Returns
 * undefined when that fails: the CLI then works without the cache.
 */
export function openCacheDir(dir: string): string | undefined {
  try {
    let stats: Stats | undefined;
    try {
      stats = lstatSync(dir);
    } catch {
      stats = undefined;
    }
    if (stats && !trusted(stats, 'dir')) {
      rmSync(dir, { recursive: true, force: true });
      stats = undefined;
    }
    if (!stats) {
      mkdirSync(join(dir, '..'), { recursive: true, mode: 0o700 });
      try {
        mkdirSync(dir, { mode: 0o700 });
      } catch (error) {
        // A parallel invocation made it first; it is checked like any other below.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (!trusted(lstatSync(dir), 'dir')) return undefined;
    }
    return dir;
  } catch {
    return undefined;
  }
}

const entryPath = (dir: string, key: string) => join(dir, `${key}.json`);

/** A 200 body's shape: the four credential strings and a parseable Expiration. */
function isBody(value: unknown): value is IssuedCredentials {
  const c = (value as { Credentials?: Record<string, unknown> } | null)?.Credentials;
  return (
    typeof c === 'object' &&
    c !== null &&
    ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration'].every(
      (k) => typeof c[k] === 'string' && c[k] !== '',
    ) &&
    !Number.isNaN(Date.parse(c.Expiration as string))
  );
}

/**
 * The JSON in one of our files, if it is trusted: a symlink (never followed), another user's
 * file, a group/world-accessible one, one over MAX_ENTRY_BYTES or one that is not JSON is
 * removed and reads as undefined.
 */
function readOurs(path: string): unknown {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    // ELOOP: a symlink where the file should be.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') discard(path);
    return undefined;
  }
  let value: unknown;
  try {
    const stats = fstatSync(fd);
    if (!trusted(stats, 'file') || stats.size > MAX_ENTRY_BYTES) throw new Error('untrusted');
    const buffer = Buffer.alloc(stats.size);
    let read = 0;
    while (read < stats.size) {
      const n = readSync(fd, buffer, read, stats.size - read, read);
      if (n === 0) break;
      read += n;
    }
    value = JSON.parse(buffer.subarray(0, read).toString('utf8'));
  } catch {
    value = undefined;
  } finally {
    closeSync(fd);
  }
  if (value === undefined) discard(path);
  return value;
}

/**
 * The entry for `key` if it is trusted and fresh. An untrusted file (readOurs) or one that is
 * not a 200 body is removed and reads as a miss; so is a stale one.
 */
export function readEntry(
  dir: string,
  key: string,
  now = Date.now(),
): IssuedCredentials | undefined {
  const path = entryPath(dir, key);
  const body = readOurs(path);
  if (body === undefined) return undefined;
  if (!isBody(body)) {
    discard(path);
    return undefined;
  }
  return fresh(body, now) ? body : undefined;
}

function discard(path: string) {
  try {
    unlinkSync(path);
  } catch {
    // Gone already, or not ours to remove: the next write replaces it (rename).
  }
}

/**
 * Entries (and temp files left by a crash) older than this are removed when an entry is
 * written: every session they could hold has expired (chained sessions last at most 1 hour),
 * and entries under keys no longer used (a profile file changed) do not pile up.
 */
const PRUNE_AFTER_MS = 12 * 60 * MINUTE_MS;

/** Removes our files older than PRUNE_AFTER_MS; called on a miss only. */
function prune(dir: string, now: number) {
  for (const name of readdirSync(dir)) {
    if (!/^[0-9a-f]{64}(\.json|\.args|\.\d+\.[0-9a-f]+\.tmp)$/.test(name)) continue;
    const path = join(dir, name);
    try {
      if (now - lstatSync(path).mtimeMs > PRUNE_AFTER_MS) unlinkSync(path);
    } catch {
      // Removed meanwhile by another invocation.
    }
  }
}

/** Writes the entry atomically: a new 0600 temp file, then a rename over the old entry. */
export function writeEntry(dir: string, key: string, body: IssuedCredentials): void {
  try {
    prune(dir, Date.now());
  } catch {
    // Pruning is housekeeping only.
  }
  writeOurs(dir, key, entryPath(dir, key), body);
}

/** `value` as JSON at `path`, atomically: a new 0600 temp file, then a rename over it. */
function writeOurs(dir: string, key: string, path: string, value: unknown): void {
  const temp = join(dir, `${key}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      writeSync(fd, JSON.stringify(value));
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch {
    // A cache that cannot be written only costs the next call a broker request.
    discard(temp);
  }
}

// The command-line memo: what commander made of a `credentials` command line, so that the
// next run of the same line answers a hit without loading commander (lib/cli/fast-path.ts).

/** Bumped when the memo's key or form changes. */
const ARGS_KEY_VERSION = 'rolebroker-cli-args-v1';

/** What commander made of a `credentials` command line that was answered through the cache. */
export interface ParsedArgs {
  /** The request as the cache key takes it (never with a session policy). */
  readonly request: CacheRequest;
  /** --profile, which sets AWS_PROFILE before the key is made. */
  readonly profile?: string;
  readonly format: 'json' | 'env' | 'process';
}

/**
 * The memo's name: SHA-256 over the CLI version, the exact command line and every
 * ROLEBROKER_* variable but the credential_process marker (commander reads some of them as
 * defaults). Nothing else goes into the parse: a session policy (a file) is never memoized.
 */
export function argsKey(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const ours = Object.keys(env)
    .filter((name) => name.startsWith('ROLEBROKER_') && name !== RESOLVING_CALLER_ENV)
    .sort()
    .map((name) => [name, env[name]]);
  return sha256(JSON.stringify([ARGS_KEY_VERSION, version, argv, ours]));
}

const argsPath = (dir: string, key: string) => join(dir, `${key}.args`);
const optionalString = (v: unknown) => v === undefined || (typeof v === 'string' && v !== '');

/** The memo for `key` if it is trusted and well-formed (else removed: undefined). */
export function readArgs(dir: string, key: string): ParsedArgs | undefined {
  const path = argsPath(dir, key);
  const value = readOurs(path) as Partial<ParsedArgs> | undefined;
  if (value === undefined) return undefined;
  const r = (value?.request ?? {}) as Partial<CacheRequest>;
  const d = r.duration;
  const ok =
    typeof r.url === 'string' &&
    typeof r.roleArn === 'string' &&
    (r.auth === 'iam' || r.auth === 'sts') &&
    optionalString(r.grant) &&
    optionalString(r.serverId) &&
    r.sessionPolicy === undefined &&
    (d === undefined || d === 'max' || Number.isInteger(d)) &&
    cacheable(d) &&
    optionalString(value?.profile) &&
    ['json', 'env', 'process'].includes(value?.format as string);
  if (!ok) discard(path);
  return ok ? (value as ParsedArgs) : undefined;
}

/** Records the memo (atomically, like an entry); none for a request with a session policy. */
export function writeArgs(dir: string, key: string, parsed: ParsedArgs): void {
  if (parsed.request.sessionPolicy !== undefined) return;
  const { url, roleArn, grant, duration, auth, serverId } = parsed.request;
  const request = { url, roleArn, grant, duration, auth, serverId };
  writeOurs(dir, key, argsPath(dir, key), { ...parsed, request });
}

/** The cache directory if it exists and is trusted, without making or repairing it. */
export function existingCacheDir(dir: string): string | undefined {
  try {
    return trusted(lstatSync(dir), 'dir') ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `fn` holding the entry's lock (proper-lockfile: a `<key>.lock` directory, kept fresh
 * while held, taken over when its holder died), so that parallel invocations make one broker
 * request. Waits up to ~40 s; if the lock cannot be had, runs `fn` without it.
 */
export async function withEntryLock<T>(dir: string, key: string, fn: () => Promise<T>) {
  let release: (() => Promise<void>) | undefined;
  try {
    // A CommonJS module: in the bundle its functions are only on `default`.
    const { lock } = (await import('proper-lockfile')).default;
    release = await lock(entryPath(dir, key), {
      realpath: false,
      lockfilePath: join(dir, `${key}.lock`),
      stale: 10_000,
      retries: { retries: 400, factor: 1.2, minTimeout: 20, maxTimeout: 100 },
      // A lock taken over while held only costs a second request; never crash the CLI.
      onCompromised: () => {},
    });
  } catch {
    release = undefined;
  }
  try {
    return await fn();
  } finally {
    await release?.().catch(() => {});
  }
}

/** Empties the cache: removes the directory and everything in it (a symlink is not followed). */
export function clearCache(dir: string): number {
  let entries = 0;
  try {
    if (lstatSync(dir).isDirectory()) {
      entries = readdirSync(dir).filter((name) => name.endsWith('.json')).length;
    }
  } catch {
    return 0;
  }
  rmSync(dir, { recursive: true, force: true });
  return entries;
}

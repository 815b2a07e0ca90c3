import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { type CliIo, childEnv, type SessionRequestOptions } from '../command';
import { type CredentialServer, startCredentialServer } from './credential-server';
import {
  type RequestCredentials,
  refreshFailureLine,
  reportFailure,
  serverTiming,
  sessionFetcher,
} from './session-request';

export interface ExecOptions extends SessionRequestOptions {
  /** false with --no-server: plain key variables instead of the local credential server. */
  server: boolean;
}

/**
 * Variables that would make the child's SDK pick credentials other than the role's: keys,
 * profiles, web identity, container endpoints, the legacy credential file. Region, endpoint
 * and config-file variables stay.
 */
export const SCRUBBED = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_ACCESS_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SECRET_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_ACCOUNT_ID',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_CREDENTIAL_FILE',
] as const;

/** The child's environment before the role's variables are added. */
export function scrubEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if ((SCRUBBED as readonly string[]).includes(name)) continue;
    if (name.startsWith('AWS_CONTAINER_')) continue;
    out[name] = value;
  }
  return out;
}

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `rolebroker exec`: runs `command` with the role's credentials and returns its exit status
 * (128 + the signal number when a signal ended it). The child starts only once credentials
 * are in hand; otherwise 3 (denied) or 4 (failed).
 */
export async function exec(
  options: ExecOptions,
  command: readonly string[],
  io: CliIo,
  request?: RequestCredentials,
): Promise<number> {
  const fetch = sessionFetcher(options, request);
  const env = scrubEnv(childEnv(io.env));
  let server: CredentialServer | undefined;
  try {
    if (options.server) {
      server = await startCredentialServer({
        fetch,
        timing: serverTiming(io.env),
        onRefreshError: (error, until) =>
          io.stderr(refreshFailureLine(error, until, io.env, options.auth)),
      });
      Object.assign(env, server.env);
    } else {
      const c = (await fetch()).Credentials;
      Object.assign(env, {
        AWS_ACCESS_KEY_ID: c.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
        AWS_SESSION_TOKEN: c.SessionToken,
        AWS_CREDENTIAL_EXPIRATION: c.Expiration,
      });
    }
  } catch (error) {
    return reportFailure(error, io, options.auth);
  }
  try {
    return await runChild(command, env, io);
  } finally {
    await server?.close();
  }
}

function runChild(command: readonly string[], env: NodeJS.ProcessEnv, io: CliIo) {
  const [file, ...args] = command as [string, ...string[]];
  // The terminal sends Ctrl-C's SIGINT and a hangup's SIGHUP to the whole foreground
  // process group, the child included (it stays in ours, so it keeps the terminal): then
  // forwarding them again would deliver them twice (Terraform takes a second interrupt as
  // "exit now"). With no terminal attached they can only have come to rolebroker alone.
  const terminal = Boolean(process.stdin.isTTY || process.stdout.isTTY || process.stderr.isTTY);
  return new Promise<number>((resolve) => {
    // Listening before the spawn: a signal that comes as the child starts (a busy machine
    // can run the child before this process runs its next line) must not kill rolebroker
    // and leave the child behind. Node delivers it on the event loop, once `child` is set.
    let child: ChildProcess | undefined;
    const forward = (signal: NodeJS.Signals) => {
      if (terminal && signal !== 'SIGTERM') return;
      child?.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    child = spawn(file, args, { stdio: 'inherit', env });
    const done = (code: number) => {
      for (const signal of FORWARDED) process.off(signal, forward);
      resolve(code);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      io.stderr(`rolebroker: cannot run ${file}: ${error.message}\n`);
      done(error.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => {
      done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}

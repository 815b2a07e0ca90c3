import { type BrokerCredentials, requestCredentials } from '../../client';
import { type CliIo, EXIT, type SessionRequestOptions, UsageError } from '../command';

import { brokerFailure, reportBrokerError } from './caller-error';
import { DEFAULT_TIMING, type RefreshTiming } from './credential-server';

export type RequestCredentials = typeof requestCredentials;

/** One broker request with the command's flags. */
export function sessionFetcher(
  options: SessionRequestOptions,
  request: RequestCredentials = requestCredentials,
): () => Promise<BrokerCredentials> {
  return () =>
    request({
      url: options.url,
      roleArn: options.roleArn,
      grant: options.grant,
      durationSeconds: options.duration,
      sessionPolicy: options.sessionPolicy,
      auth: options.auth,
      serverId: options.serverId,
    });
}

/** Writes the reason on stderr and returns the exit code: 2 usage, 3 denied, 4 failed. */
export function reportFailure(error: unknown, io: CliIo, auth: 'iam' | 'sts'): number {
  if (error instanceof UsageError) {
    io.stderr(`rolebroker: ${error.message}\n`);
    return EXIT.usage;
  }
  return reportBrokerError(error, io, auth);
}

/**
 * The refresh timing: the product's, unless a test shortens it with
 * ROLEBROKER_INTERNAL_SERVER_TIMING (JSON of RefreshTiming fields; not for callers).
 */
export function serverTiming(env: NodeJS.ProcessEnv): RefreshTiming {
  const raw = env.ROLEBROKER_INTERNAL_SERVER_TIMING;
  if (!raw) return DEFAULT_TIMING;
  const given = JSON.parse(raw) as Record<string, unknown>;
  const timing: Record<string, number> = { ...DEFAULT_TIMING };
  for (const [key, value] of Object.entries(given)) {
    if (!(key in DEFAULT_TIMING || key === 'maxLifetimeMs') || typeof value !== 'number') {
      throw new UsageError(`ROLEBROKER_INTERNAL_SERVER_TIMING: bad field ${key}`);
    }
    timing[key] = value;
  }
  return timing as unknown as RefreshTiming;
}

/** A refresh failure on stderr: the reason and until when the current session is served. */
export function refreshFailureLine(
  error: unknown,
  servingUntil: number | undefined,
  env: NodeJS.ProcessEnv,
  auth: 'iam' | 'sts',
): string {
  const serving =
    servingUntil === undefined
      ? 'no valid session left; retrying'
      : `serving the current session until ${new Date(servingUntil).toISOString()}; retrying`;
  return `rolebroker: refresh failed: ${brokerFailure(error, env, auth).line}; ${serving}\n`;
}

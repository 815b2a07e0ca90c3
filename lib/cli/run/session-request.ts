import { type BrokerCredentials, BrokerRequestError, requestCredentials } from '../../client';
import { type CliIo, EXIT, UsageError } from '../command';
import { DEFAULT_TIMING, type RefreshTiming } from './credential-server';

export type RequestCredentials = typeof requestCredentials;

/** The request flags `exec` and `serve` share with `credentials` (--duration defaults to max). */
export interface SessionRequestOptions {
  url: string;
  roleArn: string;
  grant?: string;
  duration: number | 'max';
  sessionPolicy?: Record<string, unknown>;
  auth: 'iam' | 'sts';
  serverId?: string;
}

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

/** The one-line reason of a failed broker request, as `credentials` writes it. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof BrokerRequestError)) return (error as Error).message;
  const where = error.status ? `${error.status} ${error.code}` : error.code;
  const id = error.requestId ? ` (request id ${error.requestId})` : '';
  return `${where}: ${error.message}${id}`;
}

/** Writes the reason on stderr and returns the exit code: 2 usage, 3 denied, 4 failed. */
export function reportFailure(error: unknown, io: CliIo): number {
  io.stderr(`rolebroker: ${describeFailure(error)}\n`);
  if (error instanceof UsageError) return EXIT.usage;
  if (!(error instanceof BrokerRequestError)) return EXIT.failed;
  if (error.code === 'Usage') return EXIT.usage;
  return error.status === 401 || error.status === 403 ? EXIT.denied : EXIT.failed;
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
export function refreshFailureLine(error: unknown, servingUntil: number | undefined): string {
  const serving =
    servingUntil === undefined
      ? 'no valid session left; retrying'
      : `serving the current session until ${new Date(servingUntil).toISOString()}; retrying`;
  return `rolebroker: refresh failed: ${describeFailure(error)}; ${serving}\n`;
}

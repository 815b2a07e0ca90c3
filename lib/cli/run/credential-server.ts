import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BrokerCredentials, SDK_REFRESH_MARGIN_MS } from '../../client';

/** The one path the server answers on. */
export const CREDENTIAL_SERVER_PATH = '/role-credentials';

/**
 * When the server asks the broker again (docs/contract.md §4, "refresh rule"). Only tests
 * change these (ROLEBROKER_INTERNAL_SERVER_TIMING); callers get the defaults.
 */
export interface RefreshTiming {
  /** A session long enough is handed out only while it has more than this left. */
  readonly marginMs: number;
  /** The refresh starts this long before the margin is reached. */
  readonly prefetchMs: number;
  /** After a failed refresh, the next try comes at most this much later. */
  readonly retryMs: number;
  /** A session is served until this long before its expiration, never closer. */
  readonly guardMs: number;
  /** Tests only: treat every session as expiring at most this long after it arrived. */
  readonly maxLifetimeMs?: number;
}

export const DEFAULT_TIMING: RefreshTiming = {
  marginMs: SDK_REFRESH_MARGIN_MS,
  prefetchMs: 60_000,
  retryMs: 30_000,
  guardMs: 30_000,
};

/**
 * When to start the next broker request for a session received at `receivedAt` that expires
 * at `expiresAt`. A long session (lifetime at least margin + 2 × prefetch) is refreshed
 * prefetch before only the margin is left, so nothing with less than the margin left is handed
 * out while the broker answers; a shorter one (`--duration 900`, which is under the margin
 * from the start) at its half-life, so it is neither refreshed in a loop nor served expired.
 */
export function refreshAt(receivedAt: number, expiresAt: number, timing: RefreshTiming): number {
  const lifetime = expiresAt - receivedAt;
  if (lifetime >= timing.marginMs + 2 * timing.prefetchMs) {
    return expiresAt - timing.marginMs - timing.prefetchMs;
  }
  return receivedAt + Math.max(0, lifetime) / 2;
}

export interface CredentialServerOptions {
  /** One broker request; rejects with the broker's error. */
  readonly fetch: () => Promise<BrokerCredentials>;
  /** 0 (default): a free port. The server listens on 127.0.0.1 only. */
  readonly port?: number;
  readonly timing?: RefreshTiming;
  /** Called with each failed refresh (never with credentials). */
  readonly onRefreshError?: (error: unknown, servingUntil: number | undefined) => void;
  readonly now?: () => number;
}

export interface CredentialServer {
  /** `http://127.0.0.1:PORT/role-credentials` */
  readonly url: string;
  readonly token: string;
  /** The variables an AWS SDK's container provider reads. */
  readonly env: {
    readonly AWS_CONTAINER_CREDENTIALS_FULL_URI: string;
    readonly AWS_CONTAINER_AUTHORIZATION_TOKEN: string;
  };
  /** Broker requests made so far (the first one included). */
  readonly fetches: number;
  close(): Promise<void>;
}

interface Session {
  readonly body: Buffer;
  readonly headers: OutgoingHttpHeaders;
  readonly expiresAt: number;
  readonly refreshAt: number;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

function errorBody(code: string, message: string) {
  const body = Buffer.from(JSON.stringify({ Code: code, Message: message }));
  return { body, headers: { ...JSON_HEADERS, 'content-length': body.length } };
}

const NOT_FOUND = errorBody('NotFound', 'no such path');
const NOT_ALLOWED = errorBody('MethodNotAllowed', 'only GET');
const NO_TOKEN = errorBody('Unauthorized', 'the Authorization header is missing');
const BAD_TOKEN = errorBody('Forbidden', 'the Authorization header is not the token');
const UNAVAILABLE = errorBody('Unavailable', 'no valid session: the broker request failed');

function send(res: ServerResponse, status: number, answer: ReturnType<typeof errorBody>) {
  res.writeHead(status, answer.headers);
  res.end(answer.body);
}

/**
 * The AWS SDKs' container credentials endpoint, on 127.0.0.1, for `rolebroker serve` and
 * `rolebroker exec`. Resolves once the first session is in hand and the server listens;
 * rejects (listening on nothing) when the first broker request fails. A GET answers from
 * memory; refreshes run in the background, one at a time.
 */
export async function startCredentialServer(
  options: CredentialServerOptions,
): Promise<CredentialServer> {
  const now = options.now ?? Date.now;
  const timing = options.timing ?? DEFAULT_TIMING;
  const token = randomBytes(32).toString('base64url');
  const expected = Buffer.from(token);
  let fetches = 0;
  let inFlight: Promise<boolean> | undefined;
  let retryAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const install = (issued: BrokerCredentials): Session => {
    const c = issued.Credentials;
    const receivedAt = now();
    let expiresAt = Date.parse(c.Expiration);
    if (timing.maxLifetimeMs !== undefined) {
      expiresAt = Math.min(expiresAt, receivedAt + timing.maxLifetimeMs);
    }
    const body = Buffer.from(
      JSON.stringify({
        AccessKeyId: c.AccessKeyId,
        SecretAccessKey: c.SecretAccessKey,
        Token: c.SessionToken,
        Expiration: new Date(expiresAt).toISOString(),
      }),
    );
    return {
      body,
      headers: { ...JSON_HEADERS, 'content-length': body.length },
      expiresAt,
      refreshAt: refreshAt(receivedAt, expiresAt, timing),
    };
  };

  const fetchSession = async () => {
    fetches += 1;
    return install(await options.fetch());
  };

  const schedule = (at: number) => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), Math.max(0, at - now()));
    timer.unref();
  };

  // The first session: a failure here is the caller's to report (no server, no child).
  let session = await fetchSession();

  /** One broker request at a time; true when a new session is in. Never rejects. */
  const refresh = (): Promise<boolean> => {
    inFlight ??= (async () => {
      try {
        session = await fetchSession();
        schedule(session.refreshAt);
        return true;
      } catch (error) {
        const left = session.expiresAt - timing.guardMs - now();
        options.onRefreshError?.(error, left > 0 ? session.expiresAt - timing.guardMs : undefined);
        retryAt = now() + Math.min(timing.retryMs, Math.max(1_000, left / 4));
        schedule(retryAt);
        return false;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
  schedule(session.refreshAt);

  const server = createServer((req, res) => {
    if (req.url !== CREDENTIAL_SERVER_PATH) return send(res, 404, NOT_FOUND);
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      return send(res, 405, NOT_ALLOWED);
    }
    const auth = req.headers.authorization;
    if (auth === undefined) return send(res, 401, NO_TOKEN);
    const given = Buffer.from(auth);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return send(res, 403, BAD_TOKEN);
    }
    const at = now();
    const current = session;
    // A timer can fire late (a sleeping laptop): the GET notices a due refresh too.
    if (at >= current.refreshAt && !inFlight && at >= retryAt) void refresh();
    if (at < current.expiresAt - timing.guardMs) {
      res.writeHead(200, current.headers);
      res.end(current.body);
      return;
    }
    // Nothing valid to hand out: wait for the refresh under way, or try once more.
    const waiting = inFlight ?? (at >= retryAt ? refresh() : Promise.resolve(false));
    void waiting.then(() => {
      if (now() < session.expiresAt - timing.guardMs) {
        res.writeHead(200, session.headers);
        res.end(session.body);
      } else send(res, 503, UNAVAILABLE);
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    clearTimeout(timer);
    closed = true;
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}${CREDENTIAL_SERVER_PATH}`;
  return {
    url,
    token,
    env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: token },
    get fetches() {
      return fetches;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

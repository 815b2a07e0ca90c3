/**
 * The way to STS for the identity check: one POST of the caller's signed request over a
 * bounded keep-alive pool, no redirects followed, a deadline, and one retry when a reused
 * connection turns out to be closed.
 */
import type { Agent as HttpAgent } from 'node:http';
import https from 'node:https';
import { BrokerError, Unauthenticated, Unavailable } from '../errors';
import type { AnswerReason } from './reasons';

/** One outbound POST of a caller's signed GetCallerIdentity request. */
export interface SendRequest {
  readonly url: URL;
  readonly method: 'POST';
  /** Lower-case names; includes `host` and `content-length`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Sent as `Accept`: the broker's own header, which the caller does not sign. */
  readonly accept: string;
  readonly body: string;
  /** Stop reading and fail once the response body exceeds this many bytes. */
  readonly maxResponseBytes: number;
  /** Aborted by the verifier when its deadline passes. */
  readonly signal: AbortSignal;
}

export interface SendResponse {
  readonly statusCode: number;
  /** Lower-case names, as node:http gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * Sends the request exactly once and resolves with the raw answer: no redirects followed,
 * no retries. Rejects on network errors and on abort.
 */
export type SendFn = (request: SendRequest) => Promise<SendResponse>;

// Reused across invocations of a warm Lambda: one TLS handshake per endpoint, not per caller.
// Bounded like the SDK clients' pool (lib/aws/clients.ts): a burst queues here rather than
// opening hundreds of connections to STS at once.
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
let plain: { transport: typeof import('node:http'); agent: HttpAgent } | undefined;

/**
 * node:http, loaded on the first http:// identity endpoint (local runs only). Not imported:
 * Node 22's ESM view of node:http reads its lazy WebSocket export, which loads undici
 * (~10 ms of every cold start).
 */
function plainHttp() {
  if (!plain) {
    const transport = process.getBuiltinModule('node:http');
    plain = { transport, agent: new transport.Agent({ keepAlive: true, maxSockets: 64 }) };
  }
  return plain;
}

/**
 * Default SendFn on plain node:http/https: fetch (undici) refuses to set `Host`, which is
 * a signed header and must be sent exactly as the caller signed it.
 */
export const sendWithNodeHttp: SendFn = (request) =>
  new Promise<SendResponse>((resolve, reject) => {
    const { url } = request;
    const { transport, agent } =
      url.protocol === 'https:' ? { transport: https, agent: httpsAgent } : plainHttp();
    const req = transport.request(
      {
        protocol: url.protocol,
        // URL keeps IPv6 literals in brackets; node:http wants them bare.
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: url.pathname,
        method: request.method,
        headers: { ...request.headers, accept: request.accept },
        agent,
        signal: request.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > request.maxResponseBytes) {
            req.destroy();
            reject(
              new Unauthenticated<AnswerReason>('identity service response is too large', {
                reason: 'answer-too-large',
              }),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            statusCode: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });

/**
 * Sends the request with `send` within `timeoutMs` (connecting and reading the whole
 * answer), and once more if a kept-alive connection the server had just closed is reset:
 * GetCallerIdentity is idempotent. Rejects with Unavailable (503) when STS cannot be
 * reached in time; BrokerErrors from `send` pass through.
 */
export async function sendToSts(
  send: SendFn,
  timeoutMs: number,
  request: Omit<SendRequest, 'signal'>,
): Promise<SendResponse> {
  try {
    return await sendWithDeadline(send, timeoutMs, request);
  } catch (err) {
    if (!(err instanceof Unavailable) || !isConnectionReset(err.cause)) throw err;
    return await sendWithDeadline(send, timeoutMs, request);
  }
}

function isConnectionReset(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

async function sendWithDeadline(
  send: SendFn,
  timeoutMs: number,
  request: Omit<SendRequest, 'signal'>,
): Promise<SendResponse> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Unavailable('identity service unreachable'));
    }, timeoutMs);
  });
  try {
    return await Promise.race([send({ ...request, signal: controller.signal }), deadline]);
  } catch (err) {
    if (err instanceof BrokerError) throw err;
    throw new Unavailable('identity service unreachable', { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

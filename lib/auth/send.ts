import http from 'node:http';
import https from 'node:https';
import { Unauthenticated } from '../errors';

/** One outbound POST of a caller's signed GetCallerIdentity request. */
export interface SendRequest {
  readonly url: URL;
  readonly method: 'POST';
  /** Lower-case names; includes `host` and `content-length`. */
  readonly headers: Readonly<Record<string, string>>;
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
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/**
 * Default SendFn on plain node:http/https: fetch (undici) refuses to set `Host`, which is
 * a signed header and must be sent exactly as the caller signed it.
 */
export const sendWithNodeHttp: SendFn = (request) =>
  new Promise<SendResponse>((resolve, reject) => {
    const { url } = request;
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(
      {
        protocol: url.protocol,
        // URL keeps IPv6 literals in brackets; node:http wants them bare.
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: url.pathname,
        method: request.method,
        headers: request.headers,
        agent: url.protocol === 'https:' ? agents['https:'] : agents['http:'],
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
              new Unauthenticated('identity service response is too large', {
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

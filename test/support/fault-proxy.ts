import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultMode = 'pass' | 'refuse' | 'error500' | 'throttle';

/**
 * A plain HTTP relay in front of the emulator that can be told to fail: it forwards bytes
 * and headers unchanged (so SigV4 still verifies), or answers with a fault. Not an emulator.
 */
export interface FaultProxy {
  readonly endpoint: string;
  mode: FaultMode;
  /** Requests seen, whatever the mode. */
  readonly count: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let count = 0;
  const state: { mode: FaultMode } = { mode: 'pass' };
  const server: Server = createServer((req, res) => {
    count += 1;
    if (state.mode === 'refuse') {
      req.socket.destroy();
      return;
    }
    if (state.mode === 'error500') {
      res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'InternalServerError', message: 'injected' }));
      return;
    }
    if (state.mode === 'throttle') {
      res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      return;
    }
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(m: FaultMode) {
      state.mode = m;
    },
    get count() {
      return count;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * HTTP relays in front of the local emulator, on 127.0.0.1: the fault proxy the tests use to
 * inject network faults, and the counting relay the bench (and its test) build on it.
 */
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * `pass` relays; `refuse` drops the connection; `error500` and `throttle` answer with an
 * AWS JSON-protocol fault; `hang` accepts the request and never answers.
 */
export type FaultMode = 'pass' | 'refuse' | 'error500' | 'throttle' | 'hang';

/** A canned answer the proxy sends instead of relaying. */
export interface FaultAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

/** What a `decide` hook sees of one request (body fully read). */
export interface ProxiedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type FaultDecision = FaultMode | FaultAnswer;

/**
 * A plain HTTP relay in front of the emulator that can be told to fail: it forwards bytes
 * and headers unchanged (so SigV4 still verifies), or answers with a fault. Not an emulator.
 */
export interface FaultProxy {
  readonly endpoint: string;
  /** What every request gets while no `decide` hook is set. */
  mode: FaultMode;
  /**
   * Per-request choice, overriding `mode` while set: the request body is read first (then
   * relayed unchanged on `pass`), so the hook can look at the action and its parameters. A
   * promise holds the request until it settles.
   */
  decide: ((req: ProxiedRequest) => FaultDecision | Promise<FaultDecision>) | undefined;
  /** Requests seen, whatever the mode. */
  readonly count: number;
  close(): Promise<void>;
}

/** An error as AWS JSON-protocol services (SSM, KMS) send it. */
export function jsonFault(status: number, type: string, message: string): FaultAnswer {
  return {
    status,
    headers: { 'Content-Type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ __type: type, message }),
  };
}

/** An error as AWS query-protocol services (STS) send it. */
export function queryFault(status: number, code: string, message: string): FaultAnswer {
  return {
    status,
    headers: { 'Content-Type': 'text/xml' },
    body:
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
      `<Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
      '<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>',
  };
}

const MODE_ANSWERS: Partial<Record<FaultMode, FaultAnswer>> = {
  error500: jsonFault(500, 'InternalServerError', 'injected'),
  throttle: jsonFault(400, 'ThrottlingException', 'Rate exceeded'),
};

export interface FaultProxyOptions {
  /**
   * Keep client connections open between requests (moto closes every connection after one
   * answer; with this the proxy does not pass that on). Off by default: each request then
   * arrives on a fresh connection, so request counts are exact.
   */
  readonly clientKeepAlive?: boolean;
}

export async function startFaultProxy(
  target: string,
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const upstream = new URL(target);
  let count = 0;
  const state: {
    mode: FaultMode;
    decide: ((req: ProxiedRequest) => FaultDecision | Promise<FaultDecision>) | undefined;
  } = { mode: 'pass', decide: undefined };

  const server: Server = createServer((req, res) => {
    count += 1;

    const relay = (body?: Buffer) => {
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          // moto closes every connection after one answer: never reuse one.
          agent: false,
        },
        (up) => {
          const { connection: _c, 'keep-alive': _k, ...endToEnd } = up.headers;
          res.writeHead(up.statusCode ?? 502, options.clientKeepAlive ? endToEnd : up.headers);
          up.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      if (body) out.end(body);
      else req.pipe(out);
    };

    const act = (decision: FaultDecision, body?: Buffer) => {
      if (decision === 'pass') return relay(body);
      if (decision === 'hang') return; // keep the socket open, never answer
      if (decision === 'refuse') {
        req.socket.destroy();
        return;
      }
      const answer = typeof decision === 'string' ? MODE_ANSWERS[decision] : decision;
      if (!answer) throw new Error(`fault proxy: no answer for ${String(decision)}`);
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body);
    };

    const decide = state.decide;
    if (!decide) {
      act(state.mode);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const decision = decide({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: body.toString('utf8'),
      });
      if (decision instanceof Promise) void decision.then((d) => act(d, body));
      else act(decision, body);
    });
  });
  if (!options.clientKeepAlive) server.keepAliveTimeout = 1;
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
    get decide() {
      return state.decide;
    },
    set decide(fn: ((req: ProxiedRequest) => FaultDecision | Promise<FaultDecision>) | undefined) {
      state.decide = fn;
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

export interface Counts {
  ssm: number;
  hubAssumeRole: number;
  targetAssumeRole: number;
  other: number;
}

export interface CountingRelay {
  readonly endpoint: string;
  /** A copy of the counts so far. */
  counts(): Counts;
  close(): Promise<void>;
}

/** The AWS operation of a request: `x-amz-target` for JSON protocols, else the query `Action`. */
function operationOf(headers: Record<string, unknown>, body: string) {
  const target = String(headers['x-amz-target'] ?? '');
  if (target) {
    const json = body ? (JSON.parse(body) as { RoleArn?: string }) : {};
    return {
      service: target.split('.')[0] ?? '',
      action: target.split('.').pop() ?? '',
      roleArn: json.RoleArn,
    };
  }
  const form = new URLSearchParams(body);
  return {
    service: 'sts',
    action: form.get('Action') ?? '',
    roleArn: form.get('RoleArn') ?? undefined,
  };
}

/**
 * The fault proxy in front of the emulator (bytes unchanged, so signatures still verify),
 * keeping client connections open, counting what passes: SSM calls, and AssumeRole calls to
 * hub roles and to other roles.
 */
export async function startCountingRelay(
  target: string,
  hubRoleArns: readonly string[],
): Promise<CountingRelay> {
  const counts: Counts = { ssm: 0, hubAssumeRole: 0, targetAssumeRole: 0, other: 0 };
  const proxy = await startFaultProxy(target, { clientKeepAlive: true });
  proxy.decide = (req) => {
    const op = operationOf(req.headers, req.body);
    if (op.service.startsWith('AmazonSSM')) counts.ssm += 1;
    else if (op.action === 'AssumeRole' && op.roleArn && hubRoleArns.includes(op.roleArn))
      counts.hubAssumeRole += 1;
    else if (op.action === 'AssumeRole') counts.targetAssumeRole += 1;
    else counts.other += 1;
    return 'pass';
  };
  return {
    endpoint: proxy.endpoint,
    counts: () => ({ ...counts }),
    close: () => proxy.close(),
  };
}

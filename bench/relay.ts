import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
 * A byte-for-byte HTTP relay in front of the emulator (signatures still verify) that counts
 * what passes: SSM calls, and AssumeRole calls to hub roles and to other roles.
 */
export async function startCountingRelay(
  target: string,
  hubRoleArns: readonly string[],
): Promise<CountingRelay> {
  const upstream = new URL(target);
  const counts: Counts = { ssm: 0, hubAssumeRole: 0, targetAssumeRole: 0, other: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const op = operationOf(req.headers, body.toString('utf8'));
      if (op.service.startsWith('AmazonSSM')) counts.ssm += 1;
      else if (op.action === 'AssumeRole' && op.roleArn && hubRoleArns.includes(op.roleArn))
        counts.hubAssumeRole += 1;
      else if (op.action === 'AssumeRole') counts.targetAssumeRole += 1;
      else counts.other += 1;
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
          // Hop-by-hop: moto closes every connection; the relay's clients keep theirs.
          const { connection: _connection, 'keep-alive': _keepAlive, ...headers } = up.headers;
          res.writeHead(up.statusCode ?? 502, headers);
          up.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

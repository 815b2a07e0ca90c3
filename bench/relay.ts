import { startFaultProxy } from '../test/support/fault-proxy';

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
 * The tests' relay in front of the emulator (bytes unchanged, so signatures still verify),
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

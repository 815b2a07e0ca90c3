import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { AUDIT_ROLES, BROKER_ACCOUNT, seedDemo } from '../../scripts/seed';
import { loadBroker, restoreEnv } from '../support/broker';
import { serveBroker } from '../support/broker-http';
import { lambdaContext } from '../support/events';

const endpoint = inject('motoEndpoint');
let http: Awaited<ReturnType<typeof serveBroker>>;
const lines: string[] = [];

beforeAll(async () => {
  const world = await seedDemo(endpoint, { unsafe: true });
  // The broker and the audit function run with the same (execution role) credentials, as in
  // the stack; API Gateway is stood in for by a local server that names the caller.
  http = await serveBroker(await loadBroker(world), `arn:aws:iam::${BROKER_ACCOUNT}:user/admin`);
  Object.assign(process.env, {
    ROLEBROKER_URL: http.url,
    ROLEBROKER_AUDIT_ROLES: AUDIT_ROLES.join(','),
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_METRICS_NAMESPACE: 'RoleBroker',
  });
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
  }
});

afterAll(async () => {
  vi.restoreAllMocks();
  restoreEnv();
  delete process.env.ROLEBROKER_URL;
  delete process.env.ROLEBROKER_AUDIT_ROLES;
  delete process.env.POWERTOOLS_METRICS_NAMESPACE;
  await http.close();
});

describe('scheduled audit function', () => {
  it('logs one record per finding, a summary, and metrics by severity', async () => {
    vi.resetModules();
    const { handler } = await import('../../functions/audit');
    const summary = (await handler({} as never, lambdaContext())) as {
      high: number;
      medium: number;
      low: number;
    };
    const records = lines.flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
    const findings = records.filter((r) => r.message === 'audit finding');
    expect(findings.length).toBe(summary.high + summary.medium + summary.low);
    expect(summary.low).toBeGreaterThan(0); // the seeded expired grant
    expect(findings.every((f) => f.check && f.severity && f.grant && f.fix)).toBe(true);
    expect(records.filter((r) => r.message === 'audit summary')).toHaveLength(1);
    const metrics = records.filter(
      (r) => r._aws?.CloudWatchMetrics?.[0]?.Metrics?.[0]?.Name === 'AuditFindings',
    );
    expect(metrics.map((m) => [m.Severity, m.AuditFindings])).toEqual(
      expect.arrayContaining([
        ['high', summary.high],
        ['medium', summary.medium],
        ['low', summary.low],
      ]),
    );
  });
});

import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../../lib/audit';

const ssmMock = mockClient(SSMClient);
afterEach(() => ssmMock.reset());

const CLOSES = Date.parse('2026-05-01T17:00:00Z');

async function findingsAt(now: number, window: object) {
  ssmMock.on(GetParametersByPathCommand).resolves({
    Parameters: [
      {
        Name: '/rb/grants/oncall',
        Type: 'SecureString',
        Value: JSON.stringify({
          roleArn: 'arn:aws:iam::222222222222:role/rolebroker/app',
          principals: ['arn:aws:iam::111111111111:user/alice'],
          ...window,
        }),
      },
    ],
  });
  const report = await runAudit({
    ssm: new SSMClient({ region: 'eu-west-1' }),
    prefix: '/rb',
    partition: 'aws',
    iamFor: () => undefined,
    now: () => now,
  });
  return report.findings.filter((f) => !f.check.startsWith('role-'));
}

describe('audit of grant windows', () => {
  const window = { notBefore: '2026-05-01T09:00:00Z', notAfter: '2026-05-01T17:00:00Z' };

  it('reports a grant still stored from exactly notAfter on as grant-expired (low)', async () => {
    for (const now of [CLOSES, CLOSES + 86_400_000]) {
      expect(await findingsAt(now, window)).toEqual([
        {
          check: 'grant-expired',
          severity: 'low',
          grant: 'oncall',
          message:
            "grant's window closed at 2026-05-01T17:00:00Z: the broker no longer issues sessions for it",
          fix: 'delete the parameter, or move notAfter if the access is still meant',
        },
      ]);
    }
  });

  it('reports nothing while the window is open or not yet open', async () => {
    expect(await findingsAt(CLOSES - 1, window)).toEqual([]);
    expect(await findingsAt(Date.parse('2026-01-01T00:00:00Z'), window)).toEqual([]);
    expect(await findingsAt(CLOSES, { notBefore: window.notBefore })).toEqual([]);
  });

  it.each([
    [{ notAfter: '2026-05-01' }, 'notAfter: must be an ISO 8601 time'],
    [{ notBefore: '2026-05-01T09:00:00' }, 'notBefore: must be an ISO 8601 time'],
    [{ ...window, notAfter: window.notBefore }, 'notAfter: must be after notBefore'],
  ])('reports an invalid window %j as grant-invalid (high), naming it', async (bad, reason) => {
    const [finding, ...more] = await findingsAt(CLOSES, bad);
    expect(more).toEqual([]);
    expect(finding).toMatchObject({ check: 'grant-invalid', severity: 'high', grant: 'oncall' });
    expect(finding?.message).toContain(reason);
  });
});

import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../../lib/audit';

const ssmMock = mockClient(SSMClient);
afterEach(() => ssmMock.reset());

const grant = (principals: string[]) =>
  JSON.stringify({ roleArn: 'arn:aws:iam::222222222222:role/rolebroker/app', principals });

async function checksFor(principals: string[]): Promise<string[]> {
  ssmMock.on(GetParametersByPathCommand).resolves({
    Parameters: [{ Name: '/rb/grants/g', Type: 'SecureString', Value: grant(principals) }],
  });
  const report = await runAudit({
    ssm: new SSMClient({ region: 'eu-west-1' }),
    prefix: '/rb',
    partition: 'aws',
    iamFor: () => undefined,
  });
  return report.findings
    .filter((f) => f.role === undefined && !f.check.startsWith('role-'))
    .map((f) => f.check)
    .sort();
}

describe('audit of principal patterns whose meaning changed (issue 12)', () => {
  it.each([
    'arn:aws:iam::111111111111:user/dev-*',
    'arn:aws:iam::111111111111:user/ops/*',
    'arn:aws:iam::111111111111:user/a?b',
    'arn:aws:iam::111111111111:user/*x',
  ])('reports %s as principal-wildcard-path (medium)', async (p) => {
    expect(await checksFor([p])).toEqual(['principal-wildcard-path']);
    const report = await runAudit({
      ssm: new SSMClient({ region: 'eu-west-1' }),
      prefix: '/rb',
      partition: 'aws',
      iamFor: () => undefined,
    });
    const finding = report.findings.find((f) => f.check === 'principal-wildcard-path');
    expect(finding).toMatchObject({ severity: 'medium', grant: 'g' });
    expect(finding?.message).toContain(p);
  });

  it.each([
    'arn:aws:iam::111111111111:user/ops/alice',
    'arn:aws:iam::111111111111:user/?lice',
    'arn:aws:iam::111111111111:user/ops/?lice',
    'arn:aws:iam::111111111111:user/alic?',
    'arn:aws:iam::111111111111:role/audit-*',
    'arn:aws:sts::111111111111:assumed-role/app/job-*',
  ])('does not report %s, whose matches never held a / at a wildcard', async (p) => {
    expect(await checksFor([p])).toEqual([]);
  });

  it('reports user/*/* as whole-account and as changed', async () => {
    expect(await checksFor(['arn:aws:iam::111111111111:user/*/*'])).toEqual([
      'principal-wildcard-path',
      'principals-whole-account',
    ]);
  });
});

import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AuditReport, brokerIamClients, runAudit } from '../../lib/audit';
import { EMULATOR_REGION } from '../../scripts/emulator';
import {
  ARNS,
  AUDIT_ROLES,
  BROKER_ACCOUNT,
  GRANTS,
  type SeededWorld,
  seedDemo,
  UNSAFE_PARAMETERS,
} from '../../scripts/seed';
import { loadBroker, restoreEnv } from '../support/broker';
import { serveBroker } from '../support/broker-http';

const endpoint = inject('motoEndpoint');
let world: SeededWorld;
let report: AuditReport;
let http: Awaited<ReturnType<typeof serveBroker>>;

beforeAll(async () => {
  world = await seedDemo(endpoint, { unsafe: true });
  const broker = await loadBroker(world);
  http = await serveBroker(broker, `arn:aws:iam::${BROKER_ACCOUNT}:user/admin`);
  const ssm = new SSMClient({
    region: EMULATOR_REGION,
    endpoint,
    credentials: world.admins[BROKER_ACCOUNT],
  });
  report = await runAudit({
    ssm,
    prefix: '/rolebroker',
    partition: 'aws',
    iamFor: brokerIamClients({ url: http.url, auditRoles: AUDIT_ROLES }),
  });
  ssm.destroy();
});

afterAll(async () => {
  restoreEnv();
  await http.close();
});

const checksFor = (grant: string, role?: string) =>
  report.findings
    .filter((f) => f.grant === grant && (role === undefined || f.role?.endsWith(role)))
    .map((f) => f.check)
    .sort();

describe('trust-posture audit against the emulator', () => {
  it.each([
    ['unsafe-plain-string', ['grant-not-secure-string']],
    ['unsafe-invalid', ['grant-invalid']],
    ['unsafe-whole-account', ['principals-whole-account']],
    ['unsafe-every-role', ['principals-whole-account']],
    ['unsafe-every-user', ['principals-whole-account', 'principal-wildcard-path']],
    ['unsafe-user-path-wildcard', ['principal-wildcard-path']],
    ['unsafe-other-partition', ['grant-invalid']],
    ['unsafe-missing-role', ['role-missing']],
    ['unsafe-unreadable', ['role-unreadable']],
    ['unsafe-no-external-id', ['trust-no-external-id']],
    ['strict-mismatch', ['trust-external-id-mismatch']],
    ['unsafe-trusts-root', ['trust-account-root']],
    ['unsafe-trusts-anyone', ['trust-wildcard-principal']],
    [
      'unsafe-no-source-identity',
      ['trust-missing-set-source-identity', 'trust-missing-tag-session'],
    ],
    ['unsafe-short-session', ['role-max-session-too-short']],
    ['unsafe-external-id-optional', ['trust-external-id-optional']],
    ['unsafe-external-id-pattern', ['trust-external-id-pattern']],
    ['unsafe-service-deputy', ['trust-service-confused-deputy']],
    ['unsafe-federated', ['trust-federated-principal']],
    ['unsafe-expired', ['grant-expired']],
    ['unsafe-invalid-window', ['grant-invalid']],
  ])('reports %s with exactly %j', (grant, checks) => {
    expect(checksFor(grant)).toEqual([...checks].sort());
  });

  it('reports a grant whose window has closed as low, naming when it closed', () => {
    expect(report.findings.filter((f) => f.check === 'grant-expired')).toEqual([
      {
        check: 'grant-expired',
        severity: 'low',
        grant: 'unsafe-expired',
        message:
          "grant's window closed at 2020-01-01T17:00:00Z: the broker no longer issues sessions for it",
        fix: 'delete the parameter, or move notAfter if the access is still meant',
      },
    ]);
  });

  it('reports an invalid window as an invalid grant, naming the field', () => {
    const [finding] = report.findings.filter((f) => f.grant === 'unsafe-invalid-window');
    expect(finding).toMatchObject({ check: 'grant-invalid', severity: 'high' });
    expect(finding?.message).toBe(
      'grant is invalid and skipped by the broker: notAfter: must be after notBefore',
    );
  });

  it('reports every seeded unsafe grant (each seeded finding still fires)', () => {
    const reported = new Set(report.findings.map((f) => f.grant));
    for (const name of Object.keys(UNSAFE_PARAMETERS)) expect(reported).toContain(name);
  });

  it('reports the problems of a hub role against the hub', () => {
    expect(checksFor('unsafe-hub', 'rolebroker-unsafe-hub')).toEqual(['trust-account-root']);
    expect(checksFor('unsafe-hub', 'rolebroker-unsafe-safe')).toEqual([]);
  });

  it.each([
    'local-reader',
    'audit-readonly',
    'deploy-via-hub',
    'audit-reader-111111111111',
    'audit-reader-222222222222',
  ])('finds nothing wrong with the safe grant %s', (grant) => {
    expect(checksFor(grant)).toEqual([]);
  });

  it('gives every finding a severity and a one-line fix', () => {
    for (const f of report.findings) {
      expect(['high', 'medium', 'low']).toContain(f.severity);
      expect(f.fix).toMatch(/^[^\n]+$/);
    }
    expect(report.summary.high + report.summary.medium + report.summary.low).toBe(
      report.findings.length,
    );
  });

  it('never puts an external ID in a finding', () => {
    expect(JSON.stringify(report)).not.toMatch(/demo-external-id/);
  });
});

describe("each hop checked against the principal that assumes it (brokerRoleArn, the grant's hubs)", () => {
  const PREFIX_HERE = '/rolebroker-assumers';
  const ID = 'the-grants-external-id-5f3e';

  it("holds a first hop to the broker's role once known, and a target behind a hub to the hub", async () => {
    const config = { region: EMULATOR_REGION, endpoint, credentials: world.admins[BROKER_ACCOUNT] };
    const iam = new IAMClient(config);
    const ssm = new SSMClient(config);
    try {
      // The assumer is held to another ID; a second principal has the grant's ID. Taken for
      // the broker, that second statement would hide the mismatch.
      const maskedRole = async (name: string, assumer: string) =>
        (
          await iam.send(
            new CreateRoleCommand({
              RoleName: name,
              AssumeRolePolicyDocument: JSON.stringify({
                Version: '2012-10-17',
                Statement: [
                  assume(assumer, 'another-external-id-77c1'),
                  assume(ARNS.localTarget, ID),
                ],
              }),
            }),
          )
        ).Role?.Arn;
      const grants = {
        masked: {
          roleArn: await maskedRole('rolebroker-masked-first-hop', ARNS.brokerExecRole),
          externalId: ID,
          principals: [ARNS.demoCaller],
        },
        'masked-via-hub': {
          roleArn: await maskedRole('rolebroker-masked-via-hub', ARNS.hubRole),
          externalId: ID,
          principals: [ARNS.demoCaller],
          via: [ARNS.hubRole],
        },
        // Trusts the hub's role and session with the right ID: no mismatch either way.
        'via-hub': GRANTS['deploy-via-hub'],
      };
      for (const [name, grant] of Object.entries(grants)) {
        await ssm.send(
          new PutParameterCommand({
            Name: `${PREFIX_HERE}/grants/${name}`,
            Value: JSON.stringify(grant),
            Type: 'SecureString',
            Overwrite: true,
          }),
        );
      }
      const mismatches = async (brokerRoleArn?: string) =>
        (
          await runAudit({
            ssm,
            prefix: PREFIX_HERE,
            partition: 'aws',
            iamFor: brokerIamClients({ url: http.url, auditRoles: AUDIT_ROLES }),
            brokerRoleArn,
          })
        ).findings
          .filter((f) => f.check === 'trust-external-id-mismatch')
          .map((f) => f.grant)
          .sort();
      // The hub is known from the grant; the broker's role only when given.
      expect(await mismatches()).toEqual(['masked-via-hub']);
      expect(await mismatches(ARNS.brokerExecRole)).toEqual(['masked', 'masked-via-hub']);
    } finally {
      iam.destroy();
      ssm.destroy();
    }
  });
});

function assume(principal: string, externalId: string) {
  return {
    Effect: 'Allow',
    Principal: { AWS: principal },
    Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
    Condition: { StringEquals: { 'sts:ExternalId': externalId } },
  };
}

import { describe, expect, it } from 'vitest';
import { auditTrust } from '../../../lib/audit/trust';

/**
 * Trust policies and the exact findings each must produce (`check@severity`), derived by
 * hand from IAM's evaluation rules: explicit Deny wins, NotPrincipal / NotAction are
 * complements, actions match case-insensitively with wildcards, negated operators and
 * ForAllValues: / IfExists pass a request without the key. An empty list means no finding.
 */
const BROKER = 'arn:aws:iam::111111111111:role/rolebroker-exec';
const SESSION = 'arn:aws:sts::111111111111:assumed-role/rolebroker-exec/rolebroker';
const ROLE = 'arn:aws:iam::222222222222:role/rolebroker/app';
const ID = 'ext-1';
const ALL = ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'];
const EQ = { StringEquals: { 'sts:ExternalId': ID } };

const allow = (Principal: unknown, Condition: object | null = EQ, Action: unknown = ALL) => ({
  Effect: 'Allow',
  Principal,
  Action,
  ...(Condition ? { Condition } : {}),
});
const deny = (extra: object) => ({ Effect: 'Deny', Action: 'sts:AssumeRole', ...extra });

interface Row {
  readonly name: string;
  readonly statements: object[];
  readonly broker?: readonly string[];
  readonly externalId?: string | null;
  readonly expected: readonly string[];
}

const rows: Row[] = [
  // Principal shapes.
  { name: 'the recommended policy', statements: [allow({ AWS: BROKER })], expected: [] },
  { name: 'principal as a list', statements: [allow({ AWS: [BROKER, SESSION] })], expected: [] },
  { name: 'Principal "*"', statements: [allow('*')], expected: ['trust-wildcard-principal@high'] },
  {
    name: '{AWS: "*"}',
    statements: [allow({ AWS: '*' })],
    expected: ['trust-wildcard-principal@high'],
  },
  {
    name: '"*" inside an AWS list',
    statements: [allow({ AWS: [BROKER, '*'] })],
    expected: ['trust-wildcard-principal@high'],
  },
  {
    name: 'an account root ARN',
    statements: [allow({ AWS: 'arn:aws:iam::111111111111:root' })],
    expected: ['trust-account-root@high'],
  },
  {
    name: 'a bare account id',
    statements: [allow({ AWS: '111111111111' })],
    expected: ['trust-account-root@high'],
  },
  {
    name: 'principal kind spelt in lower case',
    statements: [allow({ aws: 'arn:aws:iam::111111111111:root' })],
    expected: ['trust-account-root@high'],
  },
  {
    name: 'Allow with NotPrincipal (everyone but one)',
    statements: [{ Effect: 'Allow', NotPrincipal: { AWS: BROKER }, Action: ALL, Condition: EQ }],
    expected: ['trust-wildcard-principal@high'],
  },
  {
    name: 'a service without a source condition',
    statements: [allow({ AWS: BROKER }), allow({ Service: 'lambda.amazonaws.com' }, null)],
    expected: ['trust-service-confused-deputy@high'],
  },
  {
    name: 'a service list without a source condition',
    statements: [
      allow({ AWS: BROKER }),
      allow({ Service: ['ec2.amazonaws.com', 'sns.amazonaws.com'] }, null, 'sts:AssumeRole'),
    ],
    expected: ['trust-service-confused-deputy@high'],
  },
  {
    name: 'a service with aws:SourceAccount',
    statements: [
      allow({ AWS: BROKER }),
      allow(
        { Service: 'sns.amazonaws.com' },
        { StringEquals: { 'aws:SourceAccount': '222222222222' } },
      ),
    ],
    expected: [],
  },
  {
    name: 'a service with aws:SourceArn (key in odd case)',
    statements: [
      allow({ AWS: BROKER }),
      allow(
        { Service: 'events.amazonaws.com' },
        { ArnLike: { 'AWS:SOURCEARN': 'arn:aws:events:eu-west-1:222222222222:rule/*' } },
      ),
    ],
    expected: [],
  },
  {
    name: 'a federated identity provider',
    statements: [
      allow({ AWS: BROKER }),
      allow(
        {
          Federated: 'arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com',
        },
        undefined,
        'sts:AssumeRoleWithWebIdentity',
      ),
    ],
    expected: ['trust-federated-principal@medium'],
  },
  {
    name: 'a federated provider allowed only sts:AssumeRole (which it cannot use)',
    statements: [
      allow({ AWS: BROKER }),
      allow({ Federated: 'cognito-identity.amazonaws.com' }, null, 'sts:AssumeRole'),
    ],
    expected: [],
  },
  // Actions.
  {
    name: 'sts:Assume* covers AssumeRole',
    statements: [
      allow({ AWS: '*' }, EQ, ['sts:Assume*', 'sts:SetSourceIdentity', 'sts:TagSession']),
    ],
    expected: ['trust-wildcard-principal@high'],
  },
  {
    name: 'sts:*Role* covers AssumeRole (not the session actions)',
    statements: [allow({ AWS: BROKER }, EQ, 'sts:*Role*')],
    expected: ['trust-missing-set-source-identity@medium'],
  },
  {
    name: 'Action "*"',
    statements: [allow({ AWS: 'arn:aws:iam::111111111111:root' }, EQ, '*')],
    expected: ['trust-account-root@high'],
  },
  {
    name: 'actions in another case',
    statements: [allow({ AWS: BROKER }, EQ, ['STS:ASSUMEROLE', 'sts:setsourceidentity'])],
    expected: [],
  },
  {
    name: 'sts:AssumeRole? does not match AssumeRole',
    statements: [allow({ AWS: '*' }, EQ, 'sts:AssumeRole?')],
    expected: ['trust-no-assume@high'],
  },
  {
    name: 'NotAction that excludes TagSession still allows AssumeRole',
    statements: [{ Effect: 'Allow', Principal: '*', NotAction: 'sts:TagSession', Condition: EQ }],
    expected: ['trust-wildcard-principal@high'],
  },
  {
    name: 'NotAction that excludes sts:Assume* allows no AssumeRole',
    statements: [{ Effect: 'Allow', Principal: '*', NotAction: 'sts:Assume*' }],
    expected: ['trust-no-assume@high'],
  },
  // Deny.
  {
    name: 'Deny of AssumeRole to everyone',
    statements: [allow({ AWS: BROKER }), deny({ Principal: '*' })],
    expected: ['trust-no-assume@high'],
  },
  {
    name: 'Deny for the same account root cancels the root',
    statements: [
      allow({ AWS: BROKER }),
      allow({ AWS: '111111111111' }),
      deny({ Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sts:*' }),
    ],
    expected: ['trust-no-assume@high'],
  },
  {
    name: 'Deny everyone except the broker (NotPrincipal) fixes "*"',
    statements: [allow('*'), deny({ NotPrincipal: { AWS: [BROKER, SESSION] } })],
    expected: [],
  },
  {
    name: 'Deny outside a NotPrincipal that lists the account beside the broker (as AWS asks)',
    statements: [
      allow('*'),
      deny({ NotPrincipal: { AWS: ['arn:aws:iam::111111111111:root', BROKER, SESSION] } }),
    ],
    expected: [],
  },
  {
    name: 'Deny outside a NotPrincipal of the account alone leaves the account',
    statements: [allow('*'), deny({ NotPrincipal: { AWS: '111111111111' } })],
    expected: ['trust-wildcard-principal@high'],
  },
  {
    name: 'Deny that does not cover the action leaves "*"',
    statements: [allow('*'), deny({ Principal: '*', Action: 'sts:TagSession' })],
    expected: ['trust-wildcard-principal@high'],
  },
  {
    name: 'Deny StringNotEquals sts:ExternalId requires the ID of everyone',
    statements: [
      allow({ AWS: BROKER }, null),
      deny({ Principal: '*', Condition: { StringNotEquals: { 'sts:ExternalId': ID } } }),
    ],
    expected: [],
  },
  {
    name: 'Deny Null sts:ExternalId only requires some ID',
    statements: [
      allow({ AWS: BROKER }, null),
      deny({ Principal: '*', Condition: { Null: { 'sts:ExternalId': 'true' } } }),
    ],
    expected: ['trust-no-external-id@high'],
  },
  {
    name: 'Deny with two conditions is not credited',
    statements: [
      allow({ AWS: BROKER }, null),
      deny({
        Principal: '*',
        Condition: {
          StringNotEquals: { 'sts:ExternalId': ID },
          Bool: { 'aws:SecureTransport': 'false' },
        },
      }),
    ],
    expected: ['trust-no-external-id@high'],
  },
  {
    name: 'Deny ArnNotEquals aws:PrincipalArn narrows "*" to the broker',
    statements: [
      allow('*'),
      deny({
        Principal: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [BROKER, SESSION] } },
      }),
    ],
    expected: [],
  },
  {
    name: 'Deny everyone except the broker also refuses a service',
    statements: [
      allow({ AWS: BROKER }),
      allow({ Service: 'lambda.amazonaws.com' }, null),
      deny({ NotPrincipal: { AWS: [BROKER, SESSION] } }),
    ],
    expected: [],
  },
  {
    name: 'Deny to a named role does not touch the broker',
    statements: [
      allow({ AWS: [BROKER, 'arn:aws:iam::111111111111:role/ops'] }),
      deny({ Principal: { AWS: 'arn:aws:iam::111111111111:role/ops' } }),
    ],
    expected: [],
  },
  // External ID operators.
  {
    name: 'Null written as a JSON boolean',
    statements: [allow({ AWS: BROKER }, { Null: { 'sts:ExternalId': false } })],
    expected: ['trust-no-external-id@high'],
  },
  {
    name: 'no condition from another account',
    statements: [allow({ AWS: BROKER }, null)],
    expected: ['trust-no-external-id@high'],
  },
  {
    name: 'no condition from the same account',
    statements: [allow({ AWS: 'arn:aws:iam::222222222222:role/hub' }, null)],
    externalId: null,
    expected: [],
  },
  {
    name: 'StringEquals, another value',
    statements: [allow({ AWS: BROKER })],
    externalId: 'other',
    expected: ['trust-external-id-mismatch@high'],
  },
  {
    name: 'StringEquals, grant without an ID',
    statements: [allow({ AWS: BROKER })],
    externalId: null,
    expected: ['trust-external-id-mismatch@high'],
  },
  {
    name: 'several values, the grant has one of them',
    statements: [allow({ AWS: BROKER }, { StringEquals: { 'sts:ExternalId': ['a', ID, 'b'] } })],
    expected: [],
  },
  {
    name: 'several values, the grant has none of them',
    statements: [allow({ AWS: BROKER }, { StringEquals: { 'sts:ExternalId': ['a', 'b'] } })],
    expected: ['trust-external-id-mismatch@high'],
  },
  {
    name: 'condition key in another case',
    statements: [allow({ AWS: BROKER }, { StringEquals: { 'STS:EXTERNALID': ID } })],
    expected: [],
  },
  {
    name: 'operator in another case',
    statements: [allow({ AWS: BROKER }, { stringequals: { 'sts:ExternalId': ID } })],
    expected: [],
  },
  {
    name: 'StringEqualsIgnoreCase matches another case of the ID',
    statements: [allow({ AWS: BROKER }, { StringEqualsIgnoreCase: { 'sts:ExternalId': 'EXT-1' } })],
    expected: [],
  },
  {
    name: 'StringEquals is case-sensitive',
    statements: [allow({ AWS: BROKER }, { StringEquals: { 'sts:ExternalId': 'EXT-1' } })],
    expected: ['trust-external-id-mismatch@high'],
  },
  {
    name: 'StringLike without wildcards is exact',
    statements: [allow({ AWS: BROKER }, { StringLike: { 'sts:ExternalId': ID } })],
    expected: [],
  },
  {
    name: 'StringLike with a wildcard that matches the grant',
    statements: [allow({ AWS: BROKER }, { StringLike: { 'sts:ExternalId': 'ext-*' } })],
    expected: ['trust-external-id-pattern@medium'],
  },
  {
    name: 'StringLike with a wildcard that does not match the grant',
    statements: [allow({ AWS: BROKER }, { StringLike: { 'sts:ExternalId': 'prod-?' } })],
    expected: ['trust-external-id-pattern@medium', 'trust-external-id-mismatch@high'],
  },
  {
    name: 'StringLike "*" requires nothing',
    statements: [allow({ AWS: BROKER }, { StringLike: { 'sts:ExternalId': '*' } })],
    expected: ['trust-no-external-id@high'],
  },
  {
    name: 'StringEqualsIfExists lets a request without an ID in',
    statements: [allow({ AWS: BROKER }, { StringEqualsIfExists: { 'sts:ExternalId': ID } })],
    expected: ['trust-external-id-optional@high'],
  },
  {
    name: 'ForAllValues:StringEquals is true without the key',
    statements: [allow({ AWS: BROKER }, { 'ForAllValues:StringEquals': { 'sts:ExternalId': ID } })],
    expected: ['trust-external-id-optional@high'],
  },
  {
    name: 'ForAnyValue:StringEquals requires the key',
    statements: [allow({ AWS: BROKER }, { 'ForAnyValue:StringEquals': { 'sts:ExternalId': ID } })],
    expected: [],
  },
  {
    name: 'Null false alone requires only some ID',
    statements: [allow({ AWS: BROKER }, { Null: { 'sts:ExternalId': 'false' } })],
    expected: ['trust-no-external-id@high'],
  },
  {
    name: 'Null false and StringEquals',
    statements: [
      allow(
        { AWS: BROKER },
        { Null: { 'sts:ExternalId': 'false' }, StringEquals: EQ.StringEquals },
      ),
    ],
    expected: [],
  },
  {
    name: 'Null true: only requests without an ID, so the broker fails',
    statements: [allow({ AWS: BROKER }, { Null: { 'sts:ExternalId': 'true' } })],
    expected: ['trust-no-external-id@high', 'trust-external-id-mismatch@high'],
  },
  {
    name: 'StringNotEquals in an Allow requires nothing',
    statements: [allow({ AWS: BROKER }, { StringNotEquals: { 'sts:ExternalId': 'x' } })],
    expected: ['trust-no-external-id@high'],
  },
  {
    name: 'a second statement without the ID undoes the first',
    statements: [allow({ AWS: BROKER }), allow({ AWS: BROKER }, null, 'sts:AssumeRole')],
    expected: ['trust-no-external-id@high'],
  },
  {
    name: 'one statement with the right ID among wrong ones issues',
    statements: [
      allow({ AWS: BROKER }, { StringEquals: { 'sts:ExternalId': 'old' } }),
      allow({ AWS: BROKER }),
    ],
    expected: [],
  },
  // Mitigating conditions.
  {
    name: '"*" with aws:PrincipalArn naming the broker',
    statements: [allow('*', { ...EQ, ArnEquals: { 'aws:PrincipalArn': [BROKER, SESSION] } })],
    expected: [],
  },
  {
    name: 'account root with aws:PrincipalArn naming the broker',
    statements: [
      allow(
        { AWS: '111111111111' },
        { ...EQ, StringEquals: { 'sts:ExternalId': ID, 'aws:PrincipalArn': BROKER } },
      ),
    ],
    expected: [],
  },
  {
    name: 'account root with aws:PrincipalArn naming one other role (a named principal)',
    statements: [
      allow(
        { AWS: '111111111111' },
        {
          StringEquals: {
            'sts:ExternalId': ID,
            'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/ops',
          },
        },
      ),
    ],
    broker: [BROKER],
    expected: [],
  },
  {
    name: 'account root with an aws:PrincipalArn pattern',
    statements: [
      allow(
        { AWS: '111111111111' },
        { ...EQ, ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/rolebroker-*' } },
      ),
    ],
    expected: ['trust-account-root@medium'],
  },
  {
    name: '"*" with aws:PrincipalOrgID',
    statements: [
      allow('*', { StringEquals: { 'sts:ExternalId': ID, 'aws:PrincipalOrgID': 'o-abc' } }),
    ],
    expected: ['trust-wildcard-principal@medium'],
  },
  {
    name: '"*" with aws:PrincipalAccount',
    statements: [
      allow('*', {
        StringEquals: { 'sts:ExternalId': ID, 'aws:PrincipalAccount': '111111111111' },
      }),
    ],
    expected: ['trust-wildcard-principal@medium'],
  },
  {
    name: 'account root with aws:SourceIdentity',
    statements: [
      allow(
        { AWS: '111111111111' },
        { StringEquals: { 'sts:ExternalId': ID }, StringLike: { 'aws:SourceIdentity': 'rb-*' } },
      ),
    ],
    expected: ['trust-account-root@medium'],
  },
  {
    name: '"*" with aws:PrincipalOrgID but no external ID',
    statements: [allow('*', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } })],
    expected: ['trust-wildcard-principal@medium', 'trust-no-external-id@high'],
  },
  {
    name: 'Deny StringNotEquals aws:PrincipalOrgID narrows a root',
    statements: [
      allow({ AWS: '333333333333' }),
      deny({ Principal: '*', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc' } } }),
    ],
    expected: ['trust-account-root@medium'],
  },
  // Session actions and the broker's principal.
  {
    name: 'session actions denied to everyone',
    statements: [allow({ AWS: BROKER }), deny({ Principal: '*', Action: 'sts:SetSourceIdentity' })],
    expected: ['trust-missing-set-source-identity@medium'],
  },
  {
    name: 'session actions in a statement of their own',
    statements: [
      allow({ AWS: BROKER }, EQ, 'sts:AssumeRole'),
      allow({ AWS: BROKER }, null, ['sts:SetSourceIdentity', 'sts:TagSession']),
    ],
    expected: [],
  },
  {
    name: 'broker known: a root of its account with the right ID is still the root',
    statements: [allow({ AWS: ['arn:aws:iam::111111111111:root'] })],
    broker: [BROKER],
    expected: ['trust-account-root@high'],
  },
  {
    name: 'broker known: another named role without the ID',
    statements: [allow({ AWS: BROKER }), allow({ AWS: 'arn:aws:iam::999999999999:role/x' }, null)],
    broker: [BROKER],
    expected: ['trust-no-external-id@high'],
  },
  {
    name: 'Effect spelt in lower case',
    statements: [{ ...allow('*'), Effect: 'allow' }],
    expected: ['trust-wildcard-principal@high'],
  },
];

describe('trust policy table (IAM semantics, issue 12)', () => {
  it('has at least 40 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  it.each(rows)('$name', ({ statements, broker, externalId, expected }) => {
    const findings = auditTrust(statements, {
      grant: 'g',
      roleArn: ROLE,
      roleAccount: '222222222222',
      hop: 'target',
      externalId: externalId === null ? undefined : (externalId ?? ID),
      needsSourceIdentity: true,
      needsTagSession: false,
      brokerPrincipals: broker,
    });
    expect(findings.map((f) => `${f.check}@${f.severity}`).sort()).toEqual([...expected].sort());
  });
});

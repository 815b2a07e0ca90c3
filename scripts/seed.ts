/**
 * The demo world seeded into the emulator, used by `npm start` and the integration tests:
 * a broker account with the broker's execution role, a hub role and callers, a target
 * account with roles that require an external ID, and grants in SSM as SecureStrings.
 */
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { EMULATOR_REGION, resetWithAdmins } from './emulator';

export const BROKER_ACCOUNT = '111111111111';
export const TARGET_ACCOUNT = '222222222222';
export const PREFIX = '/rolebroker';
/** The broker's own session name when it runs locally with its execution role. */
export const BROKER_SESSION = 'rolebroker';

const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const user = (account: string, name: string) => `arn:aws:iam::${account}:user/${name}`;
const session = (account: string, name: string, s: string) =>
  `arn:aws:sts::${account}:assumed-role/${name}/${s}`;

export const ARNS = {
  brokerExecRole: role(BROKER_ACCOUNT, 'rolebroker-exec'),
  brokerSession: session(BROKER_ACCOUNT, 'rolebroker-exec', BROKER_SESSION),
  hubRole: role(BROKER_ACCOUNT, 'rolebroker-hub'),
  hubSession: session(BROKER_ACCOUNT, 'rolebroker-hub', 'rolebroker-hub'),
  localTarget: role(BROKER_ACCOUNT, 'rolebroker-local-reader'),
  strictTarget: role(BROKER_ACCOUNT, 'rolebroker-strict'),
  auditTarget: role(TARGET_ACCOUNT, 'rolebroker-audit-readonly'),
  deployTarget: role(TARGET_ACCOUNT, 'rolebroker-deploy'),
  demoCaller: user(BROKER_ACCOUNT, 'demo-caller'),
  demoOutsider: user(BROKER_ACCOUNT, 'demo-outsider'),
} as const;

/** External IDs of the seeded grants. Demo values: in real use they are random and secret. */
export const EXTERNAL_IDS = {
  local: 'demo-external-id-local-7f3a9c',
  audit: 'demo-external-id-audit-41be02',
  deploy: 'demo-external-id-deploy-5d20aa',
  auditReader: 'demo-external-id-audit-reader-0c77e1',
  unsafe: 'demo-external-id-unsafe-93b1f4',
  strictExpected: 'demo-external-id-strict-expected',
  strictInGrant: 'demo-external-id-strict-wrong',
} as const;

const policy = (statement: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statement });

/**
 * moto compares a trust policy's principal with the caller's exact ARN (and checks trust only
 * for roles in the caller's own account), so trust policies list the session ARN as well.
 */
const trust = (principals: string[], externalId?: string) =>
  policy([
    {
      Effect: 'Allow',
      Principal: { AWS: principals },
      Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
      ...(externalId ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
    },
  ]);

const ASSUME_BROKER_ROLES = {
  Effect: 'Allow',
  Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
  Resource: 'arn:aws:iam::*:role/rolebroker-*',
};
/** moto authorizes SSM actions against resource "*", so the emulator policy cannot name the prefix. */
const READ_GRANTS = {
  Effect: 'Allow',
  Action: ['ssm:GetParametersByPath', 'kms:Decrypt'],
  Resource: '*',
};
const READ_IAM = { Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListRoles'], Resource: '*' };

export const GRANTS = {
  'local-reader': {
    roleArn: ARNS.localTarget,
    externalId: EXTERNAL_IDS.local,
    principals: [ARNS.demoCaller, role(BROKER_ACCOUNT, 'audit-*')],
    maxDurationSeconds: 3600,
    sessionTags: { team: 'security' },
  },
  'audit-readonly': {
    roleArn: ARNS.auditTarget,
    externalId: EXTERNAL_IDS.audit,
    principals: [ARNS.demoCaller],
    maxDurationSeconds: 1800,
    sessionPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  },
  'deploy-via-hub': {
    roleArn: ARNS.deployTarget,
    externalId: EXTERNAL_IDS.deploy,
    principals: [ARNS.demoCaller],
    via: [ARNS.hubRole],
  },
  'strict-mismatch': {
    roleArn: ARNS.strictTarget,
    externalId: EXTERNAL_IDS.strictInGrant,
    principals: [ARNS.demoCaller],
  },
} as const;

/** Per-account read-only roles the audit reads IAM with, obtained through the broker by `admin`. */
export const AUDIT_ROLES = [
  role(BROKER_ACCOUNT, 'rolebroker-audit-reader'),
  role(TARGET_ACCOUNT, 'rolebroker-audit-reader'),
] as const;
const ADMIN = user(BROKER_ACCOUNT, 'admin');
export const AUDIT_GRANTS = Object.fromEntries(
  AUDIT_ROLES.map((roleArn) => [
    `audit-reader-${roleArn.split(':')[4]}`,
    { roleArn, externalId: EXTERNAL_IDS.auditReader, principals: [ADMIN] },
  ]),
);

const NOBODY = user(BROKER_ACCOUNT, 'nobody');
const unsafeGrant = (name: string, extra: object = {}) => ({
  value: JSON.stringify({
    roleArn: role(TARGET_ACCOUNT, `rolebroker-unsafe-${name}`),
    externalId: EXTERNAL_IDS.unsafe,
    principals: [NOBODY],
    ...extra,
  }),
});

/**
 * One grant per audit finding, each aimed at its own role so the findings do not mix:
 * name → SSM parameter. `strict-mismatch` above already has the wrong external ID.
 */
export const UNSAFE_PARAMETERS: Record<
  string,
  { value: string; type?: 'String' | 'SecureString' }
> = {
  'unsafe-plain-string': { ...unsafeGrant('safe'), type: 'String' },
  'unsafe-invalid': { value: JSON.stringify({ roleArn: 'not-an-arn', principals: [] }) },
  'unsafe-whole-account': unsafeGrant('safe', { principals: [BROKER_ACCOUNT] }),
  'unsafe-every-role': unsafeGrant('safe', { principals: ['arn:aws:iam::111111111111:role/*'] }),
  'unsafe-every-user': unsafeGrant('safe', { principals: ['arn:aws:iam::111111111111:user/*/*'] }),
  // Matched the user /dev-x/evil before wildcards stopped at '/' (issue 12).
  'unsafe-user-path-wildcard': unsafeGrant('safe', {
    principals: ['arn:aws:iam::111111111111:user/dev-*'],
  }),
  // Invalid since issue 13 (a principal must be in the role's partition): grant-invalid.
  'unsafe-other-partition': unsafeGrant('safe', {
    principals: ['arn:aws-us-gov:iam::111111111111:role/ops'],
  }),
  'unsafe-missing-role': unsafeGrant('missing'),
  'unsafe-unreadable': unsafeGrant('x', {
    roleArn: 'arn:aws:iam::333333333333:role/rolebroker-elsewhere',
  }),
  'unsafe-no-external-id': unsafeGrant('open', { externalId: undefined }),
  'unsafe-trusts-root': unsafeGrant('root'),
  'unsafe-trusts-anyone': unsafeGrant('anyone'),
  'unsafe-no-source-identity': unsafeGrant('notags', { sessionTags: { team: 'x' } }),
  'unsafe-short-session': unsafeGrant('short', { maxDurationSeconds: 3600 }),
  'unsafe-hub': unsafeGrant('safe', { via: [role(TARGET_ACCOUNT, 'rolebroker-unsafe-hub')] }),
  'unsafe-external-id-optional': unsafeGrant('ifexists'),
  'unsafe-external-id-pattern': unsafeGrant('pattern'),
  'unsafe-service-deputy': unsafeGrant('service'),
  'unsafe-federated': unsafeGrant('federated'),
  // A window that closed long ago (issue 13), and one that ends before it begins.
  'unsafe-expired': unsafeGrant('safe', {
    notBefore: '2020-01-01T09:00:00Z',
    notAfter: '2020-01-01T17:00:00Z',
  }),
  'unsafe-invalid-window': unsafeGrant('safe', {
    notBefore: '2026-05-01T17:00:00+02:00',
    notAfter: '2026-05-01T09:00:00+02:00',
  }),
};
/** Names of the seeded grants the broker skips as invalid. */
export const INVALID_UNSAFE_GRANTS = [
  'unsafe-invalid',
  'unsafe-invalid-window',
  'unsafe-other-partition',
];

async function seedUnsafeRoles(iam: IAMClient) {
  const broker = [ARNS.brokerExecRole, ARNS.brokerSession];
  const safe = trust(broker, EXTERNAL_IDS.unsafe);
  await createRole(iam, 'rolebroker-unsafe-safe', safe, [READ_IAM]);
  await createRole(iam, 'rolebroker-unsafe-open', trust(broker), [READ_IAM]);
  await createRole(
    iam,
    'rolebroker-unsafe-root',
    trust([`arn:aws:iam::${BROKER_ACCOUNT}:root`], EXTERNAL_IDS.unsafe),
    [],
  );
  await createRole(iam, 'rolebroker-unsafe-anyone', trust(['*'], EXTERNAL_IDS.unsafe), []);
  await createRole(
    iam,
    'rolebroker-unsafe-notags',
    policy([
      {
        Effect: 'Allow',
        Principal: { AWS: broker },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_IDS.unsafe } },
      },
    ]),
    [],
  );
  await createRole(iam, 'rolebroker-unsafe-short', safe, [], 1800);
  const brokerWith = (condition: object) => ({
    Effect: 'Allow',
    Principal: { AWS: broker },
    Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
    Condition: condition,
  });
  // A request without any external ID passes StringEqualsIfExists.
  await createRole(
    iam,
    'rolebroker-unsafe-ifexists',
    policy([brokerWith({ StringEqualsIfExists: { 'sts:ExternalId': EXTERNAL_IDS.unsafe } })]),
    [],
  );
  await createRole(
    iam,
    'rolebroker-unsafe-pattern',
    policy([brokerWith({ StringLike: { 'sts:ExternalId': 'demo-external-id-unsafe-*' } })]),
    [],
  );
  const brokerStatement = brokerWith({ StringEquals: { 'sts:ExternalId': EXTERNAL_IDS.unsafe } });
  await createRole(
    iam,
    'rolebroker-unsafe-service',
    policy([
      brokerStatement,
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]),
    [],
  );
  await createRole(
    iam,
    'rolebroker-unsafe-federated',
    policy([
      brokerStatement,
      {
        Effect: 'Allow',
        Principal: {
          Federated: `arn:aws:iam::${TARGET_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
      },
    ]),
    [],
  );
  await createRole(iam, 'rolebroker-unsafe-hub', trust([`arn:aws:iam::${BROKER_ACCOUNT}:root`]), [
    ASSUME_BROKER_ROLES,
  ]);
}

export interface SeededWorld {
  readonly endpoint: string;
  readonly admins: Record<string, AwsCredentialIdentity>;
  /** The broker's execution-role session: what the broker runs with. */
  readonly broker: AwsCredentialIdentity;
  readonly callers: {
    readonly demoCaller: AwsCredentialIdentity;
    readonly demoOutsider: AwsCredentialIdentity;
  };
}

async function createUserWithKey(iam: IAMClient, name: string): Promise<AwsCredentialIdentity> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return {
    accessKeyId: AccessKey?.AccessKeyId ?? '',
    secretAccessKey: AccessKey?.SecretAccessKey ?? '',
  };
}

async function createRole(
  iam: IAMClient,
  name: string,
  trustPolicy: string,
  permissions: object[],
  maxSessionDuration?: number,
) {
  await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: trustPolicy,
      ...(maxSessionDuration ? { MaxSessionDuration: maxSessionDuration } : {}),
    }),
  );
  if (permissions.length) {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: 'permissions',
        PolicyDocument: policy(permissions),
      }),
    );
  }
}

/** Resets the emulator and seeds the demo world; extra grants (name → raw value) may be added. */
export async function seedDemo(
  endpoint: string,
  options: {
    extraParameters?: Record<string, { value: string; type?: 'String' | 'SecureString' }>;
    /** SSM prefix for the grants; default /rolebroker. */
    prefix?: string;
    /** Also seed one deliberately unsafe role and grant per audit finding. */
    unsafe?: boolean;
  } = {},
): Promise<SeededWorld> {
  const admins = await resetWithAdmins(endpoint, [BROKER_ACCOUNT, TARGET_ACCOUNT]);
  const clientConfig = (account: string) => ({
    region: EMULATOR_REGION,
    endpoint,
    credentials: admins[account] as AwsCredentialIdentity,
  });
  const iam = new IAMClient(clientConfig(BROKER_ACCOUNT));
  const targetIam = new IAMClient(clientConfig(TARGET_ACCOUNT));
  const ssm = new SSMClient(clientConfig(BROKER_ACCOUNT));
  const sts = new STSClient(clientConfig(BROKER_ACCOUNT));
  try {
    const brokerPrincipals = [ARNS.brokerExecRole, ARNS.brokerSession];
    await createRole(iam, 'rolebroker-exec', trust([user(BROKER_ACCOUNT, 'admin')]), [
      ASSUME_BROKER_ROLES,
      READ_GRANTS,
    ]);
    await createRole(iam, 'rolebroker-hub', trust(brokerPrincipals), [ASSUME_BROKER_ROLES]);
    await createRole(iam, 'rolebroker-local-reader', trust(brokerPrincipals, EXTERNAL_IDS.local), [
      READ_IAM,
    ]);
    await createRole(
      iam,
      'rolebroker-strict',
      trust(brokerPrincipals, EXTERNAL_IDS.strictExpected),
      [READ_IAM],
    );
    await createRole(
      targetIam,
      'rolebroker-audit-readonly',
      trust(brokerPrincipals, EXTERNAL_IDS.audit),
      [READ_IAM],
    );
    await createRole(
      targetIam,
      'rolebroker-deploy',
      trust([ARNS.hubRole, ARNS.hubSession], EXTERNAL_IDS.deploy),
      [READ_IAM],
    );
    for (const reader of [iam, targetIam]) {
      await createRole(
        reader,
        'rolebroker-audit-reader',
        trust(brokerPrincipals, EXTERNAL_IDS.auditReader),
        [READ_IAM],
      );
    }
    if (options.unsafe) await seedUnsafeRoles(targetIam);

    const demoCaller = await createUserWithKey(iam, 'demo-caller');
    const demoOutsider = await createUserWithKey(iam, 'demo-outsider');

    const parameters: Record<string, { value: string; type?: 'String' | 'SecureString' }> = {
      ...Object.fromEntries(
        Object.entries(GRANTS).map(([name, grant]) => [name, { value: JSON.stringify(grant) }]),
      ),
      ...Object.fromEntries(
        Object.entries(AUDIT_GRANTS).map(([name, grant]) => [
          name,
          { value: JSON.stringify(grant) },
        ]),
      ),
      ...(options.unsafe ? UNSAFE_PARAMETERS : {}),
      ...options.extraParameters,
    };
    for (const [name, { value, type }] of Object.entries(parameters)) {
      await ssm.send(
        new PutParameterCommand({
          Name: `${options.prefix ?? PREFIX}/grants/${name}`,
          Value: value,
          Type: type ?? 'SecureString',
          Overwrite: true,
        }),
      );
    }

    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: ARNS.brokerExecRole, RoleSessionName: BROKER_SESSION }),
    );
    const broker = {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretAccessKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    };
    return { endpoint, admins, broker, callers: { demoCaller, demoOutsider } };
  } finally {
    for (const c of [iam, targetIam, ssm, sts]) c.destroy();
  }
}

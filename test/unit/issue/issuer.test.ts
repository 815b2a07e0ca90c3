import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { Throttled, Unavailable, UpstreamRefused, ValidationError } from '../../../lib/errors';
import { type Grant, parseGrant } from '../../../lib/grants';
import { createIssuer, HubSessionCache } from '../../../lib/issue';
import { parseCallerArn } from '../../../lib/principals';

const stsMock = mockClient(STSClient);
afterEach(() => stsMock.reset());

const TARGET = 'arn:aws:iam::222222222222:role/Target';
const HUB_A = 'arn:aws:iam::333333333333:role/HubA';
const HUB_B = 'arn:aws:iam::333333333333:role/HubB';
const caller = parseCallerArn('arn:aws:sts::111111111111:assumed-role/app/job-1');
if (!caller) throw new Error('fixture');

const grant = (extra: object = {}): Grant => {
  const r = parseGrant(
    'g',
    JSON.stringify({
      roleArn: TARGET,
      externalId: 'ext-123',
      principals: ['111111111111'],
      ...extra,
    }),
    'aws',
  );
  if (!r.ok) throw new Error(r.reason);
  return r.grant;
};

const creds = (id: string, inMs = 3600_000) => ({
  Credentials: {
    AccessKeyId: id,
    SecretAccessKey: `secret-${id}`,
    SessionToken: `token-${id}`,
    Expiration: new Date(Date.now() + inMs),
  },
  AssumedRoleUser: {
    AssumedRoleId: `AROA:${id}`,
    Arn: `arn:aws:sts::222222222222:assumed-role/x/${id}`,
  },
});

const issuer = (hubs = new HubSessionCache()) => {
  const sts = new STSClient({ region: 'eu-west-1' });
  return createIssuer({ sts, stsFor: () => new STSClient({ region: 'eu-west-1' }), hubs });
};
const awsError = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('issuing credentials', () => {
  it('sends the external ID, derived session name and SourceIdentity, and the default duration', async () => {
    stsMock.on(AssumeRoleCommand).resolves(creds('ASIAFINAL'));
    const out = await issuer().issue({ grant: grant(), caller, durationSeconds: 900 });
    const input = stsMock.commandCalls(AssumeRoleCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ RoleArn: TARGET, ExternalId: 'ext-123', DurationSeconds: 900 });
    expect(input?.RoleSessionName).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(input?.SourceIdentity).toBe(input?.RoleSessionName);
    expect(out.Credentials.AccessKeyId).toBe('ASIAFINAL');
    expect(out.Credentials.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(out.Grant).toBe('g');
  });

  it('omits SourceIdentity when the grant turns it off', async () => {
    stsMock.on(AssumeRoleCommand).resolves(creds('A'));
    const out = await issuer().issue({
      grant: grant({ sourceIdentity: false }),
      caller,
      durationSeconds: 900,
    });
    expect(
      stsMock.commandCalls(AssumeRoleCommand)[0]?.args[0].input.SourceIdentity,
    ).toBeUndefined();
    expect(out.SourceIdentity).toBeUndefined();
  });

  it('applies the grant session policy, policy ARNs and tags', async () => {
    stsMock.on(AssumeRoleCommand).resolves(creds('A'));
    const sessionPolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }],
    };
    await issuer().issue({
      grant: grant({
        sessionPolicy,
        sessionPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        sessionTags: { team: 'security' },
      }),
      caller,
      durationSeconds: 900,
    });
    const input = stsMock.commandCalls(AssumeRoleCommand)[0]?.args[0].input;
    expect(JSON.parse(input?.Policy ?? '')).toEqual(sessionPolicy);
    expect(input?.PolicyArns).toEqual([{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }]);
    expect(input?.Tags).toEqual([{ Key: 'team', Value: 'security' }]);
  });

  it('passes a caller session policy for a grant without its own', async () => {
    stsMock.on(AssumeRoleCommand).resolves(creds('A'));
    const callerPolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    };
    await issuer().issue({ grant: grant(), caller, durationSeconds: 900, callerPolicy });
    expect(
      JSON.parse(stsMock.commandCalls(AssumeRoleCommand)[0]?.args[0].input.Policy ?? ''),
    ).toEqual(callerPolicy);
  });

  it('chains through hub roles in order, without caller identity on hub sessions', async () => {
    stsMock
      .on(AssumeRoleCommand, { RoleArn: HUB_A })
      .resolves(creds('HUBA'))
      .on(AssumeRoleCommand, { RoleArn: HUB_B })
      .resolves(creds('HUBB'))
      .on(AssumeRoleCommand, { RoleArn: TARGET })
      .resolves(creds('FINAL'));
    await issuer().issue({ grant: grant({ via: [HUB_A, HUB_B] }), caller, durationSeconds: 900 });
    const inputs = stsMock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.RoleArn)).toEqual([HUB_A, HUB_B, TARGET]);
    expect(inputs[0]?.SourceIdentity).toBeUndefined();
    expect(inputs[0]?.ExternalId).toBeUndefined();
    expect(inputs[0]?.RoleSessionName).toBe('rolebroker-hub');
  });

  it('reuses hub sessions across callers: one STS call per warm request', async () => {
    stsMock
      .on(AssumeRoleCommand, { RoleArn: HUB_A })
      .resolves(creds('HUBA'))
      .on(AssumeRoleCommand, { RoleArn: TARGET })
      .resolves(creds('F'));
    const i = issuer();
    const g = grant({ via: [HUB_A] });
    await i.issue({ grant: g, caller, durationSeconds: 900 });
    await i.issue({ grant: g, caller, durationSeconds: 900 });
    await i.issue({ grant: g, caller, durationSeconds: 900 });
    const arns = stsMock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn);
    expect(arns.filter((a) => a === HUB_A)).toHaveLength(1);
    expect(arns.filter((a) => a === TARGET)).toHaveLength(3);
  });

  it('renews a hub session within 5 minutes of its expiry', async () => {
    stsMock
      .on(AssumeRoleCommand, { RoleArn: HUB_A })
      .resolves(creds('HUBA', 4 * 60_000))
      .on(AssumeRoleCommand, { RoleArn: TARGET })
      .resolves(creds('F'));
    const i = issuer();
    const g = grant({ via: [HUB_A] });
    await i.issue({ grant: g, caller, durationSeconds: 900 });
    await i.issue({ grant: g, caller, durationSeconds: 900 });
    const hubCalls = stsMock
      .commandCalls(AssumeRoleCommand)
      .filter((c) => c.args[0].input.RoleArn === HUB_A);
    expect(hubCalls).toHaveLength(2);
  });

  it('shares one in-flight hub request among concurrent callers', async () => {
    stsMock
      .on(AssumeRoleCommand, { RoleArn: HUB_A })
      .callsFake(() => new Promise((r) => setTimeout(() => r(creds('HUBA')), 10)))
      .on(AssumeRoleCommand, { RoleArn: TARGET })
      .resolves(creds('F'));
    const i = issuer();
    const g = grant({ via: [HUB_A] });
    await Promise.all(
      Array.from({ length: 10 }, () => i.issue({ grant: g, caller, durationSeconds: 900 })),
    );
    expect(
      stsMock.commandCalls(AssumeRoleCommand).filter((c) => c.args[0].input.RoleArn === HUB_A),
    ).toHaveLength(1);
  });

  it('never caches final credentials', async () => {
    stsMock.on(AssumeRoleCommand).resolvesOnce(creds('ONE')).resolvesOnce(creds('TWO'));
    const i = issuer();
    const a = await i.issue({ grant: grant(), caller, durationSeconds: 900 });
    const b = await i.issue({ grant: grant(), caller, durationSeconds: 900 });
    expect([a.Credentials.AccessKeyId, b.Credentials.AccessKeyId]).toEqual(['ONE', 'TWO']);
  });

  it('maps STS AccessDenied to 502 UpstreamRefused without the external ID', async () => {
    stsMock.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 403));
    const run = issuer().issue({ grant: grant(), caller, durationSeconds: 900 });
    await expect(run).rejects.toBeInstanceOf(UpstreamRefused);
    await expect(run).rejects.not.toThrow(/ext-123/);
  });

  it('maps a refused hub hop to 502 UpstreamRefused', async () => {
    stsMock.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 403));
    await expect(
      issuer().issue({ grant: grant({ via: [HUB_A] }), caller, durationSeconds: 900 }),
    ).rejects.toBeInstanceOf(UpstreamRefused);
  });

  it('maps throttling after retries to 429 with a retry delay', async () => {
    stsMock.on(AssumeRoleCommand).rejects(awsError('Throttling', 400));
    const err = await issuer()
      .issue({ grant: grant(), caller, durationSeconds: 900 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Throttled);
    expect(err.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('maps a network failure to 503', async () => {
    stsMock
      .on(AssumeRoleCommand)
      .rejects(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }));
    await expect(
      issuer().issue({ grant: grant(), caller, durationSeconds: 900 }),
    ).rejects.toBeInstanceOf(Unavailable);
  });

  it.each([
    ['ECONNABORTED', { code: 'ECONNABORTED' }],
    ['a TLS failure', { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }],
    ['missing execution-role credentials', { name: 'CredentialsProviderError' }],
  ])('maps %s to 503', async (_what, fields) => {
    stsMock.on(AssumeRoleCommand).rejects(Object.assign(new Error('x'), fields));
    await expect(
      issuer().issue({ grant: grant(), caller, durationSeconds: 900 }),
    ).rejects.toBeInstanceOf(Unavailable);
  });

  it('lets a programming error through (answered as a bare 500)', async () => {
    stsMock.on(AssumeRoleCommand).rejects(new TypeError('bug'));
    await expect(
      issuer().issue({ grant: grant(), caller, durationSeconds: 900 }),
    ).rejects.toBeInstanceOf(TypeError);
  });

  it('maps an STS 5xx to 503', async () => {
    stsMock.on(AssumeRoleCommand).rejects(awsError('InternalFailure', 500));
    await expect(
      issuer().issue({ grant: grant(), caller, durationSeconds: 900 }),
    ).rejects.toBeInstanceOf(Unavailable);
  });

  it('maps STS rejecting the caller session policy to 400', async () => {
    stsMock.on(AssumeRoleCommand).rejects(awsError('MalformedPolicyDocumentException', 400));
    await expect(
      issuer().issue({
        grant: grant(),
        caller,
        durationSeconds: 900,
        callerPolicy: { Version: '2012-10-17' },
      }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

import { describe, expect, it } from 'vitest';
import { AccessDenied, ValidationError } from '../../../lib/errors';
import { authorize, type Grant, parseGrant, rolesFor, selectGrant } from '../../../lib/grants';
import { parseCallerArn } from '../../../lib/principals';

const ROLE = 'arn:aws:iam::222222222222:role/Target';
const grant = (name: string, extra: object = {}): Grant => {
  const r = parseGrant(
    name,
    JSON.stringify({ roleArn: ROLE, principals: ['arn:aws:iam::111111111111:role/app'], ...extra }),
    'aws',
  );
  if (!r.ok) throw new Error(r.reason);
  return r.grant;
};
const caller = parseCallerArn('arn:aws:sts::111111111111:assumed-role/app/job-1');
if (!caller) throw new Error('fixture');

describe('authorization: grant selection', () => {
  it('picks the enabled grant whose role and principals match', () => {
    expect(selectGrant([grant('a')], { roleArn: ROLE }, caller).name).toBe('a');
  });

  it('denies when no principal matches the caller', () => {
    const other = parseCallerArn('arn:aws:sts::111111111111:assumed-role/other/s1');
    if (!other) throw new Error('fixture');
    expect(() => selectGrant([grant('a')], { roleArn: ROLE }, other)).toThrow(AccessDenied);
  });

  it('denies an unknown role with the same message as an unmatched caller', () => {
    const unknown = () => selectGrant([grant('a')], { roleArn: `${ROLE}2` }, caller);
    expect(unknown).toThrow(AccessDenied);
    expect(unknown).toThrow('no grant allows this caller to assume this role');
  });

  it('ignores disabled grants', () => {
    expect(() => selectGrant([grant('a', { disabled: true })], { roleArn: ROLE }, caller)).toThrow(
      AccessDenied,
    );
  });

  it('asks the caller to name a grant when several match', () => {
    expect(() => selectGrant([grant('a'), grant('b')], { roleArn: ROLE }, caller)).toThrow(
      ValidationError,
    );
  });

  it('uses the named grant when several match', () => {
    expect(selectGrant([grant('a'), grant('b')], { roleArn: ROLE, grant: 'b' }, caller).name).toBe(
      'b',
    );
  });

  it('denies a named grant that does not match the caller', () => {
    expect(() => selectGrant([grant('a')], { roleArn: ROLE, grant: 'zzz' }, caller)).toThrow(
      AccessDenied,
    );
  });
});

describe('authorization: duration and caller policy', () => {
  it('gives the default duration of 900 seconds when none is asked', () => {
    expect(authorize([grant('a')], { roleArn: ROLE }, caller)).toEqual({
      grant: expect.objectContaining({ name: 'a' }),
      durationSeconds: 900,
    });
  });

  it('passes a caller session policy for a grant without its own', () => {
    const sessionPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' }] };
    expect(authorize([grant('a')], { roleArn: ROLE, sessionPolicy }, caller).callerPolicy).toBe(
      sessionPolicy,
    );
  });

  it('refuses a caller session policy when the grant has a session policy', () => {
    const g = grant('a', {
      // A whole statement: the grant's own policy is held to IAM's grammar too (issue 12).
      sessionPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
      },
    });
    expect(() =>
      authorize([g], { roleArn: ROLE, sessionPolicy: { Version: '2012-10-17' } }, caller),
    ).toThrow(ValidationError);
  });

  it('refuses a caller session policy when the grant has policy ARNs', () => {
    const g = grant('a', { sessionPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] });
    expect(() => authorize([g], { roleArn: ROLE, sessionPolicy: {} }, caller)).toThrow(
      ValidationError,
    );
  });

  it('refuses a duration above the grant maximum and names the maximum', () => {
    const run = () =>
      authorize(
        [grant('a', { maxDurationSeconds: 1800 })],
        { roleArn: ROLE, durationSeconds: 1801 },
        caller,
      );
    expect(run).toThrow(ValidationError);
    expect(run).toThrow(
      "durationSeconds: must be 900..1800 seconds or max (1800 is this grant's maximum)",
    );
  });

  it('gives the grant maximum for "max"', () => {
    const g = grant('a', { maxDurationSeconds: 1800 });
    expect(authorize([g], { roleArn: ROLE, durationSeconds: 'max' }, caller).durationSeconds).toBe(
      1800,
    );
  });

  it('refuses a duration below 900 seconds', () => {
    expect(() => authorize([grant('a')], { roleArn: ROLE, durationSeconds: 899 }, caller)).toThrow(
      ValidationError,
    );
  });

  it('denies before it judges the duration, so a refusal reveals nothing about the grant', () => {
    expect(() =>
      authorize([grant('a')], { roleArn: `${ROLE}2`, durationSeconds: 99_999 }, caller),
    ).toThrow(AccessDenied);
  });
});

describe("GET /roles: the caller's own grants", () => {
  it('lists enabled matching grants by name with their limits and flags', () => {
    const grants = [
      grant('b', { via: ['arn:aws:iam::333333333333:role/hub'], maxDurationSeconds: 1800 }),
      grant('a', { sessionPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }),
      grant('c', { disabled: true }),
      grant('d', { principals: ['arn:aws:iam::111111111111:role/other'] }),
    ];
    expect(rolesFor(grants, caller)).toEqual([
      { grant: 'a', roleArn: ROLE, maxDurationSeconds: 3600, scoped: true, chained: false },
      { grant: 'b', roleArn: ROLE, maxDurationSeconds: 1800, scoped: false, chained: true },
    ]);
  });

  it('carries no external ID and no principals', () => {
    const shown = JSON.stringify(rolesFor([grant('a', { externalId: 'ext-secret-1' })], caller));
    expect(shown).not.toContain('ext-secret-1');
    expect(shown).not.toContain('arn:aws:iam::111111111111:role/app');
  });
});

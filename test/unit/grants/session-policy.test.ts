import { describe, expect, it } from 'vitest';
import { checkSessionPolicy, parseGrant } from '../../../lib/grants';
import { Problems } from '../../../lib/validation';

// Issue 12 (1): a session policy is held to IAM's grammar before STS sees it.
const ALLOW = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
const SECRET = 'SECRETVALUE';
const check = (policy: unknown) => {
  const problems = new Problems();
  const out = checkSessionPolicy(policy, 'sessionPolicy', problems);
  return { ok: out !== undefined && problems.none, message: problems.first() };
};
const doc = (Statement: unknown, extra: object = {}) => ({
  Version: '2012-10-17',
  Statement,
  ...extra,
});

describe('checkSessionPolicy', () => {
  it.each([
    ['one statement in an array', doc([ALLOW])],
    ['one statement as an object', doc(ALLOW)],
    ['Version 2008-10-17', { ...doc([ALLOW]), Version: '2008-10-17' }],
    ['an Id', doc([ALLOW], { Id: 'ReadOnly-1' })],
    ['a Sid', doc([{ ...ALLOW, Sid: 'Read1' }])],
    [
      'Deny with NotAction and NotResource',
      doc([{ Effect: 'Deny', NotAction: ['s3:*'], NotResource: '*' }]),
    ],
    ['action lists', doc([{ ...ALLOW, Action: ['s3:GetObject', 's3:ListBucket'] }])],
    [
      'a Condition with strings, lists and booleans',
      doc([
        {
          ...ALLOW,
          Condition: {
            StringEquals: { 'aws:PrincipalTag/team': ['a', 'b'] },
            Bool: { 'aws:SecureTransport': true },
            IpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
          },
        },
      ]),
    ],
    ['tabs and newlines', doc([{ ...ALLOW, Resource: 'a\tb\nc\r' }])],
  ])('accepts %s', (_, policy) => {
    expect(check(policy)).toEqual({ ok: true, message: '' });
  });

  it.each([
    [
      'a Principal',
      doc([{ ...ALLOW, Principal: { AWS: SECRET } }]),
      'sessionPolicy.Statement.0: Principal and NotPrincipal are not allowed',
    ],
    [
      'a NotPrincipal',
      doc([{ ...ALLOW, NotPrincipal: SECRET }]),
      'Principal and NotPrincipal are not allowed',
    ],
    [
      'a bad Effect',
      doc([{ ...ALLOW, Effect: SECRET }]),
      'sessionPolicy.Statement.0.Effect: must be "Allow" or "Deny"',
    ],
    ['no Effect', doc([{ Action: '*', Resource: '*' }]), 'Effect: must be "Allow" or "Deny"'],
    [
      'no Action',
      doc([{ Effect: 'Allow', Resource: '*' }]),
      'must have exactly one of Action and NotAction',
    ],
    [
      'Action and NotAction',
      doc([{ ...ALLOW, NotAction: '*' }]),
      'must have exactly one of Action and NotAction',
    ],
    [
      'no Resource',
      doc([{ Effect: 'Allow', Action: '*' }]),
      'must have exactly one of Resource and NotResource',
    ],
    [
      'an empty Action list',
      doc([{ ...ALLOW, Action: [] }]),
      'sessionPolicy.Statement.0.Action: must be a string',
    ],
    ['a numeric Action', doc([{ ...ALLOW, Action: 1 }]), 'Action: must be a string'],
    [
      'a control character',
      doc([{ ...ALLOW, Resource: `${SECRET}\u0000` }]),
      'Resource: must be a string',
    ],
    ['a DEL character', doc([{ ...ALLOW, Action: `s3:${SECRET}\u007f` }]), 'printable ASCII'],
    ['non-ASCII text', doc([{ ...ALLOW, Resource: `${SECRET}ü` }]), 'printable ASCII'],
    ['an unknown statement key', doc([{ ...ALLOW, [SECRET]: 1 }]), 'only Sid, Effect, Action'],
    ['an unknown policy key', doc([ALLOW], { [SECRET]: 1 }), 'only Version, Id, Statement'],
    ['a Sid with a dash', doc([{ ...ALLOW, Sid: `${SECRET}-1` }]), 'Sid: must be alphanumeric'],
    [
      'a Condition that is a list',
      doc([{ ...ALLOW, Condition: [SECRET] }]),
      'sessionPolicy.Statement.0.Condition: must map operators',
    ],
    [
      'a Condition operator that is a string',
      doc([{ ...ALLOW, Condition: { StringEquals: SECRET } }]),
      'Condition: must map',
    ],
    [
      'a Condition value that is an object',
      doc([{ ...ALLOW, Condition: { StringEquals: { k: { v: SECRET } } } }]),
      'Condition: must map',
    ],
    [
      'a Condition key with a control character',
      doc([{ ...ALLOW, Condition: { StringEquals: { [`${SECRET}\u0001`]: 'v' } } }]),
      'Condition: must map',
    ],
    [
      'Statement a string',
      doc(SECRET),
      'sessionPolicy.Statement: must be a statement or a non-empty array',
    ],
    [
      'Statement empty',
      doc([]),
      'sessionPolicy.Statement: must be a statement or a non-empty array',
    ],
    ['Statement of strings', doc([SECRET]), 'sessionPolicy.Statement.0: must be an object'],
    [
      'Version 2012-10-18',
      { ...doc([ALLOW]), Version: '2012-10-18' },
      'sessionPolicy.Version: must be "2012-10-17" or "2008-10-17"',
    ],
    ['no Version', { Statement: [ALLOW] }, 'sessionPolicy.Version'],
    [
      'an Id with a control character',
      doc([ALLOW], { Id: `${SECRET}\u0007` }),
      'sessionPolicy.Id: must be a string',
    ],
    [
      'over 2048 characters',
      doc([{ ...ALLOW, Resource: 'r'.repeat(2048) }]),
      'sessionPolicy: must be at most 2048 characters',
    ],
  ])('refuses %s, naming the path and rule, never the value', (_, policy, mentions) => {
    const { ok, message } = check(policy);
    expect(ok).toBe(false);
    expect(message).toContain(mentions);
    expect(message).not.toContain(SECRET);
  });

  it("holds a grant's own sessionPolicy to the same grammar", () => {
    const grant = (sessionPolicy: unknown) =>
      parseGrant(
        'g',
        JSON.stringify({
          roleArn: 'arn:aws:iam::222222222222:role/x',
          principals: ['111111111111'],
          sessionPolicy,
        }),
        'aws',
      );
    expect(grant(doc([ALLOW])).ok).toBe(true);
    const refusal =
      'sessionPolicy.Statement.0: Principal and NotPrincipal are not allowed in a session policy';
    expect(grant(doc([{ ...ALLOW, Principal: '*' }]))).toEqual({
      ok: false,
      reason: refusal,
      reasons: [refusal],
    });
  });
});

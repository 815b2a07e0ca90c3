import { describe, expect, it } from 'vitest';
import { parseGrant } from '../../../lib/grants';

const base = {
  roleArn: 'arn:aws:iam::222222222222:role/AuditReadOnly',
  externalId: 'c9f1e0d2-5a1b-4c3d-9e8f-0a1b2c3d4e5f',
  principals: ['arn:aws:iam::111111111111:role/audit-*'],
};
const parse = (doc: object, name = 'audit') => parseGrant(name, JSON.stringify(doc), 'aws');
const reasonOf = (doc: object, name?: string) => {
  const r = parse(doc, name);
  if (r.ok) throw new Error('expected the grant to be invalid');
  return r.reason;
};
const reasonsOf = (doc: object, name?: string) => {
  const r = parse(doc, name);
  if (r.ok) throw new Error('expected the grant to be invalid');
  return r.reasons;
};

describe('grant schema', () => {
  it('accepts the contract example and fills defaults', () => {
    const r = parse(base);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.grant).toMatchObject({
      name: 'audit',
      maxDurationSeconds: 3600,
      sourceIdentity: true,
      disabled: false,
      via: [],
      sessionPolicyArns: [],
      partition: 'aws',
    });
  });

  it('accepts a role in another partition than the broker, with principals of that partition', () => {
    const r = parse({
      ...base,
      roleArn: 'arn:aws-cn:iam::222222222222:role/x',
      principals: ['arn:aws-cn:iam::111111111111:role/audit-*'],
    });
    expect(r.ok && r.grant.partition).toBe('aws-cn');
  });

  it('rejects a principal in another partition than the role, naming it', () => {
    expect(
      reasonsOf({
        ...base,
        principals: [base.principals[0], 'arn:aws-us-gov:iam::111111111111:role/ops'],
      }),
    ).toEqual(['principals.1: is in partition aws-us-gov, roleArn in aws']);
  });

  it("rejects a bare account id for a role outside the broker's partition, saying why", () => {
    const reasons = reasonsOf({
      ...base,
      roleArn: 'arn:aws-cn:iam::222222222222:role/x',
      principals: ['111111111111'],
    });
    expect(reasons).toEqual([
      "principals.0: is in partition aws (a bare account id is the broker's), roleArn in aws-cn",
    ]);
  });

  it('rejects a name outside [A-Za-z0-9_.-]{1,128}', () => {
    expect(reasonOf(base, 'team/audit')).toMatch(/name/);
  });

  it('rejects a value that is not JSON', () => {
    expect(parseGrant('g', '{', 'aws')).toEqual({
      ok: false,
      reason: 'value is not valid JSON',
      reasons: ['value is not valid JSON'],
    });
  });

  it.each([
    ['an array', '[]'],
    ['a string', '"grant"'],
    ['null', 'null'],
  ])('rejects a value that is %s rather than an object', (_what, value) => {
    expect(parseGrant('g', value, 'aws')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/JSON object/),
    });
  });

  it('reports every problem of a grant at once, without quoting values', () => {
    const reason = reasonOf({
      ...base,
      externalId: 'bad secret',
      maxDurationSeconds: 7200,
      via: 'x',
    });
    expect(reason).toMatch(/externalId/);
    expect(reason).toMatch(/maxDurationSeconds/);
    expect(reason).toMatch(/via/);
    expect(reason).not.toContain('secret');
  });

  it('lists every problem in reasons, one field each, after the first ones in reason', () => {
    const reasons = reasonsOf(
      {
        roleArn: 'arn:aws:iam::222222222222:role/x',
        externalId: 'bad secret',
        principals: ['*', 7, 'arn:aws-cn:iam::111111111111:role/a'],
        maxDurationSeconds: 60,
        sessionPolicyArns: ['nope'],
        sessionTags: { team: 3 },
        via: ['arn:aws-cn:iam::333333333333:role/Hub'],
        sourceIdentity: 'yes',
        disabled: 'no',
        colour: 'red',
      },
      'team/x',
    );
    expect(reasons).toEqual([
      'grant name must match [A-Za-z0-9_.-]{1,128}',
      'unknown field colour',
      'externalId: must be 2-1224 characters of [\\w+=,.@:/-]',
      'principals.1: expected string',
      'maxDurationSeconds: must be between 900 and 3600',
      'sessionPolicyArns.0: is not an IAM policy ARN',
      'sessionTags.team: tag value is invalid',
      'sourceIdentity: expected boolean',
      'disabled: expected boolean',
      'via.0: hub roles must be in the partition of roleArn',
      'principals.0: a principal of only wildcards is not allowed',
      'principals.2: is in partition aws-cn, roleArn in aws',
    ]);
    expect(reasons.join('\n')).not.toContain('secret');
    const r = parse({ ...base, principals: ['*'], disabled: 'no' }, 'team/x');
    expect(r.ok ? '' : r.reason).toBe(
      'grant name must match [A-Za-z0-9_.-]{1,128}; disabled: expected boolean; principals.0: a principal of only wildcards is not allowed',
    );
  });

  it('rejects unknown fields', () => {
    expect(reasonOf({ ...base, extra: 1 })).toMatch(/extra/);
  });

  it('requires roleArn', () => {
    const { roleArn: _omit, ...rest } = base;
    expect(reasonOf(rest)).toMatch(/roleArn/);
  });

  it('rejects a roleArn that is not a role', () => {
    expect(reasonOf({ ...base, roleArn: 'arn:aws:iam::222222222222:user/bob' })).toMatch(/roleArn/);
  });

  it('rejects an empty principals list', () => {
    expect(reasonOf({ ...base, principals: [] })).toMatch(/principals/);
  });

  it('rejects an invalid principal and says which one', () => {
    expect(reasonOf({ ...base, principals: ['arn:aws:iam::111111111111:root', '*'] })).toMatch(
      /principals\.1/,
    );
  });

  it('rejects an external ID with characters STS does not allow, without quoting it', () => {
    const reason = reasonOf({ ...base, externalId: 'has space secret' });
    expect(reason).toMatch(/externalId/);
    expect(reason).not.toContain('secret');
  });

  it('rejects an external ID shorter than 2 characters', () => {
    expect(reasonOf({ ...base, externalId: 'x' })).toMatch(/externalId/);
  });

  it.each([899, 3601, 1000.5])('rejects maxDurationSeconds %s', (maxDurationSeconds) => {
    expect(reasonOf({ ...base, maxDurationSeconds })).toMatch(/maxDurationSeconds/);
  });

  it('rejects a session policy over 2048 characters', () => {
    const sessionPolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'x'.repeat(2100) }],
    };
    expect(reasonOf({ ...base, sessionPolicy })).toMatch(/sessionPolicy/);
  });

  it('rejects a malformed session policy ARN', () => {
    expect(reasonOf({ ...base, sessionPolicyArns: ['arn:aws:iam::aws:role/x'] })).toMatch(
      /sessionPolicyArns/,
    );
  });

  it('rejects more than 50 session tags', () => {
    const sessionTags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(reasonOf({ ...base, sessionTags })).toMatch(/sessionTags/);
  });

  it('rejects a hub role in another partition than the target', () => {
    expect(reasonOf({ ...base, via: ['arn:aws-cn:iam::333333333333:role/Hub'] })).toMatch(/via/);
  });

  it('rejects a non-boolean disabled flag', () => {
    expect(reasonOf({ ...base, disabled: 'yes' })).toMatch(/disabled/);
  });
});

describe('grant window (notBefore, notAfter)', () => {
  const ms = (iso: string) => Date.parse(iso);

  it('reads both ends as instants, whatever the zone they are written in', () => {
    const r = parse({
      ...base,
      notBefore: '2026-05-01T11:00:00+02:00',
      notAfter: '2026-05-01T17:30:00.250-00:30',
    });
    if (!r.ok) throw new Error(r.reason);
    expect(r.grant.notBefore).toBe(ms('2026-05-01T09:00:00Z'));
    expect(r.grant.notAfter).toBe(ms('2026-05-01T18:00:00.250Z'));
  });

  it('accepts either end alone, and leaves an unset end unset', () => {
    const before = parse({ ...base, notBefore: '2026-05-01T09:00:00Z' });
    const after = parse({ ...base, notAfter: '2026-05-01T09:00:00Z' });
    if (!before.ok || !after.ok) throw new Error('expected valid grants');
    expect(before.grant.notAfter).toBeUndefined();
    expect(after.grant.notBefore).toBeUndefined();
    const none = parse(base);
    if (!none.ok) throw new Error(none.reason);
    expect('notBefore' in none.grant || 'notAfter' in none.grant).toBe(false);
  });

  it.each([
    ['a date without a time', '2026-05-01'],
    ['a time without a zone', '2026-05-01T09:00:00'],
    ['a time without seconds', '2026-05-01T09:00Z'],
    ['a space for the T', '2026-05-01 09:00:00Z'],
    ['a zone without a colon', '2026-05-01T09:00:00+0200'],
    ['a zone of hours only', '2026-05-01T09:00:00+02'],
    ['a zone past 23:59', '2026-05-01T09:00:00+24:00'],
    ['zone minutes past 59', '2026-05-01T09:00:00+01:60'],
    ['a day that does not exist', '2026-02-29T09:00:00Z'],
    ['a month 13', '2026-13-01T09:00:00Z'],
    ['hour 24', '2026-05-01T24:00:00Z'],
    ['a week date', '2026-W18-5T09:00:00Z'],
    ['an ordinal date', '2026-121T09:00:00Z'],
    ['the basic format', '20260501T090000Z'],
    ['a zone name', '2026-05-01T09:00:00 UTC'],
    ['an RFC 7231 date', 'Fri, 01 May 2026 09:00:00 GMT'],
    ['a trailing newline', '2026-05-01T09:00:00Z\n'],
    ['an empty string', ''],
  ])('refuses %s, naming the field and not the value', (_what, value) => {
    for (const field of ['notBefore', 'notAfter']) {
      const reason = reasonOf({ ...base, [field]: value });
      expect(reason).toBe(
        `${field}: must be an ISO 8601 time with seconds and a zone (Z or +hh:mm), e.g. 2026-05-01T09:00:00Z`,
      );
    }
  });

  it.each([
    ['a number', 1777626000],
    ['null', null],
    ['an object', { at: '2026-05-01T09:00:00Z' }],
  ])('refuses %s rather than a string', (_what, value) => {
    expect(reasonOf({ ...base, notAfter: value })).toBe('notAfter: expected string');
  });

  it('refuses notAfter before notBefore, and equal to it', () => {
    for (const notAfter of ['2026-05-01T08:59:59Z', '2026-05-01T11:00:00+02:00']) {
      expect(reasonOf({ ...base, notBefore: '2026-05-01T09:00:00Z', notAfter })).toBe(
        'notAfter: must be after notBefore',
      );
    }
  });

  it('accepts what RFC 3339 allows beyond the usual: a long fraction, a lower-case t and z', () => {
    const r = parse({ ...base, notBefore: '2026-05-01t09:00:00.123456789z' });
    if (!r.ok) throw new Error(r.reason);
    expect(r.grant.notBefore).toBe(ms('2026-05-01T09:00:00.123Z'));
  });

  it('accepts a window one millisecond long', () => {
    expect(
      parse({ ...base, notBefore: '2026-05-01T09:00:00Z', notAfter: '2026-05-01T09:00:00.001Z' })
        .ok,
    ).toBe(true);
  });

  it('reports a bad window beside other problems', () => {
    const reason = reasonOf({ ...base, notBefore: '2026-05-01', maxDurationSeconds: 1 });
    expect(reason).toMatch(/maxDurationSeconds/);
    expect(reason).toMatch(/notBefore/);
  });
});

import { describe, expect, it } from 'vitest';
import { AccessDenied, ValidationError, WindowClosing } from '../../../lib/errors';
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

describe('authorization: the grant window', () => {
  const OPENS = Date.parse('2026-05-01T09:00:00Z');
  const CLOSES = Date.parse('2026-05-01T17:00:00Z');
  const windowed = (extra: object = {}) =>
    grant('w', { notBefore: '2026-05-01T09:00:00Z', notAfter: '2026-05-01T17:00:00Z', ...extra });
  const ask = (now: number, durationSeconds?: number | 'max', g = windowed()) =>
    authorize([g], { roleArn: ROLE, ...(durationSeconds ? { durationSeconds } : {}) }, caller, now);

  it('matches from exactly notBefore', () => {
    expect(selectGrant([windowed()], { roleArn: ROLE }, caller, OPENS).name).toBe('w');
  });

  it('does not match a millisecond before notBefore, with the ordinary denial', () => {
    const early = () => selectGrant([windowed()], { roleArn: ROLE }, caller, OPENS - 1);
    expect(early).toThrow(AccessDenied);
    expect(early).not.toThrow(WindowClosing);
    expect(early).toThrow('no grant allows this caller to assume this role');
  });

  it('does not match at exactly notAfter, nor after it, with the ordinary denial', () => {
    for (const now of [CLOSES, CLOSES + 1, CLOSES + 86_400_000]) {
      const late = () => ask(now);
      expect(late).toThrow('no grant allows this caller to assume this role');
      expect(late).not.toThrow(WindowClosing);
    }
  });

  it('matches a millisecond before notAfter, but refuses: not even 900 s are left', () => {
    expect(selectGrant([windowed()], { roleArn: ROLE }, caller, CLOSES - 1).name).toBe('w');
    expect(() => ask(CLOSES - 1)).toThrow(WindowClosing);
  });

  it('leaves an open end open', () => {
    const sinceOnly = grant('s', { notBefore: '2026-05-01T09:00:00Z' });
    const untilOnly = grant('u', { notAfter: '2026-05-01T17:00:00Z' });
    expect(selectGrant([sinceOnly], { roleArn: ROLE }, caller, Date.parse('2099-01-01')).name).toBe(
      's',
    );
    expect(selectGrant([untilOnly], { roleArn: ROLE }, caller, 0).name).toBe('u');
  });

  it('does not count a grant outside its window when several could match', () => {
    const expired = grant('old', { notAfter: '2026-05-01T09:00:00Z' });
    expect(selectGrant([expired, windowed()], { roleArn: ROLE }, caller, OPENS).name).toBe('w');
  });

  it('sends the duration asked while the window holds it, and says nothing more', () => {
    expect(ask(OPENS, 3600)).toEqual({
      grant: expect.objectContaining({ name: 'w' }),
      durationSeconds: 3600,
    });
    expect(ask(CLOSES - 3600_000, 'max').durationSeconds).toBe(3600);
  });

  it('caps max at floor(notAfter - now) in seconds, recording what was asked', () => {
    const now = CLOSES - 1_800_999; // 1800.999 s left
    expect(ask(now, 'max')).toMatchObject({ durationSeconds: 1800, requestedSeconds: 3600 });
  });

  it('shortens an explicit duration that would outlive the window, as it does max', () => {
    expect(ask(CLOSES - 1_000_000, 3600)).toMatchObject({
      durationSeconds: 1000,
      requestedSeconds: 3600,
    });
    expect(ask(CLOSES - 1_000_000, 1200)).toMatchObject({ durationSeconds: 1000 });
  });

  it('still refuses a duration above the grant maximum with a 400, window or not', () => {
    const g = windowed({ maxDurationSeconds: 1800 });
    expect(() => ask(CLOSES - 1_000_000, 3600, g)).toThrow(ValidationError);
  });

  it('gives exactly 900 s with 900 s left (the default duration fits)', () => {
    expect(ask(CLOSES - 900_000)).toEqual({
      grant: expect.objectContaining({ name: 'w' }),
      durationSeconds: 900,
    });
    expect(ask(CLOSES - 900_000, 'max')).toMatchObject({ durationSeconds: 900 });
  });

  it('refuses with less than 900 s left (899.999): a 403 saying the window closes too soon', () => {
    const run = () => ask(CLOSES - 899_999, 'max');
    expect(run).toThrow(WindowClosing);
    expect(run).toThrow(AccessDenied);
    expect(run).toThrow(
      "grant w's window closes at 2026-05-01T17:00:00Z, too soon for the minimum session of 900 seconds",
    );
    try {
      run();
    } catch (error) {
      expect((error as WindowClosing).statusCode).toBe(403);
      expect((error as WindowClosing).code).toBe('AccessDenied');
    }
  });

  it('refuses a bad request with its 400 before it looks at how much of the window is left', () => {
    expect(() => ask(CLOSES - 10_000, 899)).toThrow(ValidationError);
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

  it('shows the window, lists one not open yet, and leaves out one that has closed', () => {
    const now = Date.parse('2026-05-01T12:00:00Z');
    const grants = [
      grant('open', { notBefore: '2026-05-01T11:00:00+02:00', notAfter: '2026-05-01T17:00:00Z' }),
      grant('later', { notBefore: '2026-06-01T09:00:00.500Z' }),
      grant('closed', { notAfter: '2026-05-01T12:00:00Z' }),
      grant('always'),
    ];
    const shown = rolesFor(grants, caller, now);
    expect(shown.map((r) => r.grant)).toEqual(['always', 'later', 'open']);
    expect(shown[0]).not.toHaveProperty('notBefore');
    expect(shown[0]).not.toHaveProperty('notAfter');
    expect(shown[1]).toMatchObject({ notBefore: '2026-06-01T09:00:00.500Z' });
    expect(shown[1]).not.toHaveProperty('notAfter');
    expect(shown[2]).toMatchObject({
      notBefore: '2026-05-01T09:00:00Z',
      notAfter: '2026-05-01T17:00:00Z',
    });
  });

  it('carries no external ID and no principals', () => {
    const shown = JSON.stringify(rolesFor([grant('a', { externalId: 'ext-secret-1' })], caller));
    expect(shown).not.toContain('ext-secret-1');
    expect(shown).not.toContain('arn:aws:iam::111111111111:role/app');
  });
});

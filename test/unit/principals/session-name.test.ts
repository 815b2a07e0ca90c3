import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCallerArn, sessionNameFor } from '../../../lib/principals';

const nameOf = (arn: string) => {
  const c = parseCallerArn(arn);
  if (!c) throw new Error(`fixture ${arn}`);
  return sessionNameFor(c);
};

describe('session names', () => {
  it('reads as role.session plus a hash for an assumed role', () => {
    expect(nameOf('arn:aws:sts::111111111111:assumed-role/app/job-1')).toMatch(
      /^app\.job-1-[0-9a-f]{16}$/,
    );
  });

  it('uses the user name for a user', () => {
    expect(nameOf('arn:aws:iam::111111111111:user/ops/alice')).toMatch(/^alice-[0-9a-f]{16}$/);
  });

  it('differs between callers of the same name in different accounts', () => {
    expect(nameOf('arn:aws:iam::111111111111:user/alice')).not.toBe(
      nameOf('arn:aws:iam::222222222222:user/alice'),
    );
  });

  it('differs between role.session combinations that read alike', () => {
    expect(nameOf('arn:aws:sts::111111111111:assumed-role/app.x/yy')).not.toBe(
      nameOf('arn:aws:sts::111111111111:assumed-role/app/x.yy'),
    );
  });

  it('fits 64 characters for the longest names', () => {
    const n = nameOf(`arn:aws:sts::111111111111:assumed-role/${'r'.repeat(64)}/${'s'.repeat(64)}`);
    expect(n.length).toBeLessThanOrEqual(64);
  });

  it('always yields 2-64 characters of [\\w+=,.@-], deterministically', () => {
    const part = fc.stringMatching(/^[\w+=,.@-]{2,64}$/);
    fc.assert(
      fc.property(part, part, (role, session) => {
        const arn = `arn:aws:sts::111111111111:assumed-role/${role.slice(0, 64)}/${session}`;
        const c = parseCallerArn(arn);
        fc.pre(c !== null);
        const n = sessionNameFor(c as NonNullable<typeof c>);
        expect(n).toMatch(/^[\w+=,.@-]{2,64}$/);
        expect(sessionNameFor(c as NonNullable<typeof c>)).toBe(n);
      }),
    );
  });
});

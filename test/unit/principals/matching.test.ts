import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors';
import { type Caller, parseCallerArn, parsePrincipalPattern } from '../../../lib/principals';

const caller = (arn: string): Caller => {
  const c = parseCallerArn(arn);
  if (!c) throw new Error(`fixture ${arn} did not parse`);
  return c;
};
const matches = (pattern: string, arn: string) =>
  parsePrincipalPattern(pattern, 'aws').matches(caller(arn));

describe('principal matching', () => {
  it('lets a role pattern match every session of that role', () => {
    expect(
      matches(
        'arn:aws:iam::111111111111:role/app',
        'arn:aws:sts::111111111111:assumed-role/app/job-1',
      ),
    ).toBe(true);
  });

  it('ignores the role path for sessions, which carry none', () => {
    expect(
      matches(
        'arn:aws:iam::111111111111:role/team/app',
        'arn:aws:sts::111111111111:assumed-role/app/s1',
      ),
    ).toBe(true);
  });

  it('keeps the role path for role ARNs', () => {
    expect(
      matches(
        'arn:aws:iam::111111111111:role/team/app',
        'arn:aws:iam::111111111111:role/other/app',
      ),
    ).toBe(false);
    expect(
      matches('arn:aws:iam::111111111111:role/team/app', 'arn:aws:iam::111111111111:role/team/app'),
    ).toBe(true);
  });

  it('does not let a role pattern match another role with a longer name', () => {
    expect(
      matches(
        'arn:aws:iam::111111111111:role/app',
        'arn:aws:sts::111111111111:assumed-role/app2/s1',
      ),
    ).toBe(false);
  });

  it('matches role names with * and ? inside the resource part', () => {
    expect(
      matches(
        'arn:aws:iam::111111111111:role/audit-*',
        'arn:aws:sts::111111111111:assumed-role/audit-eu/s1',
      ),
    ).toBe(true);
    expect(
      matches(
        'arn:aws:iam::111111111111:role/app?',
        'arn:aws:sts::111111111111:assumed-role/app1/s1',
      ),
    ).toBe(true);
    expect(
      matches(
        'arn:aws:iam::111111111111:role/app?',
        'arn:aws:sts::111111111111:assumed-role/app12/s1',
      ),
    ).toBe(false);
  });

  it('matches a user only with its path', () => {
    expect(
      matches(
        'arn:aws:iam::111111111111:user/ops/alice',
        'arn:aws:iam::111111111111:user/ops/alice',
      ),
    ).toBe(true);
    expect(
      matches('arn:aws:iam::111111111111:user/ops/alice', 'arn:aws:iam::111111111111:user/alice'),
    ).toBe(false);
  });

  it('does not let a user pattern match a role session of the same name', () => {
    expect(
      matches(
        'arn:aws:iam::111111111111:user/app',
        'arn:aws:sts::111111111111:assumed-role/app/s1',
      ),
    ).toBe(false);
  });

  it('matches an assumed-role pattern on role and session', () => {
    const p = 'arn:aws:sts::111111111111:assumed-role/app/job-*';
    expect(matches(p, 'arn:aws:sts::111111111111:assumed-role/app/job-7')).toBe(true);
    expect(matches(p, 'arn:aws:sts::111111111111:assumed-role/app/other')).toBe(false);
  });

  it('lets an account root match every principal of that account', () => {
    for (const arn of [
      'arn:aws:iam::111111111111:user/alice',
      'arn:aws:sts::111111111111:assumed-role/app/s1',
      'arn:aws:sts::111111111111:federated-user/bob',
      'arn:aws:iam::111111111111:root',
    ]) {
      expect(matches('arn:aws:iam::111111111111:root', arn)).toBe(true);
      expect(matches('111111111111', arn)).toBe(true);
    }
  });

  it('does not let an account pattern match another account', () => {
    expect(matches('111111111111', 'arn:aws:iam::111111111112:user/alice')).toBe(false);
  });

  it('does not let * cross an account boundary', () => {
    expect(
      matches('arn:aws:iam::111111111111:role/*', 'arn:aws:sts::222222222222:assumed-role/app/s1'),
    ).toBe(false);
  });

  it('keeps partitions apart', () => {
    expect(
      matches(
        'arn:aws:iam::111111111111:role/app',
        'arn:aws-cn:sts::111111111111:assumed-role/app/s1',
      ),
    ).toBe(false);
    expect(matches('111111111111', 'arn:aws-us-gov:iam::111111111111:user/a')).toBe(false);
  });

  it('reads a bare account id in the default partition', () => {
    const p = parsePrincipalPattern('111111111111', 'aws-cn');
    expect(p.partition).toBe('aws-cn');
    expect(p.scope).toBe('account');
    expect(p.matches(caller('arn:aws-cn:iam::111111111111:user/a'))).toBe(true);
  });

  it('does not let federated users match role or user patterns', () => {
    expect(
      matches('arn:aws:iam::111111111111:user/bob', 'arn:aws:sts::111111111111:federated-user/bob'),
    ).toBe(false);
  });

  it('is case-sensitive', () => {
    expect(
      matches(
        'arn:aws:iam::111111111111:role/App',
        'arn:aws:sts::111111111111:assumed-role/app/s1',
      ),
    ).toBe(false);
  });
});

describe('principal pattern validation', () => {
  it.each([
    ['only wildcards', '*'],
    ['only wildcards, mixed', '?*'],
    ['an empty string', ''],
    ['a wildcard account', 'arn:aws:iam::*:role/app'],
    ['a wildcard partition', 'arn:*:iam::111111111111:role/app'],
    ['a wildcard service', 'arn:aws:*::111111111111:role/app'],
    ['a wildcard resource type', 'arn:aws:iam::111111111111:*/app'],
    ['an unknown partition', 'arn:aws-xx:iam::111111111111:role/app'],
    ['a region', 'arn:aws:iam:eu-west-1:111111111111:role/app'],
    ['a short account', 'arn:aws:iam::11111111111:role/app'],
    ['a non-IAM service', 'arn:aws:s3:::bucket'],
    ['a group', 'arn:aws:iam::111111111111:group/admins'],
    ['trailing junk', 'arn:aws:iam::111111111111:role/app:extra'],
    ['a space', 'arn:aws:iam::111111111111:role/my app'],
    ['a control character', 'arn:aws:iam::111111111111:role/app\u0000'],
    ['unicode', 'arn:aws:iam::111111111111:role/äpp'],
    ['a role without a name', 'arn:aws:iam::111111111111:role/team/'],
    ['an assumed-role without a session', 'arn:aws:sts::111111111111:assumed-role/app'],
    ['a role path with a wildcard name', 'arn:aws:iam::111111111111:role/team/*'],
  ])('refuses %s', (_what, pattern) => {
    expect(() => parsePrincipalPattern(pattern, 'aws')).toThrow(ValidationError);
  });
});

describe('caller ARN parsing', () => {
  it.each([
    'offlineContext_userArn',
    'arn:aws:sts::111111111111:assumed-role/app',
    'arn:aws:sts::111111111111:assumed-role/app/s/extra',
    'arn:aws:iam::111111111111:role/*',
    'arn:aws:iam::111111111111:user/a b',
    'arn:aws:iam::111111111111:user/alice\n',
    'arn:aws:iam::111111111111:group/x',
    'arn:aws:sts::111111111111:assumed-role/app/s\u200b',
    'arn:aws:iam::111111111111:user/',
  ])('refuses %j', (arn) => {
    expect(parseCallerArn(arn)).toBeNull();
  });

  it('reads an assumed-role session', () => {
    expect(parseCallerArn('arn:aws:sts::111111111111:assumed-role/app/job-1')).toMatchObject({
      kind: 'assumed-role',
      name: 'app',
      session: 'job-1',
      accountId: '111111111111',
      partition: 'aws',
    });
  });
});

const account = fc.stringMatching(/^\d{12}$/);
const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov');
const name = fc.stringMatching(/^[\w+=,.@-]{2,20}$/);
const glob = fc.stringMatching(/^[\w*?-]{1,10}$/).filter((s) => !/^[*?]+$/.test(s));
const sessionArn = fc
  .tuple(partition, account, name, name)
  .map(([p, a, r, s]) => `arn:${p}:sts::${a}:assumed-role/${r}/${s}`);

describe('principal matching properties', () => {
  it('never matches a caller in another account or partition', () => {
    fc.assert(
      fc.property(partition, account, glob, sessionArn, (p, a, g, arn) => {
        const c = caller(arn);
        fc.pre(c.partition !== p || c.accountId !== a);
        for (const pattern of [
          `arn:${p}:iam::${a}:role/${g}`,
          `arn:${p}:iam::${a}:root`,
          `arn:${p}:sts::${a}:assumed-role/${g}/${g}`,
        ]) {
          expect(parsePrincipalPattern(pattern, 'aws').matches(c)).toBe(false);
        }
      }),
    );
  });

  it('matches exactly the sessions of a literal role pattern', () => {
    fc.assert(
      fc.property(partition, account, name, name, name, (p, a, role, other, session) => {
        const pattern = parsePrincipalPattern(`arn:${p}:iam::${a}:role/${role}`, 'aws');
        expect(pattern.matches(caller(`arn:${p}:sts::${a}:assumed-role/${role}/${session}`))).toBe(
          true,
        );
        expect(pattern.matches(caller(`arn:${p}:sts::${a}:assumed-role/${other}/${session}`))).toBe(
          role === other,
        );
      }),
    );
  });

  it('parses generated caller ARNs and refuses them with a control character inserted', () => {
    fc.assert(
      fc.property(sessionArn, fc.nat(), fc.integer({ min: 0, max: 31 }), (arn, at, code) => {
        expect(parseCallerArn(arn)?.arn).toBe(arn);
        const i = at % (arn.length + 1);
        expect(
          parseCallerArn(arn.slice(0, i) + String.fromCharCode(code) + arn.slice(i)),
        ).toBeNull();
      }),
    );
  });
});

describe('wildcards stay inside one IAM path segment (issue 12)', () => {
  it('does not let * in a user pattern match a user under a path that starts alike', () => {
    const p = 'arn:aws:iam::111111111111:user/dev-*';
    expect(matches(p, 'arn:aws:iam::111111111111:user/dev-x/evil')).toBe(false);
    expect(matches(p, 'arn:aws:iam::111111111111:user/dev-alice')).toBe(true);
  });

  it('does not let ? match a /', () => {
    expect(
      matches('arn:aws:iam::111111111111:user/a?b', 'arn:aws:iam::111111111111:user/a/b'),
    ).toBe(false);
    expect(
      matches('arn:aws:iam::111111111111:user/a?b', 'arn:aws:iam::111111111111:user/axb'),
    ).toBe(true);
  });

  it('matches one path level per * segment', () => {
    const p = 'arn:aws:iam::111111111111:user/ops/*';
    expect(matches(p, 'arn:aws:iam::111111111111:user/ops/alice')).toBe(true);
    expect(matches(p, 'arn:aws:iam::111111111111:user/ops/eu/alice')).toBe(false);
    expect(
      matches(
        'arn:aws:iam::111111111111:user/ops/*/*',
        'arn:aws:iam::111111111111:user/ops/eu/alice',
      ),
    ).toBe(true);
  });

  it('keeps a role ARN caller with a path out of a role name wildcard', () => {
    expect(
      matches(
        'arn:aws:iam::111111111111:role/audit-*',
        'arn:aws:iam::111111111111:role/audit-x/evil',
      ),
    ).toBe(false);
  });

  const segment = fc.stringMatching(/^[\w+=,.@-]{1,8}$/);
  const userGlob = fc
    .array(fc.stringMatching(/^[\w*?-]{1,8}$/), { minLength: 1, maxLength: 3 })
    .map((s) => s.join('/'))
    .filter((s) => !/^[*?/]+$/.test(s));

  it('never lets * or ? match a / (property)', () => {
    fc.assert(
      fc.property(
        userGlob,
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        segment,
        (glob, path, userName) => {
          const pattern = parsePrincipalPattern(`arn:aws:iam::111111111111:user/${glob}`, 'aws');
          const c = caller(`arn:aws:iam::111111111111:user/${[...path, userName].join('/')}`);
          // A match needs one pattern segment per path segment: no wildcard took a '/'.
          if (pattern.matches(c)) expect(glob.split('/').length).toBe(path.length + 1);
          // The same pattern with its wildcards forced over a '/' never matches.
          const crossing = glob.replace(/[*?]/, 'q/q');
          if (crossing !== glob) {
            const q = caller(`arn:aws:iam::111111111111:user/${crossing.replace(/[*?]/g, 'q')}`);
            expect(pattern.matches(q)).toBe(false);
          }
        },
      ),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCallerArn, parseRoleArn } from '../../../lib/principals';

const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov');
const account = fc.stringMatching(/^\d{12}$/);
const name = fc.stringMatching(/^[\w+=,.@-]{1,64}$/);
const segment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,10}$/);
const path = fc.array(segment, { maxLength: 3 }).map((s) => (s.length ? `/${s.join('/')}/` : '/'));
const roleArn = fc
  .tuple(partition, account, path, name)
  .map(([p, a, pa, n]) => ({ arn: `arn:${p}:iam::${a}:role${pa}${n}`, p, a, pa, n }));
/** A character no ARN may contain: control, non-ASCII, or space. */
const alien = fc.oneof(
  fc.integer({ min: 0, max: 0x20 }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x7f, max: 0xffff }).map((c) => String.fromCharCode(c)),
);

describe('ARN parsing (properties)', () => {
  it('reads back every well-formed role ARN', () => {
    fc.assert(
      fc.property(roleArn, (r) => {
        expect(parseRoleArn(r.arn)).toEqual({
          arn: r.arn,
          partition: r.p,
          accountId: r.a,
          path: r.pa,
          name: r.n,
        });
      }),
    );
  });

  it('refuses an ARN with a control, space or non-ASCII character anywhere', () => {
    fc.assert(
      fc.property(roleArn, alien, fc.nat(), (r, c, at) => {
        const i = at % (r.arn.length + 1);
        const bad = `${r.arn.slice(0, i)}${c}${r.arn.slice(i)}`;
        expect(parseRoleArn(bad)).toBeNull();
        expect(parseCallerArn(bad)).toBeNull();
      }),
    );
  });

  it('refuses wildcards in a role name, and junk after the name', () => {
    fc.assert(
      fc.property(roleArn, fc.constantFrom('*', '?', ':x', ' ', '/'), (r, junk) => {
        expect(parseRoleArn(`${r.arn}${junk}`)).toBeNull();
      }),
    );
  });

  it('never takes an account that is not 12 digits, or another partition', () => {
    fc.assert(
      fc.property(
        roleArn,
        fc.stringMatching(/^(\d{0,11}|\d{13,14}|[a-z*?]{1,12})$/),
        fc.constantFrom('aws-iso', 'AWS', 'aws ', ''),
        (r, acct, part) => {
          expect(parseRoleArn(r.arn.replace(`::${r.a}:`, `::${acct}:`))).toBeNull();
          expect(parseRoleArn(r.arn.replace(`arn:${r.p}:`, `arn:${part}:`))).toBeNull();
        },
      ),
    );
  });
});

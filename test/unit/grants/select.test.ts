import { describe, expect, it } from 'vitest';
import { AccessDenied, ValidationError } from '../../../lib/errors';
import { type Grant, parseGrant, selectGrant } from '../../../lib/grants';
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

describe('grant selection', () => {
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

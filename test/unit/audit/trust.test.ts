import { describe, expect, it } from 'vitest';
import { auditTrust, parseTrustPolicy } from '../../../lib/audit/trust';

const BROKER = 'arn:aws:iam::111111111111:role/rolebroker-prod-eu-west-1-lambdaRole';
const ROLE = 'arn:aws:iam::222222222222:role/rolebroker/Audit';
const ctx = {
  grant: 'g',
  roleArn: ROLE,
  roleAccount: '222222222222',
  hop: 'target' as 'target' | 'hub',
  externalId: 'ext-1',
  needsSourceIdentity: true,
  needsTagSession: false,
};
const statement = (principal: unknown, extra: object = {}) => ({
  Effect: 'Allow',
  Principal: principal,
  Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
  Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } },
  ...extra,
});
const checks = (statements: object[], over: Partial<typeof ctx> = {}) =>
  auditTrust(statements, { ...ctx, ...over })
    .map((f) => f.check)
    .sort();

describe('trust policy audit', () => {
  it('passes the trust policy the README recommends', () => {
    expect(checks([statement({ AWS: BROKER })])).toEqual([]);
  });

  it('flags "*" as a principal', () => {
    expect(checks([statement('*')])).toEqual(['trust-wildcard-principal']);
    expect(checks([statement({ AWS: '*' })])).toEqual(['trust-wildcard-principal']);
  });

  it('flags an account root and a bare account id', () => {
    expect(checks([statement({ AWS: 'arn:aws:iam::111111111111:root' })])).toEqual([
      'trust-account-root',
    ]);
    expect(checks([statement({ AWS: '111111111111' })])).toEqual(['trust-account-root']);
  });

  it('flags a principal from another account without an external ID condition', () => {
    expect(checks([statement({ AWS: BROKER }, { Condition: undefined })])).toEqual([
      'trust-no-external-id',
    ]);
  });

  it("does not ask for an external ID from a principal in the role's own account", () => {
    const own = 'arn:aws:iam::222222222222:role/rolebroker-hub';
    expect(
      checks([statement({ AWS: own }, { Condition: undefined })], { externalId: undefined }),
    ).toEqual([]);
  });

  it("flags an external ID different from the grant's", () => {
    expect(checks([statement({ AWS: BROKER })], { externalId: 'other' })).toEqual([
      'trust-external-id-mismatch',
    ]);
  });

  it('flags a required external ID when the grant has none', () => {
    expect(checks([statement({ AWS: BROKER })], { externalId: undefined })).toEqual([
      'trust-external-id-mismatch',
    ]);
  });

  it('flags missing sts:SetSourceIdentity when the grant sets it', () => {
    expect(checks([statement({ AWS: BROKER }, { Action: 'sts:AssumeRole' })])).toEqual([
      'trust-missing-set-source-identity',
    ]);
  });

  it('does not ask for sts:SetSourceIdentity when the grant does not set it', () => {
    expect(
      checks([statement({ AWS: BROKER }, { Action: 'sts:AssumeRole' })], {
        needsSourceIdentity: false,
      }),
    ).toEqual([]);
  });

  it('flags missing sts:TagSession when the grant has session tags', () => {
    const s = statement({ AWS: BROKER }, { Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] });
    expect(checks([s], { needsTagSession: true })).toEqual(['trust-missing-tag-session']);
  });

  it('accepts sts:* as allowing every STS action', () => {
    expect(
      checks([statement({ AWS: BROKER }, { Action: 'sts:*' })], { needsTagSession: true }),
    ).toEqual([]);
  });

  it('flags a trust policy that allows no AssumeRole', () => {
    expect(checks([statement({ AWS: BROKER }, { Effect: 'Deny' })])).toEqual(['trust-no-assume']);
  });

  it("checks a hub without the grant's external ID or session requirements", () => {
    const hub = statement(
      { AWS: BROKER },
      { Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'hub-id' } } },
    );
    expect(
      checks([hub], { hop: 'hub', externalId: undefined, needsSourceIdentity: false }),
    ).toEqual([]);
  });

  it('does not ask a hub for an external ID: the broker assumes hubs without one', () => {
    const hub = statement({ AWS: BROKER }, { Action: 'sts:AssumeRole', Condition: undefined });
    expect(
      checks([hub], { hop: 'hub', externalId: undefined, needsSourceIdentity: false }),
    ).toEqual([]);
  });

  it('reads the URL-encoded document GetRole returns', () => {
    const doc = encodeURIComponent(
      JSON.stringify({ Version: '2012-10-17', Statement: [statement({ AWS: BROKER })] }),
    );
    expect(parseTrustPolicy(doc)).toHaveLength(1);
    expect(parseTrustPolicy('%7Bnot json')).toBeNull();
  });
});

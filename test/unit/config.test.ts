import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';

describe('configuration', () => {
  it('applies the contract defaults', () => {
    expect(loadConfig({ AWS_REGION: 'eu-west-1' })).toMatchObject({
      ssmPrefix: '/rolebroker',
      auth: 'iam',
      serverId: '',
      grantsTtlMs: 60_000,
      maxStaleMs: 900_000,
      partition: 'aws',
      sessionReuseMinSeconds: 600,
      stsIdentityEndpoints: ['https://sts.eu-west-1.amazonaws.com', 'https://sts.amazonaws.com'],
    });
  });

  it('derives the partition and STS endpoint of China regions', () => {
    const c = loadConfig({ AWS_REGION: 'cn-north-1' });
    expect(c.partition).toBe('aws-cn');
    expect(c.stsIdentityEndpoints).toEqual(['https://sts.cn-north-1.amazonaws.com.cn']);
  });

  it('refuses sts mode without a server id instead of falling back to the stage (issue 12)', () => {
    const env = { AWS_REGION: 'eu-west-1', ROLEBROKER_STAGE: 'prod', ROLEBROKER_AUTH: 'sts' };
    expect(() => loadConfig(env)).toThrow(/ROLEBROKER_SERVER_ID: is required in sts mode/);
    const host = 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
    expect(loadConfig({ ...env, ROLEBROKER_SERVER_ID: host }).serverId).toBe(host);
  });

  it('never makes the stage name a server id', () => {
    expect(loadConfig({ AWS_REGION: 'eu-west-1', ROLEBROKER_STAGE: 'prod' }).serverId).toBe('');
  });

  it('turns session reuse off or changes its minimum', () => {
    const base = { AWS_REGION: 'eu-west-1' };
    expect(loadConfig({ ...base, ROLEBROKER_SESSION_REUSE: 'off' }).sessionReuseMinSeconds).toBe(0);
    expect(
      loadConfig({ ...base, ROLEBROKER_SESSION_REUSE_MIN_SECONDS: '1200' }).sessionReuseMinSeconds,
    ).toBe(1200);
  });

  it.each([
    ['a prefix with a trailing slash', { ROLEBROKER_SSM_PREFIX: '/rb/' }],
    ['an unknown auth mode', { ROLEBROKER_AUTH: 'none' }],
    ['a non-numeric TTL', { ROLEBROKER_GRANTS_TTL_SECONDS: 'soon' }],
    ['a negative stale limit', { ROLEBROKER_MAX_STALE_SECONDS: '-1' }],
    ['a non-http identity endpoint', { ROLEBROKER_STS_IDENTITY_ENDPOINTS: 'file:///etc/passwd' }],
    ['an empty server id', { ROLEBROKER_SERVER_ID: '' }],
    ['a reuse switch that is not on/off', { ROLEBROKER_SESSION_REUSE: 'yes' }],
    ['a reuse minimum under 5 minutes', { ROLEBROKER_SESSION_REUSE_MIN_SECONDS: '60' }],
  ])('fails at load on %s', (_what, env) => {
    expect(() => loadConfig({ AWS_REGION: 'eu-west-1', ...env })).toThrow(
      /rolebroker configuration|ENDPOINTS/,
    );
  });

  it('fails at load without a region', () => {
    expect(() => loadConfig({})).toThrow(/AWS_REGION/);
  });
});

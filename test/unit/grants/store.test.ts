import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadGrants } from '../../../lib/grants';

const ssmMock = mockClient(SSMClient);
afterEach(() => ssmMock.reset());

const grant = (roleName: string) =>
  JSON.stringify({
    roleArn: `arn:aws:iam::222222222222:role/${roleName}`,
    externalId: 'ext-id-123',
    principals: ['111111111111'],
  });

describe('loading grants from SSM', () => {
  it('reads every page, recursively and decrypted, under <prefix>/grants', async () => {
    ssmMock
      .on(GetParametersByPathCommand, { NextToken: undefined })
      .resolves({
        Parameters: [{ Name: '/rb/grants/a', Type: 'SecureString', Value: grant('A') }],
        NextToken: 't1',
      })
      .on(GetParametersByPathCommand, { NextToken: 't1' })
      .resolves({
        Parameters: [{ Name: '/rb/grants/b', Type: 'SecureString', Value: grant('B') }],
      });
    const set = await loadGrants(new SSMClient({ region: 'eu-west-1' }), '/rb', 'aws');
    expect(set.grants.map((g) => g.name)).toEqual(['a', 'b']);
    const calls = ssmMock.commandCalls(GetParametersByPathCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toMatchObject({
      Path: '/rb/grants',
      Recursive: true,
      WithDecryption: true,
    });
  });

  it('skips an invalid grant beside valid ones and says why', async () => {
    ssmMock.on(GetParametersByPathCommand).resolves({
      Parameters: [
        { Name: '/rb/grants/good', Type: 'SecureString', Value: grant('A') },
        { Name: '/rb/grants/bad', Type: 'SecureString', Value: '{"roleArn":"nope"}' },
      ],
    });
    const set = await loadGrants(new SSMClient({ region: 'eu-west-1' }), '/rb', 'aws');
    expect(set.grants.map((g) => g.name)).toEqual(['good']);
    expect(set.invalid).toEqual([{ name: 'bad', reason: expect.stringContaining('roleArn') }]);
  });

  it('skips a nested parameter whose name is not a grant name', async () => {
    ssmMock.on(GetParametersByPathCommand).resolves({
      Parameters: [{ Name: '/rb/grants/team/a', Type: 'SecureString', Value: grant('A') }],
    });
    const set = await loadGrants(new SSMClient({ region: 'eu-west-1' }), '/rb', 'aws');
    expect(set.grants).toHaveLength(0);
    expect(set.invalid[0]?.name).toBe('team/a');
  });

  it('skips a StringList parameter', async () => {
    ssmMock.on(GetParametersByPathCommand).resolves({
      Parameters: [{ Name: '/rb/grants/list', Type: 'StringList', Value: 'a,b' }],
    });
    const set = await loadGrants(new SSMClient({ region: 'eu-west-1' }), '/rb', 'aws');
    expect(set.invalid[0]?.reason).toMatch(/StringList/);
  });

  it('lets SSM errors through for the cache to judge', async () => {
    ssmMock
      .on(GetParametersByPathCommand)
      .rejects(Object.assign(new Error('x'), { name: 'AccessDeniedException' }));
    await expect(
      loadGrants(new SSMClient({ region: 'eu-west-1' }), '/rb', 'aws'),
    ).rejects.toThrow();
  });
});

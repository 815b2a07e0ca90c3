import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createAuthenticator } from '../../../lib/auth';
import { Unauthenticated } from '../../../lib/errors';
import { restEvent } from '../../../scripts/events';

const iam = createAuthenticator({
  auth: 'iam',
  serverId: 'x',
  stsIdentityEndpoints: ['https://sts.amazonaws.com'],
});
const ARN = 'arn:aws:sts::111111111111:assumed-role/app/job-1';

const httpApiEvent = (userArn: string) =>
  ({
    headers: {},
    requestContext: { authorizer: { iam: { userArn } }, requestId: 'r' },
  }) as unknown as APIGatewayProxyEventV2WithIAMAuthorizer;

describe('caller authentication', () => {
  it('reads the caller from a REST API identity in iam mode', async () => {
    await expect(iam(restEvent({ userArn: ARN }))).resolves.toMatchObject({
      arn: ARN,
      kind: 'assumed-role',
    });
  });

  it('reads the caller from an HTTP API / Function URL IAM authorizer in iam mode', async () => {
    await expect(iam(httpApiEvent(ARN))).resolves.toMatchObject({ arn: ARN });
  });

  it.each([
    'offlineContext_userArn',
    '',
    'arn:aws:iam::111111111111:role/*',
    'arn:aws:sts::1:assumed-role/a/b',
  ])('refuses %j in iam mode', async (userArn) => {
    await expect(iam(restEvent({ userArn }))).rejects.toBeInstanceOf(Unauthenticated);
    await expect(iam(restEvent({ userArn }))).rejects.toMatchObject({
      reason: 'caller-not-principal',
    });
  });

  it('does not fall back to the authorizer on a REST event without a userArn', async () => {
    const event = restEvent({ userArn: null });
    (event.requestContext as unknown as { authorizer: unknown }).authorizer = {
      iam: { userArn: ARN },
    };
    await expect(iam(event)).rejects.toBeInstanceOf(Unauthenticated);
    await expect(iam(event)).rejects.toMatchObject({ reason: 'caller-missing' });
  });

  it('refuses a missing identity in iam mode', async () => {
    await expect(iam(restEvent({ userArn: null }))).rejects.toBeInstanceOf(Unauthenticated);
    await expect(iam(restEvent({ userArn: null }))).rejects.toMatchObject({
      reason: 'caller-missing',
    });
  });

  it('reads the identity header case-insensitively in sts mode and ignores the request context', async () => {
    const verify = vi.fn(async () => ARN);
    const sts = createAuthenticator(
      { auth: 'sts', serverId: 'x', stsIdentityEndpoints: [] },
      { verify },
    );
    const caller = await sts(
      restEvent({
        userArn: 'arn:aws:iam::999999999999:user/spoof',
        headers: { 'X-RoleBroker-Identity': 'tok' },
      }),
    );
    expect(verify).toHaveBeenCalledWith('tok');
    expect(caller.arn).toBe(ARN);
  });

  it('refuses an ARN from STS that is not a principal in sts mode', async () => {
    const sts = createAuthenticator(
      { auth: 'sts', serverId: 'x', stsIdentityEndpoints: [] },
      { verify: async () => 'nope' },
    );
    await expect(
      sts(restEvent({ headers: { 'x-rolebroker-identity': 't' } })),
    ).rejects.toBeInstanceOf(Unauthenticated);
    await expect(
      sts(restEvent({ headers: { 'x-rolebroker-identity': 't' } })),
    ).rejects.toMatchObject({ reason: 'caller-not-principal' });
  });
});

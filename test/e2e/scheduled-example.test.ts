import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { ARNS } from '../../scripts/seed';

const stack = inject('stack');
const saved = { ...process.env };

beforeAll(() => {
  Object.assign(process.env, stack.profileEnv, {
    AWS_PROFILE: 'demo-caller',
    ROLEBROKER_SERVER_ID: 'rolebroker-local',
    ROLEBROKER_URL: stack.brokerUrl,
    ROLEBROKER_EXAMPLE_AUTH: 'sts',
    ROLEBROKER_EXAMPLE_TARGETS: [
      ARNS.localTarget,
      ARNS.deployTarget,
      'arn:aws:iam::222222222222:role/not-granted',
    ].join(','),
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterAll(() => {
  process.env = saved;
  vi.restoreAllMocks();
});

describe('scheduled example Lambda', () => {
  it('gets credentials per target from the broker and runs a read-only call with each', async () => {
    const { handler } = await import('../../functions/scheduled-example');
    const { results } = await handler();
    expect(results).toEqual([
      {
        roleArn: ARNS.localTarget,
        ok: true,
        detail: expect.stringContaining('assumed-role/rolebroker-local-reader/'),
      },
      {
        roleArn: ARNS.deployTarget,
        ok: true,
        detail: expect.stringContaining('assumed-role/rolebroker-deploy/'),
      },
      {
        roleArn: 'arn:aws:iam::222222222222:role/not-granted',
        ok: false,
        detail: '403 AccessDenied',
      },
    ]);
  });
});

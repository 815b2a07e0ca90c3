import { GetRolePolicyCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { main } from '../../lib/cli';
import { REVOKE_POLICY_NAME } from '../../lib/cli/revoke-policy';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { restEvent } from '../../scripts/events';
import { startFaultProxy } from '../../scripts/relay';
import {
  ARNS,
  BROKER_ACCOUNT,
  GRANTS,
  PREFIX,
  type SeededWorld,
  seedDemo,
} from '../../scripts/seed';
import { loadBroker, restoreEnv } from '../support/broker';
import { lambdaContext } from '../support/events';

const endpoint = inject('motoEndpoint');
let world: SeededWorld;

beforeAll(async () => {
  world = await seedDemo(endpoint);
});

afterEach(() => vi.unstubAllEnvs());
afterAll(restoreEnv);

const admin = () => world.admins[BROKER_ACCOUNT] as AwsCredentialIdentity;
const iamAs = (credentials: AwsCredentialIdentity) =>
  new IAMClient({ region: EMULATOR_REGION, endpoint, credentials });

async function issue(env: Record<string, string> = {}) {
  const broker = await loadBroker(world, env);
  const res = await broker.credentials(
    restEvent({ body: { roleArn: ARNS.localTarget }, userArn: ARNS.demoCaller }),
    lambdaContext(),
  );
  return { status: res.statusCode, json: JSON.parse(res.body) };
}

async function cli(argv: string[]) {
  // The CLI signs with the operator's credentials from the SDK's default chain.
  vi.stubEnv('AWS_ACCESS_KEY_ID', admin().accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', admin().secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  vi.stubEnv('AWS_REGION', EMULATOR_REGION);
  vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: process.env,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('rolebroker revoke against the emulator', () => {
  it("puts AWS's revoke-older-sessions policy on the role, denying sessions issued before", async () => {
    const issued = await issue({ ROLEBROKER_SESSION_REUSE: 'off' });
    expect(issued.status).toBe(200);
    const c = issued.json.Credentials;
    const asSession = iamAs({
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    });
    await expect(asSession.send(new ListRolesCommand({}))).resolves.toBeDefined();

    const before = new Date(Date.now() + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const res = await cli(['revoke', '--role-arn', ARNS.localTarget, '--before', before]);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.stdout).toContain(`issued before ${new Date(before).toISOString()}`);

    const iam = iamAs(admin());
    const put = await iam.send(
      new GetRolePolicyCommand({
        RoleName: 'rolebroker-local-reader',
        PolicyName: REVOKE_POLICY_NAME,
      }),
    );
    expect(JSON.parse(decodeURIComponent(put.PolicyDocument ?? ''))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: ['*'],
          Resource: ['*'],
          Condition: { DateLessThan: { 'aws:TokenIssueTime': new Date(before).toISOString() } },
        },
      ],
    });
    // moto applies the Deny but does not evaluate aws:TokenIssueTime (sessions issued after the
    // cut-off are denied too), so the document above is what shows the cut-off is right.
    await expect(asSession.send(new ListRolesCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    iam.destroy();
    asSession.destroy();
  });

  it.each([
    ['no --role-arn', ['revoke']],
    ['a user ARN', ['revoke', '--role-arn', ARNS.demoCaller]],
    [
      'a time without a zone',
      ['revoke', '--role-arn', ARNS.localTarget, '--before', '2026-01-01T00:00:00'],
    ],
    [
      'a time in the future',
      ['revoke', '--role-arn', ARNS.localTarget, '--before', '2999-01-01T00:00:00Z'],
    ],
  ])('refuses %s with exit 2 and calls nothing', async (_what, argv) => {
    const res = await cli(argv);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/rolebroker: .*\nusage:/);
  });

  it('exits 4 for a role that does not exist', async () => {
    const res = await cli(['revoke', '--role-arn', `arn:aws:iam::${BROKER_ACCOUNT}:role/nope`]);
    expect(res.code).toBe(4);
    expect(res.stderr).toContain('NoSuchEntity');
  });

  it('gives up on an IAM endpoint that never answers: 3 attempts of --aws-timeout, exit 4', async () => {
    const hung = await startFaultProxy(endpoint);
    hung.mode = 'hang';
    try {
      vi.stubEnv('AWS_ENDPOINT_URL_IAM', hung.endpoint);
      const res = await cli(['revoke', '--role-arn', ARNS.localTarget, '--aws-timeout', '1']);
      expect(res.code).toBe(4);
      expect(res.stderr).toMatch(
        /^rolebroker: revoke failed: TimeoutError: AWS did not answer within --aws-timeout in 3 attempts; /,
      );
      expect(hung.count).toBe(3);
    } finally {
      await hung.close();
    }
  }, 30_000);
});

describe('the disabled kill switch', () => {
  it('stops issuance within the grant cache lifetime, cached sessions included', async () => {
    const broker = await loadBroker(world, { ROLEBROKER_GRANTS_TTL_SECONDS: '1' });
    const ask = async () =>
      (
        await broker.credentials(
          restEvent({ body: { roleArn: ARNS.localTarget }, userArn: ARNS.demoCaller }),
          lambdaContext(),
        )
      ).statusCode;
    expect(await ask()).toBe(200);
    const ssm = new SSMClient({ region: EMULATOR_REGION, endpoint, credentials: admin() });
    const put = (disabled: boolean) =>
      ssm.send(
        new PutParameterCommand({
          Name: `${PREFIX}/grants/local-reader`,
          Type: 'SecureString',
          Overwrite: true,
          Value: JSON.stringify({ ...GRANTS['local-reader'], disabled }),
        }),
      );
    try {
      await put(true);
      await new Promise((r) => setTimeout(r, 1100));
      expect(await ask()).toBe(403);
      await put(false);
      await new Promise((r) => setTimeout(r, 1100));
      expect(await ask()).toBe(200);
    } finally {
      await put(false);
      ssm.destroy();
    }
  });
});

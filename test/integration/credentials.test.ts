import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { restEvent } from '../../scripts/events';
import { ARNS, GRANTS, type SeededWorld, seedDemo } from '../../scripts/seed';
import { type LoadedBroker, loadBroker, restoreEnv } from '../support/broker';
import { lambdaContext } from '../support/events';

const endpoint = inject('motoEndpoint');
let world: SeededWorld;
let broker: LoadedBroker;

const ask = async (body: object | string, userArn: string | null = ARNS.demoCaller) => {
  const res = await broker.credentials(restEvent({ body, userArn }), lambdaContext());
  return { status: res.statusCode, headers: res.headers ?? {}, json: JSON.parse(res.body) };
};

async function whoAmI(credentials: {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
}) {
  const sts = new STSClient({
    region: EMULATOR_REGION,
    endpoint,
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
    },
  });
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  } finally {
    sts.destroy();
  }
}

beforeAll(async () => {
  world = await seedDemo(endpoint, {
    extraParameters: {
      'not-json': { value: '{oops' },
      'unknown-field': {
        value: JSON.stringify({
          ...GRANTS['local-reader'],
          roleArn: ARNS.localTarget,
          colour: 'red',
        }),
      },
      'plain-string': {
        value: JSON.stringify({ roleArn: ARNS.strictTarget, principals: [ARNS.demoOutsider] }),
        type: 'String',
      },
    },
  });
  broker = await loadBroker(world);
});

afterAll(restoreEnv);

describe('POST /credentials against the emulator', () => {
  it('issues one-hop credentials that work as the target role session', async () => {
    const res = await ask({ roleArn: ARNS.localTarget });
    expect(res.status).toBe(200);
    expect(res.headers['Cache-Control']).toBe('no-store');
    expect(res.json.Grant).toBe('local-reader');
    expect(res.json.Credentials.AccessKeyId).toMatch(/^ASIA/);
    expect(res.json.AssumedRoleUser.Arn).toMatch(
      /^arn:aws:sts::111111111111:assumed-role\/rolebroker-local-reader\//,
    );
    expect(await whoAmI(res.json.Credentials)).toBe(res.json.AssumedRoleUser.Arn);
  });

  it('issues cross-account credentials in the target account', async () => {
    const res = await ask({ roleArn: ARNS.auditTarget, durationSeconds: 1800 });
    expect(res.status).toBe(200);
    expect(res.json.AssumedRoleUser.Arn).toContain(
      'arn:aws:sts::222222222222:assumed-role/rolebroker-audit-readonly/',
    );
    expect(await whoAmI(res.json.Credentials)).toBe(res.json.AssumedRoleUser.Arn);
  });

  it('chains through a hub role for a two-hop grant', async () => {
    const res = await ask({ roleArn: ARNS.deployTarget });
    expect(res.status).toBe(200);
    expect(res.json.Grant).toBe('deploy-via-hub');
    expect(await whoAmI(res.json.Credentials)).toMatch(
      /^arn:aws:sts::222222222222:assumed-role\/rolebroker-deploy\//,
    );
  });

  it('names the session after the caller, not after anything the caller chose', async () => {
    const res = await ask({ roleArn: ARNS.localTarget });
    expect(res.json.AssumedRoleUser.Arn.split('/').pop()).toBe(res.json.SourceIdentity);
    expect(res.json.SourceIdentity).toContain('demo-caller');
  });

  it('reads SecureString grants and skips invalid ones beside them', async () => {
    const res = await broker.health(restEvent({ method: 'GET', path: '/health' }), lambdaContext());
    expect(res.statusCode).toBe(200);
    // 4 demo grants, 2 audit-reader grants and the valid plain String one; 2 invalid skipped.
    expect(JSON.parse(res.body)).toEqual({ status: 'ok', grants: 7 });
  });

  it('denies a caller no grant names, with the same message as for an unknown role', async () => {
    const outsider = await ask({ roleArn: ARNS.localTarget }, ARNS.demoOutsider);
    const unknown = await ask({ roleArn: 'arn:aws:iam::222222222222:role/nope' });
    expect(outsider.status).toBe(403);
    expect(unknown.status).toBe(403);
    expect(outsider.json.error.message).toBe(unknown.json.error.message);
    expect(outsider.json.error.code).toBe('AccessDenied');
  });

  it('answers 502 UpstreamRefused when the trust policy wants another external ID', async () => {
    const res = await ask({ roleArn: ARNS.strictTarget });
    expect(res.status).toBe(502);
    expect(res.json.error.code).toBe('UpstreamRefused');
    expect(JSON.stringify(res.json)).not.toContain('demo-external-id');
  });

  it('refuses a duration above the grant maximum, naming the maximum', async () => {
    const res = await ask({ roleArn: ARNS.auditTarget, durationSeconds: 3600 });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('1800');
  });

  it('refuses an unauthenticated call with 401', async () => {
    const res = await ask({ roleArn: ARNS.localTarget }, null);
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('Unauthenticated');
    expect(res.json.error.requestId).toMatch(/^req-/);
  });
});

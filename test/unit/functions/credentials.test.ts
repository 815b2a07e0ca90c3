import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { restEvent } from '../../../scripts/events';
import { lambdaContext } from '../../support/events';

const ssmMock = mockClient(SSMClient);
const stsMock = mockClient(STSClient);
const EXTERNAL_ID = 'ext-id-never-shown-7c1d';
const SECRET_KEY = 'secret-key-never-shown-9a8b';
const TOKEN = 'session-token-never-shown-3e4f';
const ROLE = 'arn:aws:iam::222222222222:role/AuditReadOnly';
const CALLER = 'arn:aws:sts::111111111111:assumed-role/audit-lambda/i-123';

type Handler = (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;
let handler: Handler;
let logs: string[] = [];

beforeAll(async () => {
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('ROLEBROKER_AUTH', 'iam');
  // Every request here must reach STS; reuse has its own tests (issue/session-reuse).
  vi.stubEnv('ROLEBROKER_SESSION_REUSE', 'off');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logs.push(String(chunk));
      return true;
    });
  }
  vi.resetModules();
  handler = (await import('../../../functions/credentials')).handler as unknown as Handler;
});

beforeEach(() => {
  ssmMock.on(GetParametersByPathCommand).resolves({
    Parameters: [
      {
        Name: '/rolebroker/grants/audit',
        Type: 'SecureString',
        Value: JSON.stringify({
          roleArn: ROLE,
          externalId: EXTERNAL_ID,
          principals: ['arn:aws:iam::111111111111:role/audit-*'],
        }),
      },
    ],
  });
  stsMock.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIAEXAMPLE',
      SecretAccessKey: SECRET_KEY,
      SessionToken: TOKEN,
      Expiration: new Date(Date.now() + 900_000),
    },
    AssumedRoleUser: {
      AssumedRoleId: 'AROA:x',
      Arn: 'arn:aws:sts::222222222222:assumed-role/AuditReadOnly/x',
    },
  });
});

afterEach(() => {
  ssmMock.reset();
  stsMock.reset();
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const call = async (body: unknown, userArn: string | null = CALLER) => {
  const res = await handler(restEvent({ body: body as object, userArn }), lambdaContext());
  return { status: res.statusCode, json: JSON.parse(res.body), headers: res.headers ?? {} };
};

describe('credentials function', () => {
  it('issues credentials in the assume-role output shape', async () => {
    const res = await call({ roleArn: ROLE });
    expect(res.status).toBe(200);
    expect(res.json.Credentials.SecretAccessKey).toBe(SECRET_KEY);
    expect(res.json.Grant).toBe('audit');
    expect(res.headers['Cache-Control']).toBe('no-store');
  });

  it('makes zero SSM calls on a warm request inside the TTL', async () => {
    await call({ roleArn: ROLE });
    ssmMock.resetHistory();
    stsMock.resetHistory();
    await call({ roleArn: ROLE });
    expect(ssmMock.commandCalls(GetParametersByPathCommand)).toHaveLength(0);
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it.each([
    ['malformed JSON', '{', 400],
    ['an unknown field', { roleArn: ROLE, externalId: 'x' }, 400],
    ['a bad ARN', { roleArn: 'arn:aws:iam::1:role/x' }, 400],
    ['an oversized body', { roleArn: ROLE, x: 'y'.repeat(17_000) }, 413],
  ])('answers %s with a JSON 4xx and a request id', async (_what, body, status) => {
    const res = await call(body);
    expect(res.status).toBe(status);
    expect(res.json.error.requestId).toMatch(/^req-/);
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('refuses serverless-offline placeholder identities in iam mode', async () => {
    const res = await call({ roleArn: ROLE }, 'offlineContext_userArn');
    expect(res.status).toBe(401);
  });

  it('answers 403 for a caller outside the grant', async () => {
    const res = await call({ roleArn: ROLE }, 'arn:aws:sts::111111111111:assumed-role/deploy/i-1');
    expect(res.status).toBe(403);
  });

  it('answers a bug as a bare 500 without detail', async () => {
    stsMock.on(AssumeRoleCommand).callsFake(() => {
      throw new TypeError(`boom ${SECRET_KEY}`);
    });
    const res = await call({ roleArn: ROLE });
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.json)).not.toContain(SECRET_KEY);
  });

  it('answers 503, not 500, when AWS is still busy as the Lambda runs out of time', async () => {
    stsMock.on(AssumeRoleCommand).callsFake(() => new Promise(() => undefined));
    const context = { ...lambdaContext(), getRemainingTimeInMillis: () => 700 };
    const started = Date.now();
    const res = await handler(restEvent({ body: { roleArn: ROLE }, userArn: CALLER }), context);
    expect(Date.now() - started).toBeLessThan(650);
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe('Unavailable');
  });

  it('never writes an external ID, secret key or session token to the logs', async () => {
    logs = [];
    await call({ roleArn: ROLE });
    await call({ roleArn: ROLE }, 'arn:aws:sts::111111111111:assumed-role/deploy/i-1');
    stsMock.on(AssumeRoleCommand).rejects(
      Object.assign(new Error(`denied ${EXTERNAL_ID}`), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await call({ roleArn: ROLE });
    const all = logs.join('');
    expect(all).toContain('credentials issued');
    expect(all).toContain('request failed upstream');
    for (const secret of [EXTERNAL_ID, SECRET_KEY, TOKEN]) expect(all).not.toContain(secret);
  });
});

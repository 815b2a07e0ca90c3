import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamRefused, ValidationError } from '../../../lib/errors';
import { type Grant, parseGrant } from '../../../lib/grants';
import { createIssuer } from '../../../lib/issue';
import { parseCallerArn } from '../../../lib/principals';

// STS's own query-protocol error bodies, served on 127.0.0.1, so the SDK's deserializer names
// the error (never a hand-built error object).
const SECRET_TEXT = 'upstream-text-that-must-not-be-echoed';
let answer = { code: 'MalformedPolicyDocument', message: SECRET_TEXT };
let server: Server;
let endpoint = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'Content-Type': 'text/xml' });
      res.end(
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
          `<Error><Type>Sender</Type><Code>${answer.code}</Code><Message>${answer.message}</Message></Error>` +
          '<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const caller = parseCallerArn('arn:aws:sts::111111111111:assumed-role/app/job-1');
if (!caller) throw new Error('fixture');
const POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
};
const grant = (extra: object = {}): Grant => {
  const r = parseGrant(
    'g',
    JSON.stringify({
      roleArn: 'arn:aws:iam::222222222222:role/Target',
      principals: ['111111111111'],
      ...extra,
    }),
    'aws',
  );
  if (!r.ok) throw new Error(r.reason);
  return r.grant;
};
const sts = () =>
  new STSClient({
    region: 'eu-west-1',
    endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
const issue = (g: Grant, callerPolicy?: Record<string, unknown>) =>
  createIssuer({ sts: sts(), stsFor: sts }).issue({
    grant: g,
    caller,
    durationSeconds: 900,
    ...(callerPolicy ? { callerPolicy } : {}),
  });
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
};

describe('STS refusing a session policy, as the SDK deserializes it', () => {
  it.each([
    ['MalformedPolicyDocument', SECRET_TEXT],
    ['PackedPolicyTooLarge', SECRET_TEXT],
    [
      'ValidationError',
      `1 validation error detected: Value '${SECRET_TEXT}' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048`,
    ],
  ])("answers STS's %s for a caller's policy with 400, without its text", async (code, message) => {
    answer = { code, message };
    const error = await failure(issue(grant(), POLICY));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/^sessionPolicy was rejected by STS/);
    expect(error.message).not.toContain(SECRET_TEXT);
  });

  it("keeps STS's other ValidationErrors (the role's MaxSessionDuration) a 502", async () => {
    answer = {
      code: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    };
    expect(await failure(issue(grant(), POLICY))).toBeInstanceOf(UpstreamRefused);
  });

  it("keeps STS refusing the grant's own policy a 502 (the operator's fault, not the caller's)", async () => {
    answer = { code: 'MalformedPolicyDocument', message: SECRET_TEXT };
    expect(await failure(issue(grant({ sessionPolicy: POLICY })))).toBeInstanceOf(UpstreamRefused);
  });
});

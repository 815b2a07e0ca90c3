import { describe, expect, it } from 'vitest';
import { PayloadTooLarge, ValidationError } from '../../../lib/errors';
import { parseCredentialsRequest, parseRolesRequest } from '../../../lib/http';

const ROLE = 'arn:aws:iam::222222222222:role/AuditReadOnly';
const parse = (body: unknown, isBase64Encoded = false) =>
  parseCredentialsRequest({
    body: typeof body === 'string' || body === null ? body : JSON.stringify(body),
    isBase64Encoded,
  });

describe('POST /credentials body', () => {
  it('accepts the contract example', () => {
    expect(parse({ roleArn: ROLE, grant: 'audit', durationSeconds: 900 })).toEqual({
      roleArn: ROLE,
      grant: 'audit',
      durationSeconds: 900,
    });
  });

  it('decodes a base64-encoded body', () => {
    expect(
      parse(Buffer.from(JSON.stringify({ roleArn: ROLE })).toString('base64'), true).roleArn,
    ).toBe(ROLE);
  });

  it.each([
    [
      'a __proto__ key',
      '{"roleArn":"arn:aws:iam::222222222222:role/AuditReadOnly","__proto__":{"x":1}}',
      /__proto__/,
    ],
    ['a roleArn that is a number', { roleArn: 42 }, /roleArn: expected string/],
    ['a fractional duration', { roleArn: ROLE, durationSeconds: 900.5 }, /durationSeconds/],
    ['a duration given as a string', { roleArn: ROLE, durationSeconds: '900' }, /durationSeconds/],
    ['a null sessionPolicy', { roleArn: ROLE, sessionPolicy: null }, /sessionPolicy/],
    [
      'a statement that is not an object',
      { roleArn: ROLE, sessionPolicy: { Version: '2012-10-17', Statement: ['x'] } },
      /Statement/,
    ],
  ])('refuses %s, naming the field', (_what, body, message) => {
    expect(() => parse(body)).toThrow(message);
  });

  it.each([false, 0, true, 1])(
    'refuses a body that reaches the handler as %j, not a string',
    (b) => {
      expect(() =>
        parseCredentialsRequest({ body: b as unknown as string, isBase64Encoded: false }),
      ).toThrow(ValidationError);
    },
  );

  it('answers 413 for a body over 16 KiB', () => {
    expect(() => parse({ roleArn: ROLE, pad: 'x'.repeat(16 * 1024) })).toThrow(PayloadTooLarge);
  });

  it.each([
    ['a missing body', null],
    ['an empty body', ''],
    ['malformed JSON', '{"roleArn":'],
    ['a JSON array', '[]'],
    ['a JSON string', '"x"'],
    ['JSON null', 'null'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1')],
  ])('refuses %s', (_what, body) => {
    expect(() => parse(body)).toThrow(ValidationError);
  });

  it('refuses invalid UTF-8 bytes', () => {
    expect(() => parse(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]).toString('base64'), true)).toThrow(
      ValidationError,
    );
  });

  it('refuses an unknown field', () => {
    expect(() => parse({ roleArn: ROLE, externalId: 'mine' })).toThrow(/externalId|Unrecognized/);
  });

  it('refuses a missing roleArn', () => {
    expect(() => parse({})).toThrow(ValidationError);
  });

  it.each([
    'arn:aws:iam::222222222222:user/bob',
    'arn:aws:iam::*:role/x',
    'arn:aws:iam::222222222222:role/*',
    'arn:aws:iam::222222222222:role/x ',
    'arn:aws:iam::222222222222:role/x\n',
    'arn:aws:iam::22222222222:role/x',
    'arn:aws:iam:eu-west-1:222222222222:role/x',
    'arn:aws-xx:iam::222222222222:role/x',
  ])('refuses roleArn %j', (roleArn) => {
    expect(() => parse({ roleArn })).toThrow(ValidationError);
  });

  // Issue 12 (6): the parser checks only a chained session's absolute bounds, 900..3600 (it
  // let 4000 through, and named 86400); the grant's own maximum is authorize()'s to name.
  it("leaves the upper duration bound to the grant up to 3600, a chained session's ceiling", () => {
    expect(parse({ roleArn: ROLE, durationSeconds: 3600 }).durationSeconds).toBe(3600);
    expect(parse({ roleArn: ROLE, durationSeconds: 'max' }).durationSeconds).toBe('max');
  });

  it.each([899, 3601, 4000, 86_400])('refuses durationSeconds %j with the one rule', (d) => {
    expect(() => parse({ roleArn: ROLE, durationSeconds: d })).toThrow(
      "durationSeconds: must be 900..3600 seconds or max (the grant's maximum decides)",
    );
  });

  it('refuses a deeply nested session policy with 400, not a stack overflow', () => {
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    const body = `{"roleArn":"${ROLE}","sessionPolicy":{"Version":"2012-10-17","Statement":[{"a":${deep}}]}}`;
    expect(body.length).toBeLessThan(16 * 1024);
    expect(() => parse(body)).toThrow(ValidationError);
  });

  it('refuses a body nested deeper than the parser can go with 400', () => {
    expect(() => parse(`${'['.repeat(8000)}${']'.repeat(8000)}`)).toThrow(ValidationError);
  });

  it.each([899, 3601, 900.5, '900', null])('refuses durationSeconds %j', (durationSeconds) => {
    expect(() => parse({ roleArn: ROLE, durationSeconds })).toThrow(ValidationError);
  });

  it('refuses a grant name with a slash', () => {
    expect(() => parse({ roleArn: ROLE, grant: 'a/b' })).toThrow(ValidationError);
  });

  it('refuses a session policy that is not a policy document', () => {
    expect(() => parse({ roleArn: ROLE, sessionPolicy: { Statement: 'x' } })).toThrow(
      ValidationError,
    );
  });

  it('refuses a session policy over the STS size limit', () => {
    const sessionPolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Resource: 'x'.repeat(3000) }],
    };
    expect(() => parse({ roleArn: ROLE, sessionPolicy })).toThrow(ValidationError);
  });

  it('does not echo field values in its messages', () => {
    expect(() => parse({ roleArn: 'arn:aws:iam::222222222222:user/s3cr3t-value' })).not.toThrow(
      /s3cr3t/,
    );
  });
});

describe('GET /roles request', () => {
  it('accepts a bare GET', () => {
    expect(() => parseRolesRequest({ body: null, queryStringParameters: null })).not.toThrow();
  });

  it.each([
    ['a query parameter', { body: null, queryStringParameters: { a: 'b' } }],
    [
      'an HTTP API query string',
      { body: null, queryStringParameters: null, rawQueryString: 'a=b' },
    ],
    ['a body', { body: '{}', queryStringParameters: null }],
  ])('refuses %s', (_name, event) => {
    expect(() => parseRolesRequest(event)).toThrow(ValidationError);
  });
});

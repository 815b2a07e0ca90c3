import { describe, expect, it } from 'vitest';
import { ANSWER_REASONS, type AnswerReason } from '../../../lib/auth/reasons';
import { callerArnFromAnswer } from '../../../lib/auth/sts-answer';
import type { SendResponse } from '../../../lib/auth/sts-transport';
import { Throttled, Unauthenticated, Unavailable } from '../../../lib/errors';
import { CALLER, OK_XML } from './tokens';

const xml = (statusCode: number, body: string, headers = {}): SendResponse => ({
  statusCode,
  headers: { 'content-type': 'text/xml', ...headers },
  body,
});
const json = (statusCode: number, body: unknown): SendResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
/** Real STS's answer to Accept: application/json (kubernetes-sigs/aws-iam-authenticator). */
const stsJson = (arn: unknown) =>
  json(200, {
    GetCallerIdentityResponse: {
      GetCallerIdentityResult: { Account: '111111111111', Arn: arn, UserId: 'AROA:job-1' },
      ResponseMetadata: { RequestId: '01234567-89ab-cdef-0123-456789abcdef' },
    },
  });
/** An STS error as JSON (what trufflehog's AWS detector reads) and as XML (moto, default). */
const jsonError = (statusCode: number, code: string) =>
  json(statusCode, { Error: { Code: code, Message: 'refused' } });
const xmlError = (statusCode: number, code: string) =>
  xml(
    statusCode,
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>refused</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
  );

interface Case {
  name: string;
  reason: AnswerReason;
  answer: SendResponse;
}

/** At least one answer per rule; the last test checks that no reason is left out. */
const CASES: Case[] = [
  {
    name: 'an answer over 64 KiB',
    reason: 'answer-too-large',
    answer: xml(200, `${OK_XML}${' '.repeat(70 * 1024)}`),
  },
  {
    name: 'a 302 redirect',
    reason: 'sts-redirected',
    answer: xml(302, '', { location: 'https://evil.example/' }),
  },
  {
    name: 'a 307 redirect',
    reason: 'sts-redirected',
    answer: xml(307, '', { location: 'https://evil.example/' }),
  },
  {
    name: 'SignatureDoesNotMatch as JSON',
    reason: 'sts-refused',
    answer: jsonError(403, 'SignatureDoesNotMatch'),
  },
  {
    name: 'InvalidClientTokenId as JSON',
    reason: 'sts-refused',
    answer: jsonError(403, 'InvalidClientTokenId'),
  },
  { name: 'ExpiredToken as JSON', reason: 'sts-refused', answer: jsonError(400, 'ExpiredToken') },
  {
    name: 'SignatureDoesNotMatch as XML',
    reason: 'sts-refused',
    answer: xmlError(403, 'SignatureDoesNotMatch'),
  },
  { name: 'AccessDenied as XML', reason: 'sts-refused', answer: xmlError(403, 'AccessDenied') },
  { name: 'a 404', reason: 'sts-refused', answer: xml(404, '') },
  { name: 'a 1xx', reason: 'sts-refused', answer: xml(101, '') },
  {
    name: 'JSON that does not parse',
    reason: 'answer-no-caller-arn',
    answer: json(200, '{"GetCallerIdentityResponse":'),
  },
  {
    name: 'JSON without the result',
    reason: 'answer-no-caller-arn',
    answer: json(200, { GetCallerIdentityResponse: {} }),
  },
  { name: 'a JSON Arn that is a number', reason: 'answer-no-caller-arn', answer: stsJson(1) },
  {
    name: 'a JSON wildcard ARN',
    reason: 'answer-no-caller-arn',
    answer: stsJson('arn:aws:iam::111111111111:user/*'),
  },
  {
    name: 'XML with two Arn elements',
    reason: 'answer-no-caller-arn',
    answer: xml(200, OK_XML.replace('</Arn>', `</Arn><Arn>${CALLER}</Arn>`)),
  },
  {
    name: 'XML without a GetCallerIdentityResponse',
    reason: 'answer-no-caller-arn',
    answer: xml(200, `<AssumeRoleResponse><Arn>${CALLER}</Arn></AssumeRoleResponse>`),
  },
  {
    name: 'an XML ARN with a newline',
    reason: 'answer-no-caller-arn',
    answer: xml(200, OK_XML.replace(`${CALLER}</Arn>`, `${CALLER}\n</Arn>`)),
  },
  {
    name: 'an ARN that is not a principal',
    reason: 'answer-no-caller-arn',
    answer: xml(200, OK_XML.replace(CALLER, 'offline')),
  },
];

describe("reading STS's answer", () => {
  it('reads the caller ARN from JSON, as real STS answers Accept: application/json', () => {
    expect(callerArnFromAnswer(stsJson(CALLER))).toBe(CALLER);
  });

  it('reads the caller ARN from XML, as moto answers whatever the Accept', () => {
    expect(callerArnFromAnswer(xml(200, OK_XML))).toBe(CALLER);
  });

  it('goes by the content type: a JSON body labelled text/plain is read as XML', () => {
    const answer = { ...stsJson(CALLER), headers: { 'content-type': 'text/plain' } };
    expect(() => callerArnFromAnswer(answer)).toThrow(
      expect.objectContaining({ reason: 'answer-no-caller-arn' }),
    );
  });

  it.each([
    ['Throttling as JSON', jsonError(400, 'Throttling')],
    ['Throttling as XML', xmlError(400, 'Throttling')],
    ['a 429', xml(429, '')],
  ])('answers 429 for %s', (_name, answer) => {
    let error: unknown;
    try {
      callerArnFromAnswer(answer);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Throttled);
    expect(error).toMatchObject({ retryAfterSeconds: 2 });
  });

  it.each([500, 502, 503])('answers 503 for a %i', (status) => {
    expect(() => callerArnFromAnswer(xmlError(status, 'InternalFailure'))).toThrow(Unavailable);
  });

  it.each(CASES)('refuses $name: $reason', (c) => {
    let error: unknown;
    try {
      callerArnFromAnswer(c.answer);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Unauthenticated);
    expect(error).toMatchObject({ reason: c.reason, statusCode: 401 });
  });

  it('has a case for every answer reason', () => {
    expect([...new Set(CASES.map((c) => c.reason))].sort()).toEqual([...ANSWER_REASONS].sort());
  });
});

/** sts mode: an allowlisted STS endpoint that answers badly (hostile-input.test.ts). */
import { ARNS } from '../../../scripts/seed';
import { ACCT, type Answer, fx, gciXml, reply } from './runner';

export interface FakeStsCase {
  name: string;
  answer: () => Answer;
}

export const FAKE_STS_CASES: FakeStsCase[] = [
  {
    name: '302 redirect to another server is not followed',
    answer: () => reply(302, '', { Location: `${fx.redirectTarget.origin}/` }),
  },
  {
    name: '307 redirect to another server is not followed',
    answer: () => reply(307, '', { Location: `${fx.redirectTarget.origin}/` }),
  },
  {
    name: '200 with a wildcard caller ARN',
    answer: () => reply(200, gciXml(`arn:aws:iam::${ACCT}:user/*`)),
  },
  {
    name: '200 with two Arn elements',
    answer: () =>
      reply(
        200,
        gciXml(ARNS.demoCaller).replace('</Arn>', `</Arn><Arn>${ARNS.demoOutsider}</Arn>`),
      ),
  },
  {
    name: '200 with a caller ARN containing a newline',
    answer: () => reply(200, gciXml(`${ARNS.demoCaller}\n`)),
  },
  {
    name: '200 with an answer over 64 KiB',
    answer: () => reply(200, `${gciXml(ARNS.demoCaller)}${' '.repeat(70 * 1024)}`),
  },
  {
    name: '200 JSON content type with an unparsable body',
    answer: () =>
      reply(200, `{"GetCallerIdentityResponse":`, { 'Content-Type': 'application/json' }),
  },
  {
    name: '200 without a GetCallerIdentityResponse',
    answer: () =>
      reply(200, `<AssumeRoleResponse><Arn>${ARNS.demoCaller}</Arn></AssumeRoleResponse>`),
  },
  {
    name: "400 ValidationError (caused by the token) is the caller's fault, not an outage",
    answer: () =>
      reply(400, '<ErrorResponse><Error><Code>ValidationError</Code></Error></ErrorResponse>'),
  },
  {
    name: "415 unsupported media type is the caller's fault, not an outage",
    answer: () =>
      reply(415, '{"__type":"UnsupportedMediaType"}', { 'Content-Type': 'application/json' }),
  },
  {
    name: "404 for the signed request is the caller's fault, not an outage",
    answer: () => reply(404, ''),
  },
  {
    name: '403 from the endpoint',
    answer: () =>
      reply(403, '<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>'),
  },
];

/** iam mode: hostile caller ARNs in the request context (hostile-input.test.ts). */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ACCT, demo, encode, signed } from './runner';

export interface IamCase {
  name: string;
  userArn: unknown;
  status?: 401 | 403;
  /** Adjust the event further (identity missing, authorizer filled in, ...). */
  tweak?: (event: APIGatewayProxyEvent) => void | Promise<void>;
}

export const IAM_CASES: IamCase[] = [
  { name: 'null userArn', userArn: null },
  {
    name: 'identity without a userArn key',
    userArn: null,
    tweak: (e) => {
      delete (e.requestContext.identity as { userArn?: unknown }).userArn;
    },
  },
  {
    name: 'no identity and no authorizer',
    userArn: null,
    tweak: (e) => {
      delete (e.requestContext as { identity?: unknown }).identity;
    },
  },
  {
    name: 'null identity userArn with a caller-fillable authorizer.iam.userArn',
    userArn: null,
    tweak: (e) => {
      (e.requestContext as { authorizer: unknown }).authorizer = { iam: { userArn: demo } };
    },
  },
  {
    name: 'a valid X-RoleBroker-Identity header does not count in iam mode',
    userArn: null,
    tweak: async (e) => {
      e.headers['X-RoleBroker-Identity'] = encode(await signed());
    },
  },
  { name: 'serverless-offline placeholder', userArn: 'offlineContext_userArn' },
  { name: 'empty string', userArn: '' },
  { name: 'bare *', userArn: '*' },
  { name: 'user/* wildcard', userArn: `arn:aws:iam::${ACCT}:user/*` },
  { name: 'account wildcard', userArn: 'arn:aws:iam::*:user/demo-caller' },
  { name: 'assumed-role/*/* wildcard', userArn: `arn:aws:sts::${ACCT}:assumed-role/*/*` },
  { name: '? wildcard in the user name', userArn: `arn:aws:iam::${ACCT}:user/demo-?aller` },
  { name: 'trailing newline', userArn: `${demo}\n` },
  { name: 'trailing NUL', userArn: `${demo}\u0000` },
  { name: 'Cyrillic homoglyph', userArn: demo.replace('demo', 'dem\u043e') },
  { name: 'fullwidth colon', userArn: demo.replace('iam:', 'iam\uff1a') },
  { name: 'RTL override', userArn: `arn:aws:iam::${ACCT}:user/\u202erellac-omed` },
  { name: 'trailing junk', userArn: `${demo}:junk` },
  { name: 'group ARN', userArn: `arn:aws:iam::${ACCT}:group/admins` },
  { name: 'role ARN without a name', userArn: `arn:aws:iam::${ACCT}:role/` },
  { name: 'one-character session name', userArn: `arn:aws:sts::${ACCT}:assumed-role/demo/x` },
  { name: 'number', userArn: 111111111111 },
  { name: 'object', userArn: { arn: demo } },
  { name: 'array', userArn: [demo] },
  {
    name: 'granted user ARN in the aws-cn partition',
    userArn: demo.replace(':aws:', ':aws-cn:'),
    status: 403,
  },
  {
    name: 'granted user ARN in the aws-us-gov partition',
    userArn: demo.replace(':aws:', ':aws-us-gov:'),
    status: 403,
  },
];

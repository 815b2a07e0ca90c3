/** Hostile POST /credentials bodies, run in both auth modes (hostile-input.test.ts). */
import { ARNS } from '../../../scripts/seed';
import { ACCT, b64, json, LIMIT, VALID } from './runner';

export interface BodyCase {
  name: string;
  /** The event's `body` as API Gateway (or serverless-offline) would pass it. */
  body: unknown;
  base64?: boolean;
  status: 400 | 403 | 413;
  echo?: string[];
  /** Text the message must contain (the rule it names). */
  mentions?: string;
}

const withArn = (roleArn: unknown, extra: object = {}) => json({ roleArn, ...extra });
const policy = (statement: unknown, extra: object = {}) => ({
  Version: '2012-10-17',
  Statement: statement,
  ...extra,
});
const ALLOW = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
const deepArrays = (depth: number, inner = '') =>
  `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
const deepObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** A JSON body of exactly `bytes` bytes whose roleArn is padded with `fill`. */
const sized = (bytes: number, fill = 'a') => {
  const head = `{"roleArn":"arn:aws:iam::${ACCT}:role/`;
  const tail = '"}';
  const n = bytes - Buffer.byteLength(head + tail);
  const unit = Buffer.byteLength(fill);
  return `${head}${fill.repeat(Math.floor(n / unit))}${'a'.repeat(n % unit)}${tail}`;
};
const EXT = 'attacker-chosen-external-id-31337';
/** Caller text inside a session policy; a message must never repeat it. */
const PEEK = 'caller-text-31337';
export const BODY_CASES: BodyCase[] = [
  // malformed JSON
  { name: 'unterminated object', body: '{', status: 400 },
  { name: 'truncated after a key', body: '{"roleArn":', status: 400 },
  { name: 'unterminated string', body: `{"roleArn":"${VALID}`, status: 400, echo: [VALID] },
  { name: 'single-quoted JSON', body: `{'roleArn':'${VALID}'}`, status: 400, echo: [VALID] },
  { name: 'unquoted key', body: `{roleArn:"${VALID}"}`, status: 400 },
  { name: 'trailing comma', body: `{"roleArn":"${VALID}",}`, status: 400 },
  { name: 'comment inside JSON', body: `{/* hi */"roleArn":"${VALID}"}`, status: 400 },
  { name: 'two concatenated objects', body: `${withArn(VALID)}${withArn(VALID)}`, status: 400 },
  { name: 'trailing garbage', body: `${withArn(VALID)} ;DROP TABLE grants`, status: 400 },
  { name: 'NaN literal', body: `{"roleArn":"${VALID}","durationSeconds":NaN}`, status: 400 },
  { name: 'hex number', body: `{"roleArn":"${VALID}","durationSeconds":0x384}`, status: 400 },
  { name: 'undefined literal', body: 'undefined', status: 400 },
  { name: 'raw control character in a string', body: `{"roleArn":"${VALID}\u0001"}`, status: 400 },
  { name: 'invalid escape', body: '{"roleArn":"\\x41\\x42"}', status: 400 },
  { name: 'whitespace only', body: ' \n\t\r ', status: 400 },
  { name: 'XML body', body: `<?xml version="1.0"?><roleArn>${VALID}</roleArn>`, status: 400 },
  { name: 'form-urlencoded body', body: `roleArn=${encodeURIComponent(VALID)}`, status: 400 },
  { name: 'JSON hijacking prefix', body: `)]}',\n${withArn(VALID)}`, status: 400 },
  {
    name: 'duplicate key whose last value is a wildcard ARN',
    body: `{"roleArn":"${VALID}","roleArn":"arn:aws:iam::*:role/*"}`,
    status: 400,
  },
  // not an object
  { name: 'empty body', body: '', status: 400 },
  { name: 'null body', body: null, status: 400 },
  { name: 'body already parsed into an object', body: { roleArn: VALID }, status: 400 },
  { name: 'body "null"', body: 'null', status: 400 },
  { name: 'body "[]"', body: '[]', status: 400 },
  { name: 'body "1"', body: '1', status: 400 },
  { name: 'body "\\"s\\""', body: '"s"', status: 400 },
  { name: 'body "true"', body: 'true', status: 400 },
  { name: 'body "{}"', body: '{}', status: 400 },
  { name: 'array wrapping a valid request', body: `[${withArn(VALID)}]`, status: 400 },
  // deep nesting
  { name: 'arrays 8000 deep at top level', body: deepArrays(8000), status: 400 },
  { name: 'objects 2700 deep at top level', body: deepObjects(2700), status: 400 },
  {
    name: 'arrays 7000 deep in sessionPolicy.Statement',
    body: `{"roleArn":"${VALID}","sessionPolicy":{"Version":"2012-10-17","Statement":${deepArrays(7000)}}}`,
    status: 400,
  },
  {
    name: 'objects 2500 deep inside a session policy statement',
    body: `{"roleArn":"${VALID}","sessionPolicy":{"Version":"2012-10-17","Statement":[${deepObjects(2500)}]}}`,
    status: 400,
  },
  {
    name: 'arrays 7000 deep as the sessionPolicy itself',
    body: `{"roleArn":"${VALID}","sessionPolicy":${deepArrays(7000)}}`,
    status: 400,
  },
  { name: 'arrays 7000 deep as roleArn', body: `{"roleArn":${deepArrays(7000)}}`, status: 400 },
  { name: 'arrays 200000 deep (over 16 KiB)', body: deepArrays(200_000), status: 413 },
  {
    name: 'objects 5000 deep in sessionPolicy (over 16 KiB)',
    body: `{"roleArn":"${VALID}","sessionPolicy":{"Version":"2012-10-17","Statement":[${deepObjects(5000)}]}}`,
    status: 413,
  },
  // sizes
  { name: 'body of exactly 16 KiB with a huge roleArn', body: sized(LIMIT), status: 400 },
  { name: 'body of 16 KiB + 1 byte', body: sized(LIMIT + 1), status: 413, mentions: '16384' },
  {
    name: 'under 16 Ki characters but over 16 KiB as UTF-8',
    body: sized(LIMIT + 2, 'é'),
    status: 413,
  },
  {
    name: 'a valid request padded with whitespace past 16 KiB',
    body: `${withArn(VALID)}${' '.repeat(LIMIT)}`,
    status: 413,
  },
  { name: '1 MiB body', body: sized(1024 * 1024), status: 413 },
  {
    name: 'huge grant name',
    body: withArn(VALID, { grant: 'g'.repeat(10_000) }),
    status: 400,
    echo: ['g'.repeat(200)],
  },
  {
    name: 'role name of 65 characters',
    body: withArn(`arn:aws:iam::${ACCT}:role/${'n'.repeat(65)}`),
    status: 400,
    echo: ['n'.repeat(65)],
  },
  {
    name: 'ARN over 2048 characters (long path)',
    body: withArn(`arn:aws:iam::${ACCT}:role/${'p/'.repeat(1100)}x`),
    status: 400,
  },
  // base64 bodies
  {
    name: 'base64 body over 16 KiB decoded',
    body: b64(sized(LIMIT + 1)),
    base64: true,
    status: 413,
  },
  {
    name: 'base64 body over 16 KiB encoded but under decoded',
    body: b64(sized(LIMIT - 400)),
    base64: true,
    status: 400,
  },
  { name: 'base64 garbage', body: '!!!!****$$$$', base64: true, status: 400 },
  {
    name: 'base64 of random bytes',
    body: b64(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff])),
    base64: true,
    status: 400,
  },
  { name: 'plain JSON flagged as base64', body: withArn(VALID), base64: true, status: 400 },
  { name: 'base64 of "null"', body: b64('null'), base64: true, status: 400 },
  {
    name: 'base64 of UTF-16LE JSON with BOM',
    body: Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(withArn(VALID), 'utf16le'),
    ]).toString('base64'),
    base64: true,
    status: 400,
  },
  // non-UTF-8 bytes
  {
    name: 'overlong UTF-8 slash in roleArn',
    body: Buffer.concat([
      Buffer.from(`{"roleArn":"arn:aws:iam::${ACCT}:role`),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('x"}'),
    ]).toString('base64'),
    base64: true,
    status: 400,
  },
  {
    name: 'UTF-8-encoded surrogate (CESU) in roleArn',
    body: Buffer.concat([
      Buffer.from(`{"roleArn":"${VALID}`),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}'),
    ]).toString('base64'),
    base64: true,
    status: 400,
  },
  {
    name: 'truncated multi-byte sequence',
    body: Buffer.concat([Buffer.from(withArn(VALID)), Buffer.from([0xe2, 0x82])]).toString(
      'base64',
    ),
    base64: true,
    status: 400,
  },
  {
    name: 'Latin-1 byte in a string',
    body: Buffer.concat([
      Buffer.from(`{"roleArn":"${VALID}`),
      Buffer.from([0xe9]),
      Buffer.from('"}'),
    ]).toString('base64'),
    base64: true,
    status: 400,
  },
  { name: 'lone surrogate in the event string', body: `{"roleArn":"${VALID}\ud800"}`, status: 400 },
  { name: 'escaped lone surrogate in roleArn', body: `{"roleArn":"${VALID}\\ud800"}`, status: 400 },
  // wrong types
  { name: 'roleArn number', body: json({ roleArn: 1 }), status: 400 },
  { name: 'roleArn true', body: json({ roleArn: true }), status: 400 },
  { name: 'roleArn null', body: json({ roleArn: null }), status: 400 },
  { name: 'roleArn empty string', body: json({ roleArn: '' }), status: 400 },
  { name: 'roleArn array of a valid ARN', body: json({ roleArn: [VALID] }), status: 400 },
  { name: 'roleArn object', body: json({ roleArn: { arn: VALID } }), status: 400 },
  { name: 'grant number', body: withArn(VALID, { grant: 7 }), status: 400 },
  { name: 'grant null', body: withArn(VALID, { grant: null }), status: 400 },
  { name: 'grant array', body: withArn(VALID, { grant: ['local-reader'] }), status: 400 },
  { name: 'grant object', body: withArn(VALID, { grant: {} }), status: 400 },
  {
    name: 'grant with path traversal',
    body: withArn(VALID, { grant: '../audit-readonly' }),
    status: 400,
    echo: ['../audit-readonly'],
  },
  { name: 'durationSeconds string', body: withArn(VALID, { durationSeconds: '900' }), status: 400 },
  {
    name: 'durationSeconds fraction',
    body: withArn(VALID, { durationSeconds: 900.5 }),
    status: 400,
  },
  { name: 'durationSeconds null', body: withArn(VALID, { durationSeconds: null }), status: 400 },
  { name: 'durationSeconds boolean', body: withArn(VALID, { durationSeconds: true }), status: 400 },
  { name: 'durationSeconds array', body: withArn(VALID, { durationSeconds: [900] }), status: 400 },
  {
    name: 'durationSeconds 1e400 (Infinity)',
    body: `{"roleArn":"${VALID}","durationSeconds":1e400}`,
    status: 400,
  },
  {
    name: 'durationSeconds negative',
    body: withArn(VALID, { durationSeconds: -900 }),
    status: 400,
  },
  {
    name: 'durationSeconds 2^53+1',
    body: `{"roleArn":"${VALID}","durationSeconds":9007199254740993}`,
    status: 400,
  },
  {
    name: 'sessionPolicy as a JSON string',
    body: withArn(VALID, { sessionPolicy: json(policy([ALLOW])) }),
    status: 400,
  },
  {
    name: 'sessionPolicy array',
    body: withArn(VALID, { sessionPolicy: [policy([ALLOW])] }),
    status: 400,
  },
  { name: 'sessionPolicy null', body: withArn(VALID, { sessionPolicy: null }), status: 400 },
  { name: 'sessionPolicy number', body: withArn(VALID, { sessionPolicy: 1 }), status: 400 },
  {
    name: 'sessionPolicy Statement string',
    body: withArn(VALID, { sessionPolicy: policy('*') }),
    status: 400,
  },
  {
    name: 'sessionPolicy Statement of numbers',
    body: withArn(VALID, { sessionPolicy: policy([1, 2]) }),
    status: 400,
  },
  {
    name: 'sessionPolicy empty Statement',
    body: withArn(VALID, { sessionPolicy: policy([]) }),
    status: 400,
  },
  {
    // Issue 12: 2008-10-17 is a Version IAM accepts; this case used it as the wrong one.
    name: 'sessionPolicy wrong Version',
    body: withArn(VALID, { sessionPolicy: { ...policy([ALLOW]), Version: '2012-10-18' } }),
    status: 400,
    mentions: 'sessionPolicy.Version',
  },
  // IAM's grammar for a session policy (issue 12): refused before STS, nothing echoed.
  ...(
    [
      ['a Principal', policy([{ ...ALLOW, Principal: { AWS: PEEK } }]), 'Principal'],
      ['a NotPrincipal', policy([{ ...ALLOW, NotPrincipal: PEEK }]), 'Principal'],
      ['a bad Effect', policy([{ ...ALLOW, Effect: PEEK }]), 'Effect'],
      ['no Effect', policy([{ Action: '*', Resource: '*' }]), 'Effect'],
      ['no Action', policy([{ Effect: 'Allow', Resource: '*' }]), 'Action and NotAction'],
      ['Action and NotAction', policy([{ ...ALLOW, NotAction: PEEK }]), 'Action and NotAction'],
      ['no Resource', policy([{ Effect: 'Allow', Action: '*' }]), 'Resource and NotResource'],
      ['an empty Action list', policy([{ ...ALLOW, Action: [] }]), 'Action'],
      ['a NUL in Resource', policy([{ ...ALLOW, Resource: `${PEEK}\u0000` }]), 'Resource'],
      ['an ESC in Action', policy([{ ...ALLOW, Action: `s3:${PEEK}\u001b[2J` }]), 'Action'],
      ['a DEL in Resource', policy([{ ...ALLOW, Resource: `${PEEK}\u007f` }]), 'Resource'],
      [
        'a bidi override in Resource',
        policy([{ ...ALLOW, Resource: `${PEEK}\u202e` }]),
        'Resource',
      ],
      ['an unknown statement key', policy([{ ...ALLOW, [PEEK]: 1 }]), 'Statement.0'],
      ['an unknown policy key', policy([ALLOW], { [PEEK]: 1 }), 'sessionPolicy'],
      ['a Sid with punctuation', policy([{ ...ALLOW, Sid: `${PEEK}!` }]), 'Sid'],
      ['a Condition list', policy([{ ...ALLOW, Condition: [PEEK] }]), 'Condition'],
      [
        'a Condition string',
        policy([{ ...ALLOW, Condition: { StringEquals: PEEK } }]),
        'Condition',
      ],
      [
        'a Condition value object',
        policy([{ ...ALLOW, Condition: { StringEquals: { k: { v: PEEK } } } }]),
        'Condition',
      ],
      ['Statement true', policy(true), 'Statement'],
      ['Statement null', policy(null), 'Statement'],
      ['Statement a list of lists', policy([[ALLOW]]), 'Statement.0'],
      [
        'a __proto__ statement key',
        JSON.parse(
          `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","__proto__":{"Principal":"*"}}]}`,
        ),
        'Statement.0',
      ],
    ] as const
  ).map(
    ([what, sessionPolicy, mentions]): BodyCase => ({
      name: `sessionPolicy with ${what}`,
      body: withArn(VALID, { sessionPolicy }),
      status: 400,
      echo: [PEEK],
      mentions,
    }),
  ),
  // unknown fields
  {
    name: 'unknown field externalId',
    body: withArn(VALID, { externalId: EXT }),
    status: 400,
    echo: [EXT],
    mentions: 'unknown field',
  },
  {
    name: 'unknown field whose name is markup, an RTL override and 2000 characters',
    body: `{"roleArn":"${VALID}","\u202e<script>alert(1)</script>${'k'.repeat(2000)}":1}`,
    status: 400,
    echo: ['<script>', '\u202e', 'kkkkkkkkkk'],
    mentions: 'unknown field 1 not shown',
  },
  {
    name: 'unknown field __proto__',
    body: `{"roleArn":"${VALID}","__proto__":{"externalId":"${EXT}","isAdmin":true}}`,
    status: 400,
    echo: [EXT],
  },
  {
    name: 'unknown field constructor',
    body: `{"roleArn":"${VALID}","constructor":{"prototype":{"externalId":"${EXT}"}}}`,
    status: 400,
    echo: [EXT],
  },
  {
    name: 'unknown field prototype',
    body: withArn(VALID, { prototype: { polluted: EXT } }),
    status: 400,
    echo: [EXT],
  },
  {
    name: 'unknown field toString',
    body: withArn(VALID, { toString: EXT }),
    status: 400,
    echo: [EXT],
  },
  {
    name: 'unknown field sourceIdentity',
    body: withArn(VALID, { sourceIdentity: 'admin-mallory' }),
    status: 400,
    echo: ['admin-mallory'],
  },
  {
    name: 'unknown field roleSessionName',
    body: withArn(VALID, { roleSessionName: 'admin-mallory' }),
    status: 400,
    echo: ['admin-mallory'],
  },
  { name: 'unknown field principals', body: withArn(VALID, { principals: ['*'] }), status: 400 },
  {
    name: 'unknown field sessionPolicyArns',
    body: withArn(VALID, { sessionPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }),
    status: 400,
    echo: ['AdministratorAccess'],
  },
  {
    name: 'case-variant field RoleArn',
    body: json({ RoleArn: VALID }),
    status: 400,
    echo: [VALID],
  },
  // unicode and control characters in ARNs
  { name: 'NUL at the end of roleArn', body: withArn(`${VALID}\u0000`), status: 400 },
  {
    name: 'NUL inside roleArn',
    body: withArn(`arn:aws:iam::${ACCT}:role/rolebroker\u0000-local-reader`),
    status: 400,
  },
  { name: 'trailing newline in roleArn', body: withArn(`${VALID}\n`), status: 400 },
  {
    name: 'CRLF header injection in roleArn',
    body: withArn(`${VALID}\r\nX-Injected: 1`),
    status: 400,
    echo: ['X-Injected'],
  },
  {
    name: 'tab in roleArn',
    body: withArn(`arn:aws:iam::${ACCT}:role/\trolebroker-local-reader`),
    status: 400,
  },
  {
    name: 'RTL override in roleArn',
    body: withArn(`arn:aws:iam::${ACCT}:role/\u202eredaer-lacol-rekorbelor`),
    status: 400,
  },
  {
    name: 'zero-width space in roleArn',
    body: withArn(`arn:aws:iam::${ACCT}:role/rolebroker\u200b-local-reader`),
    status: 400,
  },
  { name: 'BOM before roleArn', body: withArn(`\ufeff${VALID}`), status: 400 },
  {
    name: 'Cyrillic homoglyph in "arn"',
    body: withArn(VALID.replace('arn', '\u0430rn')),
    status: 400,
  },
  {
    name: 'Cyrillic homoglyph in the role name',
    body: withArn(VALID.replace('rolebroker', 'r\u043elebroker')),
    status: 400,
  },
  {
    name: 'fullwidth colon in roleArn',
    body: withArn(VALID.replace('iam:', 'iam\uff1a')),
    status: 400,
  },
  {
    name: 'fullwidth digits in the account',
    body: withArn(`arn:aws:iam::\uff11${ACCT.slice(1)}:role/rolebroker-local-reader`),
    status: 400,
  },
  { name: 'combining character in the role name', body: withArn(`${VALID}e\u0301`), status: 400 },
  { name: 'leading space in roleArn', body: withArn(` ${VALID}`), status: 400 },
  { name: 'trailing space in roleArn', body: withArn(`${VALID} `), status: 400 },
  // trailing junk and malformed ARNs
  { name: 'roleArn with an extra :segment', body: withArn(`${VALID}:junk`), status: 400 },
  { name: 'roleArn with a trailing slash', body: withArn(`${VALID}/`), status: 400 },
  { name: 'roleArn with a query string', body: withArn(`${VALID}?x=1`), status: 400 },
  { name: 'roleArn with a fragment', body: withArn(`${VALID}#frag`), status: 400 },
  {
    name: 'roleArn with a shell suffix',
    body: withArn(`${VALID};rm -rf /`),
    status: 400,
    echo: ['rm -rf'],
  },
  { name: 'roleArn with percent-encoded NUL', body: withArn(`${VALID}%00`), status: 400 },
  {
    name: 'roleArn with an empty path segment',
    body: withArn(`arn:aws:iam::${ACCT}:role//rolebroker-local-reader`),
    status: 400,
  },
  { name: 'upper-case ARN prefix', body: withArn(VALID.replace('arn:', 'ARN:')), status: 400 },
  {
    name: 'unknown partition aws-iso',
    body: withArn(VALID.replace(':aws:', ':aws-iso:')),
    status: 400,
  },
  {
    name: 'roleArn with a region',
    body: withArn(VALID.replace('iam::', 'iam:us-east-1:')),
    status: 400,
  },
  { name: '13-digit account', body: withArn(VALID.replace(ACCT, `${ACCT}1`)), status: 400 },
  { name: 'user ARN instead of a role', body: withArn(ARNS.demoCaller), status: 400 },
  {
    name: 'assumed-role ARN instead of a role',
    body: withArn(`arn:aws:sts::${ACCT}:assumed-role/rolebroker-local-reader/s`),
    status: 400,
  },
  {
    name: 'account root instead of a role',
    body: withArn(`arn:aws:iam::${ACCT}:root`),
    status: 400,
  },
  // wildcard-looking role ARNs
  { name: 'role/*', body: withArn(`arn:aws:iam::${ACCT}:role/*`), status: 400 },
  { name: 'role/?x', body: withArn(`arn:aws:iam::${ACCT}:role/?x`), status: 400 },
  {
    name: 'account wildcard arn:aws:iam::*:role/x',
    body: withArn('arn:aws:iam::*:role/x'),
    status: 400,
  },
  {
    name: 'prefix wildcard role/rolebroker-*',
    body: withArn(`arn:aws:iam::${ACCT}:role/rolebroker-*`),
    status: 400,
  },
  {
    name: 'wildcard in the path role/*/x',
    body: withArn(`arn:aws:iam::${ACCT}:role/*/rolebroker-local-reader`),
    status: 400,
  },
  {
    name: 'partition wildcard',
    body: withArn(`arn:*:iam::${ACCT}:role/rolebroker-local-reader`),
    status: 400,
  },
  { name: 'bare *', body: withArn('*'), status: 400 },
  // well-formed ARNs that no grant names: 403, one message for all
  {
    name: 'granted role in the aws-cn partition',
    body: withArn(VALID.replace(':aws:', ':aws-cn:')),
    status: 403,
  },
  {
    name: 'granted role in the aws-us-gov partition',
    body: withArn(VALID.replace(':aws:', ':aws-us-gov:')),
    status: 403,
  },
  {
    name: 'granted role name with a path',
    body: withArn(`arn:aws:iam::${ACCT}:role/rolebroker/rolebroker-local-reader`),
    status: 403,
  },
  {
    name: 'granted role behind a ../ path',
    body: withArn(`arn:aws:iam::${ACCT}:role/../rolebroker-local-reader`),
    status: 403,
  },
  {
    name: 'granted role name in upper case',
    body: withArn(
      VALID.toUpperCase().replace('ARN:AWS:IAM', 'arn:aws:iam').replace('ROLE/', 'role/'),
    ),
    status: 403,
  },
  { name: 'unknown role', body: withArn(`arn:aws:iam::${ACCT}:role/does-not-exist`), status: 403 },
  {
    name: 'a grant for another role named explicitly',
    body: withArn(VALID, { grant: 'audit-readonly' }),
    status: 403,
  },
  // session policies
  {
    name: 'session policy over the 2048-character STS limit',
    body: withArn(VALID, {
      sessionPolicy: policy([{ ...ALLOW, Resource: `arn:aws:s3:::${'b'.repeat(2100)}/*` }]),
    }),
    status: 400,
    echo: ['b'.repeat(100)],
  },
  {
    name: 'session policy of 200 small statements',
    body: withArn(VALID, { sessionPolicy: policy(Array.from({ length: 200 }, () => ALLOW)) }),
    status: 400,
  },
  {
    name: 'session policy over 16 KiB',
    body: withArn(VALID, { sessionPolicy: policy([{ ...ALLOW, Resource: 'r'.repeat(LIMIT) }]) }),
    status: 413,
  },
  {
    name: 'caller session policy on a grant with sessionPolicyArns (widening)',
    body: json({
      roleArn: ARNS.auditTarget,
      sessionPolicy: policy([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
    }),
    status: 400,
    mentions: 'sessionPolicy',
  },
  // Issue 12 (6): one rule; above a chained session's 3600 the parser refuses, naming it.
  {
    name: 'durationSeconds 3601, above any chained session',
    body: json({ roleArn: ARNS.auditTarget, durationSeconds: 3601 }),
    status: 400,
    mentions: '900..3600 seconds or max',
  },
  {
    name: 'durationSeconds 86400',
    body: json({ roleArn: ARNS.auditTarget, durationSeconds: 86_400 }),
    status: 400,
    mentions: '900..3600 seconds or max',
  },
  {
    name: 'durationSeconds above the grant maximum',
    body: json({ roleArn: ARNS.auditTarget, durationSeconds: 3600 }),
    status: 400,
    mentions: "900..1800 seconds or max (1800 is this grant's maximum)",
  },
];

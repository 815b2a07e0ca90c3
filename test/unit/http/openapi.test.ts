import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  CREDENTIALS_PATH,
  ERROR_CODES,
  HEALTH_PATH,
  IDENTITY_HEADER,
  ROLES_PATH,
  SERVER_ID_HEADER,
} from '../../../lib/contract';
import { AccessDenied, Throttled, ValidationError } from '../../../lib/errors';
import { parseGrant, rolesFor } from '../../../lib/grants';
import { errorResponse, jsonResponse, parseCredentialsRequest } from '../../../lib/http';
import { parseCallerArn } from '../../../lib/principals';

// docs/openapi.yaml is served by nothing; this keeps it true to the handler.
const spec = parseYaml(readFileSync(join(__dirname, '../../../docs/openapi.yaml'), 'utf8'));

const ajv = new Ajv({ strict: false, allErrors: false });
const jsonLength = (data: unknown) => {
  try {
    return JSON.stringify(data).length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
};
// The limits JSON Schema cannot state, as the spec's x-rolebroker-* keywords define them.
ajv.addKeyword({
  keyword: 'x-rolebroker-max-json-length',
  validate: (max: number, data: unknown) => jsonLength(data) <= max,
});
ajv.addKeyword({
  keyword: 'x-rolebroker-max-body-bytes',
  validate: (max: number, data: unknown) =>
    Buffer.byteLength(JSON.stringify(data) ?? '', 'utf8') <= max,
});
ajv.addKeyword({
  keyword: 'x-rolebroker-max-path-length',
  validate: (max: number, data: unknown) => {
    if (typeof data !== 'string') return true;
    const rest = data.slice(data.indexOf(':role/') + ':role/'.length);
    return rest.lastIndexOf('/') + 2 <= max;
  },
});
ajv.addKeyword({
  keyword: 'x-rolebroker-key-pattern',
  validate: (pattern: string, data: unknown) =>
    typeof data !== 'object' ||
    data === null ||
    Object.keys(data).every((k) => new RegExp(pattern).test(k)),
});
ajv.addSchema({ $id: 'openapi', components: spec.components });
const schema = (name: string) =>
  ajv.getSchema(`openapi#/components/schemas/${name}`) as ValidateFunction;
const requestSchema = schema('CredentialsRequest');

const handlerAccepts = (body: unknown) => {
  try {
    parseCredentialsRequest({ body: JSON.stringify(body), isBase64Encoded: false });
    return true;
  } catch {
    return false;
  }
};

const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'AWS', '');
const account = fc.oneof(fc.stringMatching(/^\d{12}$/), fc.stringMatching(/^\d{0,14}$/));
const pathChars = fc.stringMatching(/^[\x21-\x7e]{1,12}$/);
const roleName = fc.oneof(
  fc.stringMatching(/^[\w+=,.@-]{1,64}$/),
  fc.stringMatching(/^[\w+=,.@*?-]{0,70}$/),
);
const roleArn = fc.oneof(
  fc
    .tuple(partition, account, fc.array(pathChars, { maxLength: 3 }), roleName)
    .map(([p, a, path, n]) => `arn:${p}:iam::${a}:role/${path.map((s) => `${s}/`).join('')}${n}`),
  fc
    .tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.integer({ min: 1, max: 600 }))
    .map(([seg, n]) => `arn:aws:iam::111111111111:role/${`${seg}/`.repeat(n)}x`),
  fc.constantFrom(
    'arn:aws:iam::111111111111:user/x',
    'arn:aws:sts::111111111111:assumed-role/x/y',
    'arn:aws:iam::111111111111:role/x\u0000',
    'arn:aws:iam::111111111111:role/ｘ',
    'arn:aws:iam::111111111111:role/x:y',
  ),
  fc.string({ maxLength: 40 }),
);
// IAM's statement grammar (issue 12): each key present or not, valid or not.
const policyText = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('s3:GetObject', '*', 'a\tb\nc\r', 'x\u0000', 'ü', '\u007f'),
);
const policyStrings = fc.oneof(policyText, fc.array(policyText, { maxLength: 2 }), fc.anything());
const conditionValue = fc.oneof(
  policyText,
  fc.integer(),
  fc.boolean(),
  fc.array(fc.oneof(policyText, fc.boolean()), { maxLength: 2 }),
  fc.constant(null),
  fc.object(),
);
const condition = fc.oneof(
  fc.dictionary(policyText, fc.dictionary(policyText, conditionValue, { maxKeys: 2 }), {
    maxKeys: 2,
  }),
  fc.anything(),
);
const statement = fc.oneof(
  fc.record({
    Effect: fc.constantFrom('Allow', 'Deny'),
    Action: fc.string(),
    Resource: fc.string(),
  }),
  fc.record(
    {
      Sid: fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{0,6}$/), policyText),
      Effect: fc.constantFrom('Allow', 'Deny', 'allow', 1),
      Action: policyStrings,
      NotAction: policyStrings,
      Resource: policyStrings,
      NotResource: policyStrings,
      Condition: condition,
      Principal: fc.constantFrom('*', { AWS: '*' }),
      NotPrincipal: fc.constant('*'),
      Other: fc.string(),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const sessionPolicy = fc.oneof(
  // Valid documents around the 2048-character limit.
  fc.integer({ min: 1900, max: 2200 }).map((n) => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'x'.repeat(n) }],
  })),
  fc.record(
    {
      Version: fc.constantFrom('2012-10-17', '2008-10-17', 1),
      Statement: fc.oneof(fc.array(statement, { maxLength: 4 }), statement, fc.anything()),
      Id: fc.string({ maxLength: 3000 }),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const validRoleArn = fc
  .tuple(
    fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'),
    fc.stringMatching(/^\d{12}$/),
    fc.stringMatching(/^[\w+=,.@-]{1,64}$/),
  )
  .map(([p, a, n]) => `arn:${p}:iam::${a}:role/${n}`);
const anyBody = fc.record(
  {
    roleArn: fc.oneof(roleArn, fc.anything()),
    grant: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.-]{1,128}$/), fc.string(), fc.anything()),
    durationSeconds: fc.oneof(
      fc.integer({ min: 0, max: 100_000 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.anything(),
    ),
    sessionPolicy,
    externalId: fc.string(),
    roleARN: fc.string(),
  },
  { requiredKeys: [] },
);
// Mostly valid bodies, so that the limits themselves decide.
const nearlyValidBody = fc.record(
  {
    roleArn: validRoleArn,
    grant: fc.stringMatching(/^[A-Za-z0-9_.-]{0,130}$/),
    durationSeconds: fc.integer({ min: 800, max: 90_000 }),
    sessionPolicy,
  },
  { requiredKeys: ['roleArn'] },
);
const body = fc.oneof(anyBody, nearlyValidBody);

describe('docs/openapi.yaml', () => {
  it('accepts exactly the request bodies the handler accepts', () => {
    fc.assert(
      fc.property(body, (b) => {
        expect(requestSchema(b)).toBe(handlerAccepts(b));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    [{ roleArn: 'arn:aws:iam::222222222222:role/rolebroker/AuditReadOnly' }, true],
    [{ roleArn: 'arn:aws-cn:iam::222222222222:role/x', grant: 'g', durationSeconds: 900 }, true],
    [{ roleArn: 'arn:aws:iam::222222222222:role/*' }, false],
    [{ roleArn: 'arn:aws:iam::222222222222:role/x', grant: 'g'.repeat(128) }, true],
    [{ roleArn: 'arn:aws:iam::222222222222:role/x', grant: 'g'.repeat(129) }, false],
    [{ roleArn: 'arn:aws:iam::222222222222:role/x', externalId: 'mine' }, false],
    [{ roleArn: 'arn:aws:iam::222222222222:role/x', durationSeconds: 899 }, false],
    // Issue 12 (6): 3600 is the ceiling (it was 86400).
    [{ roleArn: 'arn:aws:iam::222222222222:role/x', durationSeconds: 3600 }, true],
    [{ roleArn: 'arn:aws:iam::222222222222:role/x', durationSeconds: 3601 }, false],
    [{ roleArn: 'arn:aws:iam::222222222222:role/x', durationSeconds: 86_400 }, false],
    [{ roleArn: 'arn:aws:iam::222222222222:role/x', durationSeconds: 'max' }, true],
    [{ roleArn: 'arn:aws:iam::222222222222:role/x', durationSeconds: 'MAX' }, false],
    [{ roleArn: 'arn:aws:iam::222222222222:role/x', durationSeconds: 'longest' }, false],
    [{ roleArn: `arn:aws:iam::222222222222:role/${'p/'.repeat(256)}x` }, false],
    [
      {
        roleArn: 'arn:aws:iam::222222222222:role/x',
        sessionPolicy: { Version: '2012-10-17', Statement: [{ Resource: 'x'.repeat(2100) }] },
      },
      false,
    ],
  ])('agrees with the handler on %j', (b, ok) => {
    expect(handlerAccepts(b)).toBe(ok);
    expect(requestSchema(b)).toBe(ok);
  });

  it("describes the handler's responses", () => {
    const credentials = {
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLEEXAMPLE',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: '2026-01-01T00:15:00Z',
      },
      AssumedRoleUser: {
        AssumedRoleId: 'AROAEXAMPLE:audit-x.sess-cb1a4f3869f2fdb0',
        Arn: 'arn:aws:sts::222222222222:assumed-role/AuditReadOnly/audit-x.sess-cb1a4f3869f2fdb0',
      },
      SourceIdentity: 'audit-x.sess-cb1a4f3869f2fdb0',
      Grant: 'audit',
    };
    expect(schema('Credentials')(JSON.parse(jsonResponse(200, credentials).body))).toBe(true);
    for (const error of [
      new ValidationError('roleArn: is required'),
      new AccessDenied('no grant allows this caller to assume this role'),
      new Throttled('slow down', { retryAfterSeconds: 2 }),
      new Error('bug'),
    ]) {
      const res = errorResponse(error, 'req-1');
      expect(schema('Error')(JSON.parse(res.body))).toBe(true);
      expect(String(res.statusCode)).toMatch(/^(400|403|429|500)$/);
    }
  });

  it('describes what GET /roles answers', () => {
    const parsed = parseGrant(
      'deploy',
      JSON.stringify({
        roleArn: 'arn:aws:iam::222222222222:role/deploy',
        externalId: 'ext-secret',
        principals: ['arn:aws:iam::111111111111:user/alice'],
        via: ['arn:aws:iam::333333333333:role/hub'],
      }),
      'aws',
    );
    const alice = parseCallerArn('arn:aws:iam::111111111111:user/alice');
    if (!parsed.ok || !alice) throw new Error('fixture');
    const body = { roles: rolesFor([parsed.grant], alice) };
    expect(body.roles).toHaveLength(1);
    expect(schema('Roles')(JSON.parse(jsonResponse(200, body).body))).toBe(true);
    expect(schema('Roles')({ roles: [{ ...body.roles[0], externalId: 'x' }] })).toBe(false);
  });

  it('describes the window GET /roles shows for a grant that has one', () => {
    const parsed = parseGrant(
      'oncall',
      JSON.stringify({
        roleArn: 'arn:aws:iam::222222222222:role/deploy',
        principals: ['arn:aws:iam::111111111111:user/alice'],
        notBefore: '2026-05-01T11:00:00+02:00',
        notAfter: '2026-05-01T17:00:00.250Z',
      }),
      'aws',
    );
    const alice = parseCallerArn('arn:aws:iam::111111111111:user/alice');
    if (!parsed.ok || !alice) throw new Error('fixture');
    const body = { roles: rolesFor([parsed.grant], alice, Date.parse('2026-05-01T08:00:00Z')) };
    expect(body.roles[0]).toMatchObject({
      notBefore: '2026-05-01T09:00:00Z',
      notAfter: '2026-05-01T17:00:00.250Z',
    });
    expect(schema('Roles')(JSON.parse(jsonResponse(200, body).body))).toBe(true);
    const zoned = { ...body.roles[0], notAfter: '2026-05-01T19:00:00+02:00' };
    expect(schema('Roles')({ roles: [zoned] })).toBe(false);
  });
});

describe('lib/contract and docs/openapi.yaml', () => {
  it('list the same error codes', () => {
    expect([...ERROR_CODES].sort()).toEqual(
      [...spec.components.schemas.Error.properties.error.properties.code.enum].sort(),
    );
  });

  it('name the same sts-mode identity header', () => {
    expect(spec.components.securitySchemes.stsIdentity.name.toLowerCase()).toBe(IDENTITY_HEADER);
    expect(spec.components.securitySchemes.stsIdentity.description).toMatch(
      new RegExp(SERVER_ID_HEADER, 'i'),
    );
  });

  it('describe the routes the client calls', () => {
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([CREDENTIALS_PATH, HEALTH_PATH, ROLES_PATH]),
    );
  });
});

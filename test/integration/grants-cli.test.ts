import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { type BuildOptions, build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EMULATOR_REGION, freePort } from '../../scripts/emulator';
import { restEvent } from '../../scripts/events';
import { startFaultProxy } from '../../scripts/relay';
import {
  ARNS,
  BROKER_ACCOUNT,
  EXTERNAL_IDS,
  GRANTS,
  PREFIX,
  type SeededWorld,
  seedDemo,
} from '../../scripts/seed';
import { loadBroker, restoreEnv } from '../support/broker';
import { startCli } from '../support/cli-process';
import { lambdaContext } from '../support/events';

// `rolebroker grants` as a real process (this checkout's CLI bundle, built into a temporary
// directory) against moto with IAM checks on; the real broker handlers then show that what
// it wrote is what the broker does.

const endpoint = inject('motoEndpoint');
const dir = mkdtempSync(join(tmpdir(), 'rolebroker-grants-cli-'));
let cli: string;
let world: SeededWorld;
let ssm: SSMClient;
let iam: IAMClient;

/** Every external ID the tests know: none may appear in any output, but where allowed. */
const secrets = new Set<string>(Object.values(EXTERNAL_IDS));
const PLAIN_SECRET = 'plain-string-external-id-77aa01';
secrets.add(PLAIN_SECRET);

const admin = () => world.admins[BROKER_ACCOUNT] as AwsCredentialIdentity;

beforeAll(async () => {
  const bundle = createRequire(import.meta.url)(
    '../../scripts/client-bundle.cjs',
  ) as () => BuildOptions;
  await build({
    ...bundle(),
    entryPoints: { rolebroker: 'lib/cli/bin.ts' },
    outdir: join(dir, 'cli'),
    logLevel: 'silent',
  });
  cli = join(dir, 'cli/rolebroker.mjs');
  world = await seedDemo(endpoint, {
    extraParameters: {
      broken: { value: '{oops' },
      plain: {
        value: JSON.stringify({
          roleArn: ARNS.strictTarget,
          externalId: PLAIN_SECRET,
          principals: [ARNS.demoOutsider],
        }),
        type: 'String',
      },
    },
  });
  const config = { region: EMULATOR_REGION, endpoint, credentials: admin() };
  ssm = new SSMClient(config);
  iam = new IAMClient(config);
}, 120_000);

afterAll(() => {
  ssm?.destroy();
  iam?.destroy();
  restoreEnv();
  rmSync(dir, { recursive: true, force: true });
});

function operatorEnv(credentials: AwsCredentialIdentity = admin()): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: EMULATOR_REGION,
    AWS_ENDPOINT_URL: endpoint,
  };
}

/**
 * Runs `rolebroker ARGS`. No external ID the tests know may be in its output: the only one a
 * command prints is the one --generate-external-id has just made (added to `secrets` after).
 */
async function rolebroker(
  args: string[],
  env = operatorEnv(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  const running = startCli(args, env, cli);
  const code = await running.exited;
  const res = { code, stdout: running.stdout, stderr: running.stderr };
  for (const secret of secrets) expect(res.stdout + res.stderr).not.toContain(secret);
  return res;
}

let fileCount = 0;

function file(name: string, content: string | object): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

async function stored(name: string) {
  const path = `${PREFIX}/grants/${name}`;
  const got = await ssm
    .send(new GetParameterCommand({ Name: path, WithDecryption: true }))
    .catch((error: Error) => {
      if (error.name === 'ParameterNotFound') return undefined;
      throw error;
    });
  if (!got?.Parameter) return undefined;
  const { Parameters } = await ssm.send(
    new DescribeParametersCommand({
      ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [path] }],
    }),
  );
  return {
    value: got.Parameter.Value ?? '',
    json: JSON.parse(got.Parameter.Value ?? 'null'),
    type: got.Parameter.Type,
    version: got.Parameter.Version,
    keyId: Parameters?.[0]?.KeyId,
    description: Parameters?.[0]?.Description,
  };
}

async function names(): Promise<string[]> {
  const out: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(
      new GetParametersByPathCommand({ Path: `${PREFIX}/grants`, Recursive: true, NextToken }),
    );
    out.push(...(page.Parameters ?? []).map((p) => p.Name ?? ''));
    NextToken = page.NextToken;
  } while (NextToken);
  return out.sort();
}

/** The broker's answer to `caller` asking for `roleArn`, with fresh grant caches. */
async function ask(roleArn: string, caller: string = ARNS.demoCaller) {
  const broker = await loadBroker(world, { ROLEBROKER_SESSION_REUSE: 'off' });
  const res = await broker.credentials(
    restEvent({ body: { roleArn }, userArn: caller }),
    lambdaContext(),
  );
  return { status: res.statusCode, json: JSON.parse(res.body) };
}

async function whoAmI(c: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string }) {
  const sts = new STSClient({
    region: EMULATOR_REGION,
    endpoint,
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    },
  });
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  } finally {
    sts.destroy();
  }
}

describe('grants validate', () => {
  it('checks every file offline: 0 all valid, 1 invalid, 2 unreadable', async () => {
    const good = file('good.json', GRANTS['local-reader']);
    const ok = await rolebroker(['grants', 'validate', good], { PATH: process.env.PATH ?? '' });
    expect(ok).toEqual({ code: 0, stdout: `${good}: grant good is valid\n`, stderr: '' });

    const bad = file('bad.json', {
      ...GRANTS['local-reader'],
      principals: ['*'],
      via: 'hub',
      colour: 1,
    });
    const invalid = await rolebroker(['grants', 'validate', good, bad]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain(
      `${bad}: grant bad is invalid (3 problems)\n  unknown field colour\n  via: expected array\n  principals.0: a principal of only wildcards is not allowed\n`,
    );

    const missing = await rolebroker(['grants', 'validate', bad, join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `rolebroker: cannot read ${join(dir, 'nope.json')}: ENOENT: no such file or directory\n`,
    );
  });
});

describe('grants put', () => {
  const OPS = {
    roleArn: ARNS.localTarget,
    externalId: EXTERNAL_IDS.local,
    principals: [ARNS.demoOutsider],
  };

  it('writes a new grant as a SecureString that the broker then serves', async () => {
    expect((await ask(ARNS.localTarget, ARNS.demoOutsider)).status).toBe(403);
    const path = file('ops.json', OPS);
    const res = await rolebroker(['grants', 'put', 'ops-reader', path]);
    expect(res).toEqual({
      code: 0,
      stdout: `wrote grant ops-reader: ${PREFIX}/grants/ops-reader (SecureString, KMS key alias/aws/ssm, version 1)\n`,
      stderr: '',
    });
    expect(await stored('ops-reader')).toMatchObject({
      value: JSON.stringify(OPS, null, 2),
      type: 'SecureString',
      version: 1,
    });
    const issued = await ask(ARNS.localTarget, ARNS.demoOutsider);
    expect(issued.status).toBe(200);
    expect(issued.json.Grant).toBe('ops-reader');
  });

  it('refuses to replace it without --overwrite (SSM refuses, nothing changes)', async () => {
    const res = await rolebroker([
      'grants',
      'put',
      'ops-reader',
      file('ops2.json', { ...OPS, maxDurationSeconds: 900 }),
    ]);
    expect(res).toEqual({
      code: 1,
      stdout: '',
      stderr: `rolebroker: grants put refused: grant ops-reader exists at ${PREFIX}/grants/ops-reader: pass --overwrite to replace it\n`,
    });
    expect((await stored('ops-reader'))?.version).toBe(1);
  });

  it('replaces it with --overwrite and --kms-key-id', async () => {
    const path = file('ops3.json', { ...OPS, maxDurationSeconds: 1800 });
    const res = await rolebroker([
      'grants',
      'put',
      'ops-reader',
      path,
      '--overwrite',
      '--kms-key-id',
      'alias/ops-grants',
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('(SecureString, KMS key alias/ops-grants, version 2)');
    expect(await stored('ops-reader')).toMatchObject({
      json: { ...OPS, maxDurationSeconds: 1800 },
      keyId: 'alias/ops-grants',
      version: 2,
    });
  });

  it('keeps the replaced key and external ID when the file has none', async () => {
    const { externalId: _omit, ...withoutId } = OPS;
    const res = await rolebroker([
      'grants',
      'put',
      'ops-reader',
      file('ops4.json', withoutId),
      '--overwrite',
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      "(SecureString, KMS key alias/ops-grants, version 3, the replaced grant's external ID kept)",
    );
    expect((await stored('ops-reader'))?.json).toEqual(OPS);
    expect((await ask(ARNS.localTarget, ARNS.demoOutsider)).status).toBe(200);
  });

  it.each([
    [
      'an invalid grant',
      ['bad-1', { ...OPS, principals: ['*'] }],
      1,
      'grants put refused: grant bad-1 is invalid, nothing written: principals.0: a principal of only wildcards is not allowed',
    ],
    [
      'a file that is not JSON',
      ['bad-2', '{"roleArn": '],
      1,
      'grants put refused: grant bad-2 is invalid, nothing written: value is not valid JSON',
    ],
    [
      'a principal in another partition than the role',
      ['bad-3', { ...OPS, principals: ['arn:aws-us-gov:iam::111111111111:role/ops'] }],
      1,
      'grants put refused: grant bad-3 is invalid, nothing written: principals.0: is in partition aws-us-gov, roleArn in aws',
    ],
    [
      'a missing file',
      ['bad-4', null],
      2,
      `cannot read ${join(dir, 'missing.json')}: ENOENT: no such file or directory`,
    ],
    [
      'a name with /',
      ['team/ops', OPS],
      2,
      'NAME must match [A-Za-z0-9_.-]{1,128} (a grant name, without /)',
    ],
    [
      'a window that ends before it starts',
      ['bad-5', { ...OPS, notBefore: '2030-01-01T17:00:00Z', notAfter: '2030-01-01T09:00:00Z' }],
      1,
      'grants put refused: grant bad-5 is invalid, nothing written: notAfter: must be after notBefore',
    ],
    [
      'a window that has closed',
      ['bad-6', { ...OPS, notAfter: '2020-01-01T00:00:00Z' }],
      1,
      'grants put refused: grant bad-6: notAfter is in the past, nothing written',
    ],
    ['a name ..', ['..', OPS], 2, 'NAME must not be . or contain ..'],
    ['a name with ..', ['a..b', OPS], 2, 'NAME must not be . or contain ..'],
    [
      'a name over 128 characters',
      ['x'.repeat(129), OPS],
      2,
      'NAME must match [A-Za-z0-9_.-]{1,128} (a grant name, without /)',
    ],
  ] as const)('refuses %s before writing anything', async (_what, [name, content], code, line) => {
    const before = await names();
    const path =
      content === null ? join(dir, 'missing.json') : file(`case-${++fileCount}.json`, content);
    const res = await rolebroker(['grants', 'put', name, path]);
    expect(res.code).toBe(code);
    expect(res.stdout).toBe('');
    expect(res.stderr.split('\n')[0]).toBe(`rolebroker: ${line}`);
    expect(await names()).toEqual(before);
  });

  it('refuses an unknown flag (commander, exit 2) before writing anything', async () => {
    const before = await names();
    const res = await rolebroker(['grants', 'put', 'x', file('x.json', OPS), '--force']);
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n')[0]).toBe("rolebroker: unknown option '--force'");
    expect(await names()).toEqual(before);
  });
});

describe('grants put --generate-external-id', () => {
  const ROLE_NAME = 'rolebroker-generated';
  const ROLE = `arn:aws:iam::${BROKER_ACCOUNT}:role/${ROLE_NAME}`;
  const GRANT = { roleArn: ROLE, principals: [ARNS.demoCaller], sessionTags: { team: 'ops' } };
  let id = '';
  let policy: { Statement: { Principal: { AWS: string | string[] } }[] };

  it('writes a random external ID and prints, on stdout only, the trust policy with it', async () => {
    const res = await rolebroker([
      'grants',
      'put',
      'generated',
      file('generated.json', GRANT),
      '--generate-external-id',
      '--broker-role-arn',
      ARNS.brokerExecRole,
    ]);
    expect(res.code).toBe(0);
    policy = JSON.parse(res.stdout);
    id = (
      policy as unknown as { Statement: { Condition: { StringEquals: Record<string, string> } }[] }
    ).Statement[0]?.Condition.StringEquals['sts:ExternalId'] as string;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    secrets.add(id);
    expect(res.stderr).not.toContain(id);
    expect(res.stderr).toMatch(
      /^rolebroker: wrote grant generated: \/rolebroker\/grants\/generated \(SecureString, KMS key alias\/aws\/ssm, version 1\)\. stdout is the trust policy .* needs, with the grant's new external ID, shown only now\.\n$/,
    );
    expect(JSON.parse(res.stdout)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: ARNS.brokerExecRole },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': id } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: ARNS.brokerExecRole },
          Action: ['sts:SetSourceIdentity', 'sts:TagSession'],
        },
      ],
    });
    const written = await stored('generated');
    expect(written?.json).toEqual({ ...GRANT, externalId: id });
    expect(Object.keys(written?.json)).toEqual([
      'roleArn',
      'externalId',
      'principals',
      'sessionTags',
    ]);
  });

  it('is the external ID the broker then uses: a role trusting another ID refuses, the printed policy works', async () => {
    // moto matches a trust principal with the caller's exact ARN: add the broker's session (seed.ts).
    const withSession = (p: typeof policy, externalId: string) =>
      JSON.stringify(p)
        .replaceAll(
          JSON.stringify(ARNS.brokerExecRole),
          JSON.stringify([ARNS.brokerExecRole, ARNS.brokerSession]),
        )
        .replace(id, externalId);
    await iam.send(
      new CreateRoleCommand({
        RoleName: ROLE_NAME,
        AssumeRolePolicyDocument: withSession(policy, 'another-external-id'),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLE_NAME,
        PolicyName: 'read',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }],
        }),
      }),
    );
    expect((await ask(ROLE)).status).toBe(502);
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: ROLE_NAME,
        PolicyDocument: withSession(policy, id),
      }),
    );
    const issued = await ask(ROLE);
    expect(issued.status).toBe(200);
    expect(await whoAmI(issued.json.Credentials)).toMatch(
      new RegExp(`:assumed-role/${ROLE_NAME}/`),
    );
  });

  it('prints a placeholder for an unknown broker role, and the hub for a chained grant', async () => {
    const placeholder = await rolebroker([
      'grants',
      'put',
      'generated-2',
      file('g2.json', GRANT),
      '--generate-external-id',
    ]);
    expect(placeholder.code).toBe(0);
    expect(JSON.parse(placeholder.stdout).Statement[0].Principal.AWS).toBe(
      'arn:aws:iam::<broker-account-id>:role/rolebroker-<stage>-<region>-lambdaRole',
    );
    expect(placeholder.stderr).toContain(
      "The broker's role ARN is unknown (--broker-role-arn or ROLEBROKER_BROKER_ROLE_ARN): replace the placeholder.",
    );
    secrets.add((await stored('generated-2'))?.json.externalId);

    const fromEnv = await rolebroker(
      [
        'grants',
        'put',
        'generated-3',
        file('g3.json', { ...GRANT, via: [ARNS.hubRole] }),
        '--generate-external-id',
      ],
      { ...operatorEnv(), ROLEBROKER_BROKER_ROLE_ARN: ARNS.brokerExecRole },
    );
    expect(fromEnv.code).toBe(0);
    expect(JSON.parse(fromEnv.stdout).Statement[0].Principal.AWS).toBe(ARNS.hubRole);
    expect(fromEnv.stderr).toContain(
      "It trusts the last hub of via; the hub must trust the broker's role.",
    );
    secrets.add((await stored('generated-3'))?.json.externalId);
  });

  it('refuses a file that already has an external ID, writing nothing', async () => {
    const res = await rolebroker([
      'grants',
      'put',
      'generated-4',
      file('g4.json', { ...GRANT, externalId: EXTERNAL_IDS.unsafe }),
      '--generate-external-id',
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n')[0]).toBe(
      `rolebroker: --generate-external-id: ${join(dir, 'g4.json')} already has an externalId; remove it or drop the flag`,
    );
    expect(await stored('generated-4')).toBeUndefined();
  });
});

describe('grants list', () => {
  it('lists every grant as a table, invalid ones with their problems, no external ID', async () => {
    const res = await rolebroker(['grants', 'list']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const lines = res.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME +ROLE +PRINCIPALS +FLAGS +MODIFIED$/);
    const row = (name: string) => lines.find((l) => l.startsWith(`${name} `))?.split(/\s{2,}/);
    expect(row('local-reader')).toEqual([
      'local-reader',
      ARNS.localTarget,
      GRANTS['local-reader'].principals.join(','),
      'scoped',
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    ]);
    expect(row('deploy-via-hub')?.[3]).toBe('via=1');
    expect(row('plain')?.[3]).toBe('string');
    expect(row('broken')?.slice(1, 4)).toEqual(['-', '-', 'invalid']);
    expect(lines[lines.findIndex((l) => l.startsWith('broken ')) + 1]).toBe(
      '  value is not valid JSON',
    );
  });

  it('lists them as JSON', async () => {
    const res = await rolebroker(['grants', 'list', '--format', 'json']);
    expect(res.code).toBe(0);
    const { prefix, grants } = JSON.parse(res.stdout);
    expect(prefix).toBe(PREFIX);
    const byName = Object.fromEntries(grants.map((g: { name: string }) => [g.name, g]));
    expect(byName['audit-readonly']).toEqual({
      name: 'audit-readonly',
      valid: true,
      roleArn: ARNS.auditTarget,
      principals: [ARNS.demoCaller],
      disabled: false,
      scoped: true,
      via: [],
      type: 'SecureString',
      lastModified: expect.stringMatching(/Z$/),
    });
    expect(byName.broken).toEqual({
      name: 'broken',
      valid: false,
      problems: ['value is not valid JSON'],
      type: 'SecureString',
      lastModified: expect.stringMatching(/Z$/),
    });
    expect(grants.map((g: { name: string }) => g.name).sort()).toEqual(
      (await names()).map((n) => n.slice(`${PREFIX}/grants/`.length)),
    );
  });
});

describe('grants disable and enable', () => {
  it('disable stops the broker for that grant, keeping the rest of it; enable restores it exactly', async () => {
    const before = await stored('local-reader');
    expect((await ask(ARNS.localTarget)).status).toBe(200);

    const off = await rolebroker(['grants', 'disable', 'local-reader']);
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(
      /^disabled grant local-reader \(version 2\): the broker refuses it within ROLEBROKER_GRANTS_TTL_SECONDS/,
    );
    const disabled = await stored('local-reader');
    expect(disabled).toMatchObject({
      json: { ...GRANTS['local-reader'], disabled: true },
      type: 'SecureString',
      keyId: before?.keyId,
    });
    expect((await ask(ARNS.localTarget)).status).toBe(403);

    const again = await rolebroker(['grants', 'disable', 'local-reader']);
    expect(again).toMatchObject({
      code: 0,
      stdout: 'grant local-reader is already disabled: nothing written\n',
    });
    expect((await stored('local-reader'))?.version).toBe(2);
    const listed = await rolebroker(['grants', 'list', '--format', 'json']);
    expect(
      JSON.parse(listed.stdout).grants.find((g: { name: string }) => g.name === 'local-reader')
        .disabled,
    ).toBe(true);

    const on = await rolebroker(['grants', 'enable', 'local-reader']);
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(
      /^enabled grant local-reader \(version 3\): the broker serves it again/,
    );
    expect((await stored('local-reader'))?.value).toBe(before?.value);
    expect((await ask(ARNS.localTarget)).status).toBe(200);
  });

  it('keeps the parameter type, KMS key and description', async () => {
    await ssm.send(
      new PutParameterCommand({
        Name: `${PREFIX}/grants/described`,
        Value: JSON.stringify({ ...GRANTS['audit-readonly'], disabled: false }, null, 4),
        Type: 'SecureString',
        KeyId: 'alias/audit-grants',
        Description: 'audit access for the security team',
      }),
    );
    expect((await rolebroker(['grants', 'disable', 'described'])).code).toBe(0);
    expect(await stored('described')).toMatchObject({
      value: JSON.stringify({ ...GRANTS['audit-readonly'], disabled: true }, null, 4),
      type: 'SecureString',
      keyId: 'alias/audit-grants',
      description: 'audit access for the security team',
    });
    expect((await rolebroker(['grants', 'disable', 'plain'])).code).toBe(0);
    expect(await stored('plain')).toMatchObject({
      type: 'String',
      json: { disabled: true, externalId: PLAIN_SECRET },
    });
  });

  it('refuses a grant that does not exist (exit 1) and a bad name (exit 2)', async () => {
    const missing = await rolebroker(['grants', 'enable', 'no-such-grant']);
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: `rolebroker: grants enable refused: no grant no-such-grant at ${PREFIX}/grants/no-such-grant\n`,
    });
    const bad = await rolebroker(['grants', 'disable', 'a/b']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe(
      'rolebroker: NAME must match [A-Za-z0-9_.-]{1,128} (a grant name, without /)',
    );
  });

  it('refuses to enable a grant whose value is not a JSON object', async () => {
    const res = await rolebroker(['grants', 'enable', 'broken']);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      'rolebroker: grants enable refused: grant broken is not a JSON object: replace it with grants put --overwrite\n',
    );
  });
});

describe("the operator's credentials, region and endpoint", () => {
  it('exits 3 with what is needed when SSM refuses the operator', async () => {
    const outsider = operatorEnv(world.callers.demoOutsider);
    const cases = [
      [['grants', 'list'], 'list', 'ssm:GetParametersByPath and kms:Decrypt'],
      [
        ['grants', 'put', 'denied', file('denied.json', GRANTS['audit-readonly'])],
        'put',
        'ssm:PutParameter and kms:Encrypt',
      ],
      [
        ['grants', 'disable', 'audit-readonly'],
        'disable',
        'ssm:GetParameter, ssm:DescribeParameters',
      ],
    ] as const;
    for (const [args, command, needs] of cases) {
      const res = await rolebroker([...args], outsider);
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(
        new RegExp(
          `^rolebroker: grants ${command} failed: access denied \\(HTTP 403, request id [^)]+\\): the operator's credentials \\(--profile or the default chain\\) need ${needs.replace(/[()]/g, '\\$&')}`,
        ),
      );
    }
    expect(await stored('denied')).toBeUndefined();
  });

  it('gives up on an SSM that never answers: 3 attempts of --aws-timeout, exit 4', async () => {
    const hung = await startFaultProxy(endpoint);
    hung.mode = 'hang';
    try {
      const env = { ...operatorEnv(), AWS_ENDPOINT_URL: hung.endpoint };
      const res = await rolebroker(['grants', 'list', '--aws-timeout', '1'], env);
      expect(res.code).toBe(4);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(
        /^rolebroker: grants list failed: TimeoutError: AWS did not answer within --aws-timeout in 3 attempts; [^\n]+ raise --aws-timeout\n$/,
      );
      expect(hung.count).toBe(3);
    } finally {
      await hung.close();
    }
  }, 30_000);

  it('signs with --profile, takes --region, and refuses to guess a region', async () => {
    writeFileSync(join(dir, 'config'), `[profile ops]\nregion = ${EMULATOR_REGION}\n`);
    writeFileSync(
      join(dir, 'credentials'),
      `[ops]\naws_access_key_id = ${admin().accessKeyId}\naws_secret_access_key = ${admin().secretAccessKey}\n`,
    );
    const base = { PATH: process.env.PATH ?? '', HOME: dir, AWS_ENDPOINT_URL: endpoint };
    const files = {
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    };
    expect(
      (await rolebroker(['grants', 'list', '--profile', 'ops'], { ...base, ...files })).code,
    ).toBe(0);
    const { AWS_REGION: _r, ...noRegion } = operatorEnv();
    expect((await rolebroker(['grants', 'list', '--region', EMULATOR_REGION], noRegion)).code).toBe(
      0,
    );
    const none = await rolebroker(['grants', 'list'], noRegion);
    expect(none.code).toBe(2);
    expect(none.stderr.split('\n')[0]).toBe(
      'rolebroker: no AWS region: pass --region, set AWS_REGION or give the profile one',
    );
    const unknown = await rolebroker(['grants', 'list', '--profile', 'nope'], {
      ...base,
      ...files,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toMatch(
      /^rolebroker: profile nope is not in AWS_CONFIG_FILE/,
    );
  });
});

describe('SSM errors, through the SDK deserializer from a local server', () => {
  let server: Server;
  let url = '';
  let answer: (body: { Value?: string }) => { type: string; message: string };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => {
        raw += d;
      });
      req.on('end', () => {
        const error = answer(JSON.parse(raw || '{}'));
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': 'req-local-1',
        });
        res.end(JSON.stringify({ __type: error.type, message: error.message }));
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('InvalidKeyId is a usage error naming --kms-key-id', async () => {
    answer = () => ({ type: 'InvalidKeyId', message: 'Invalid keyId alias/nope' });
    const res = await rolebroker(
      [
        'grants',
        'put',
        'g',
        file('kms.json', GRANTS['audit-readonly']),
        '--kms-key-id',
        'alias/nope',
      ],
      { ...operatorEnv(), AWS_ENDPOINT_URL: url },
    );
    expect(res).toEqual({
      code: 2,
      stdout: '',
      stderr: 'rolebroker: grants put: SSM refused --kms-key-id (InvalidKeyId)\n',
    });
  });

  it('an error message that quotes the value never shows its external ID', async () => {
    answer = (body) => ({
      type: 'ValidationException',
      message: `Value ${body.Value} failed to satisfy constraint`,
    });
    const res = await rolebroker(
      ['grants', 'put', 'g', file('echo.json', GRANTS['audit-readonly'])],
      { ...operatorEnv(), AWS_ENDPOINT_URL: url },
    );
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(
      /^rolebroker: grants put failed: ValidationException: Value .*\*\*\*.* failed to satisfy constraint\n$/,
    );
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, main } from '../../../lib/cli';
import {
  formatGrantList,
  grantListing,
  invalidListing,
  newExternalId,
  rewriteJson,
  trustPolicy,
} from '../../../lib/cli/run/grants-format';
import { parseGrant } from '../../../lib/grants';

const dir = mkdtempSync(join(tmpdir(), 'rolebroker-grants-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'unit-external-id-5e1f0c';
const ROLE = 'arn:aws:iam::222222222222:role/rolebroker-audit';
const GRANT = {
  roleArn: ROLE,
  externalId: SECRET,
  principals: ['arn:aws:iam::111111111111:role/audit-*'],
};

function file(name: string, content: string | object): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const env: NodeJS.ProcessEnv = { AWS_CONFIG_FILE: join(dir, 'none'), HOME: dir };
  const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env };
  const code = await main(argv, io);
  const res = { code, stdout: out.join(''), stderr: err.join('') };
  expect(res.stdout + res.stderr).not.toContain(SECRET);
  return res;
}

const grantOf = (doc: object, name = 'g') => {
  const r = parseGrant(name, JSON.stringify(doc), 'aws');
  if (!r.ok) throw new Error(r.reason);
  return r.grant;
};

describe('grants validate', () => {
  it('exits 0 for a valid grant, named after its file', async () => {
    const res = await run(['grants', 'validate', file('audit.json', GRANT)]);
    expect(res).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(res.stdout).toBe(`${join(dir, 'audit.json')}: grant audit is valid\n`);
  });

  it('exits 1 listing every problem by field, one per line, never a value', async () => {
    const path = file('bad.json', {
      ...GRANT,
      externalId: `${SECRET} with spaces`,
      principals: ['*', 'arn:aws-cn:iam::111111111111:role/a'],
      maxDurationSeconds: 7200,
      colour: 'red',
    });
    const res = await run(['grants', 'validate', path]);
    expect(res.code).toBe(EXIT.refused);
    expect(res.stdout.split('\n')).toEqual([
      `${path}: grant bad is invalid (5 problems)`,
      '  unknown field colour',
      '  externalId: must be 2-1224 characters of [\\w+=,.@:/-]',
      '  maxDurationSeconds: must be between 900 and 3600',
      '  principals.0: a principal of only wildcards is not allowed',
      '  principals.1: is in partition aws-cn, roleArn in aws',
      '',
    ]);
  });

  it('checks every file, and exits 1 when one of them is invalid', async () => {
    const good = file('one.json', GRANT);
    const bad = file('two.json', '{"roleArn": ');
    const res = await run(['grants', 'validate', good, bad]);
    expect(res.code).toBe(EXIT.refused);
    expect(res.stdout).toContain(`${good}: grant one is valid`);
    expect(res.stdout).toContain(
      `${bad}: grant two is invalid (1 problem)\n  value is not valid JSON\n`,
    );
  });

  it('exits 2 for a file it cannot read, after checking the others', async () => {
    const res = await run(['grants', 'validate', join(dir, 'missing.json'), file('x.json', GRANT)]);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr).toBe(
      `rolebroker: cannot read ${join(dir, 'missing.json')}: ENOENT: no such file or directory\n`,
    );
    expect(res.stdout).toContain('grant x is valid');
  });

  it('refuses a directory and a file over 64 KiB as unreadable', async () => {
    expect((await run(['grants', 'validate', dir])).stderr).toContain('not a file');
    const big = file('big.json', `{"roleArn": "${'x'.repeat(70_000)}"}`);
    expect(await run(['grants', 'validate', big])).toMatchObject({
      code: EXIT.usage,
      stderr: `rolebroker: cannot read ${big}: larger than 64 KiB\n`,
    });
  });

  it('takes the name from --name, and says where a bad file name came from', async () => {
    const path = file('my grant.json', GRANT);
    const named = await run(['grants', 'validate', path, '--name', 'audit']);
    expect(named).toMatchObject({ code: EXIT.ok, stdout: `${path}: grant audit is valid\n` });
    const unnamed = await run(['grants', 'validate', path]);
    expect(unnamed.code).toBe(EXIT.refused);
    expect(unnamed.stdout).toContain(
      'is invalid (1 problem) (the name is the file name without .json; give --name)\n  grant name must match',
    );
  });

  it.each([
    [['--name', 'a/b'], '--name must match [A-Za-z0-9_.-]{1,128} (a grant name, without /)'],
    [['--name', 'a', 'second.json'], '--name needs exactly one FILE'],
    [['--overwrite'], '--overwrite is an option of grants put, not grants validate'],
    [
      ['--region', 'us-east-1'],
      '--region is an option of grants put, grants list, grants disable and grants enable, not grants validate',
    ],
    [['--bogus'], "unknown option '--bogus'"],
  ])('%j is a usage error (exit 2)', async (extra, message) => {
    const res = await run(['grants', 'validate', file('u.json', GRANT), ...extra]);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stdout).toBe('');
    expect(res.stderr.split('\n')[0]).toBe(`rolebroker: ${message}`);
    expect(res.stderr.split('\n')[1]).toMatch(/^usage: rolebroker grants validate /);
  });

  it('reads a bare account id in the role partition (there is no broker region offline)', async () => {
    const cn = { roleArn: 'arn:aws-cn:iam::222222222222:role/x', principals: ['111111111111'] };
    expect((await run(['grants', 'validate', file('cn.json', cn)])).code).toBe(EXIT.ok);
  });
});

describe('the grants command line', () => {
  it.each([
    [['grants'], 'missing command: one of validate, put, list, disable, enable'],
    [['grants', 'show'], "unknown command 'show'"],
    [['grants', 'put', 'g'], "missing required argument 'file'"],
    [['grants', 'disable'], "missing required argument 'name'"],
    [
      ['grants', 'list', '--format', 'yaml'],
      "option '--format <format>' argument 'yaml' is invalid",
    ],
    [['grants', 'list', '--prefix', 'rolebroker/'], '--prefix must look like /name or /a/b'],
    [['grants', 'list', '--region', 'moon'], '--region must be an AWS region such as eu-west-1'],
    ...['0', '301', '1.5', 'ten', ''].map((value): [string[], string] => [
      ['grants', 'list', '--aws-timeout', value],
      '--aws-timeout must be a whole number of seconds from 1 to 300',
    ]),
    [['grants', 'validate', 'f.json', '--aws-timeout', '5'], '--aws-timeout is an option of'],
    [['grants', 'enable', 'g', 'h'], "too many arguments for 'enable'"],
    [
      ['grants', 'put', 'g', 'f', '--broker-role-arn', 'arn:aws:iam::1:user/u'],
      '--broker-role-arn must be an IAM role ARN',
    ],
    [
      ['grants', 'list', '--url', 'https://b'],
      '--url is an option of credentials, exec, serve, roles, console and audit, not grants list',
    ],
    [['credentials', '--overwrite'], '--overwrite is an option of grants put, not credentials'],
  ])('%j: exit 2, "%s"', async (argv, message) => {
    const res = await run(argv);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stdout).toBe('');
    expect(res.stderr.split('\n')[0]).toContain(`rolebroker: ${message}`);
  });

  it('names the subcommand in the usage line and the help hint', async () => {
    const res = await run(['grants', 'put', 'g', 'f', '--bogus']);
    expect(res.stderr).toBe(
      "rolebroker: unknown option '--bogus'\n" +
        'usage: rolebroker grants put [options] <name> <file>\n' +
        "Run 'rolebroker grants put --help' for its options.\n",
    );
  });

  it.each([
    [
      'put',
      [
        '--overwrite',
        '--kms-key-id',
        '--generate-external-id',
        '--broker-role-arn',
        '--prefix',
        '--region',
        '--profile',
        '--aws-timeout',
      ],
    ],
    ['list', ['--format', '--prefix', '--region', '--profile', '--aws-timeout']],
    ['disable', ['--prefix', '--region', '--profile', '--aws-timeout']],
    ['enable', ['--prefix', '--region', '--profile', '--aws-timeout']],
    ['validate', ['--name']],
  ])('grants %s --help lists its flags and exit codes', async (command, flags) => {
    const res = await run(['grants', command, '--help']);
    expect(res.code).toBe(EXIT.ok);
    expect(res.stdout).toMatch(new RegExp(`^usage: rolebroker grants ${command} `));
    for (const flag of flags) expect(res.stdout).toContain(`  ${flag} `);
    expect(res.stdout).toMatch(/exit codes: 0/);
  });

  it('rolebroker --help lists grants', async () => {
    expect((await run(['--help'])).stdout).toMatch(/^ {2}grants /m);
  });
});

describe('grants put and disable/enable, against a mocked SSM', () => {
  const ssm = mockClient(SSMClient);
  beforeEach(() => ssm.reset());
  const sent = (command: typeof PutParameterCommand) =>
    ssm.commandCalls(command).map((c) => c.args[0].input);

  it('writes a new grant with Overwrite=false, as the file is', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    const path = file('new.json', GRANT);
    const res = await run(['grants', 'put', 'new', path, '--region', 'eu-west-1']);
    expect(res).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(res.stdout).toBe(
      'wrote grant new: /rolebroker/grants/new (SecureString, KMS key alias/aws/ssm, version 1)\n',
    );
    expect(sent(PutParameterCommand)).toEqual([
      {
        Name: '/rolebroker/grants/new',
        Value: JSON.stringify(GRANT, null, 2),
        Type: 'SecureString',
        Overwrite: false,
      },
    ]);
    expect(ssm.commandCalls(DescribeParametersCommand)).toHaveLength(0);
  });

  it('keeps the replaced grant key and tier with --overwrite, unless --kms-key-id says otherwise', async () => {
    ssm.on(DescribeParametersCommand).resolves({
      Parameters: [
        { Name: '/ops/grants/g', Type: 'SecureString', KeyId: 'alias/grants', Tier: 'Advanced' },
      ],
    });
    ssm.on(PutParameterCommand).resolves({ Version: 4 });
    const path = file('g.json', GRANT);
    const base = [
      'grants',
      'put',
      'g',
      path,
      '--overwrite',
      '--prefix',
      '/ops',
      '--region',
      'eu-west-1',
    ];
    expect((await run(base)).code).toBe(EXIT.ok);
    expect((await run([...base, '--kms-key-id', 'alias/other'])).code).toBe(EXIT.ok);
    expect(sent(PutParameterCommand)).toEqual([
      expect.objectContaining({ KeyId: 'alias/grants', Tier: 'Advanced', Overwrite: true }),
      expect.objectContaining({ KeyId: 'alias/other', Tier: 'Advanced', Overwrite: true }),
    ]);
  });

  it("keeps the replaced grant's external ID when the file has none, and says so", async () => {
    ssm.on(DescribeParametersCommand).resolves({
      Parameters: [{ Name: '/rolebroker/grants/g', Type: 'SecureString', KeyId: 'alias/k' }],
    });
    ssm.on(GetParameterCommand).resolves({
      Parameter: { Type: 'SecureString', Value: JSON.stringify(GRANT) },
    });
    ssm.on(PutParameterCommand).resolves({ Version: 2 });
    const { externalId: _none, ...rest } = GRANT;
    const path = file('rest.json', { ...rest, maxDurationSeconds: 1800 });
    const res = await run(['grants', 'put', 'g', path, '--overwrite', '--region', 'eu-west-1']);
    expect(res.code).toBe(EXIT.ok);
    expect(res.stdout).toContain("version 2, the replaced grant's external ID kept)");
    expect(ssm.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({
      Name: '/rolebroker/grants/g',
      WithDecryption: true,
    });
    expect(JSON.parse(sent(PutParameterCommand)[0]?.Value ?? '')).toEqual({
      ...GRANT,
      maxDurationSeconds: 1800,
    });
  });

  it('refuses an invalid grant, a path-like name and an external ID to replace, sending nothing', async () => {
    const invalid = await run([
      'grants',
      'put',
      'g',
      file('i.json', { roleArn: ROLE }),
      '--region',
      'eu-west-1',
    ]);
    expect(invalid).toMatchObject({
      code: EXIT.refused,
      stderr:
        'rolebroker: grants put refused: grant g is invalid, nothing written: principals: is required\n',
    });
    const path = file('p.json', GRANT);
    for (const name of ['..', '.', 'a..b']) {
      const res = await run(['grants', 'put', name, path, '--region', 'eu-west-1']);
      expect(res.code).toBe(EXIT.usage);
      expect(res.stderr).toMatch(/^rolebroker: NAME must not be \. or contain \.\.\n/);
    }
    const has = await run([
      'grants',
      'put',
      'g',
      path,
      '--generate-external-id',
      '--region',
      'eu-west-1',
    ]);
    expect(has.code).toBe(EXIT.usage);
    expect(has.stderr).toMatch(/^rolebroker: --generate-external-id: .* already has an externalId/);
    expect(ssm.calls()).toHaveLength(0);
  });

  it('disables in place, keeping type, key, tier and description, then enables by removing the flag', async () => {
    const stored = JSON.stringify({ ...GRANT, disabled: false, sourceIdentity: true }, null, '\t');
    ssm.on(GetParameterCommand).resolves({ Parameter: { Type: 'SecureString', Value: stored } });
    ssm.on(DescribeParametersCommand).resolves({
      Parameters: [
        {
          Name: '/rolebroker/grants/g',
          Type: 'SecureString',
          KeyId: 'alias/grants',
          Tier: 'Standard',
          Description: 'audit grant',
          DataType: 'text',
        },
      ],
    });
    ssm.on(PutParameterCommand).resolves({ Version: 2 });
    const res = await run(['grants', 'disable', 'g', '--region', 'eu-west-1']);
    expect(res.code).toBe(EXIT.ok);
    expect(res.stdout).toMatch(/^disabled grant g \(version 2\): the broker refuses it within/);
    const [put] = sent(PutParameterCommand);
    expect(put).toEqual({
      Name: '/rolebroker/grants/g',
      Value: JSON.stringify({ ...GRANT, disabled: true, sourceIdentity: true }, null, '\t'),
      Type: 'SecureString',
      KeyId: 'alias/grants',
      Tier: 'Standard',
      Description: 'audit grant',
      DataType: 'text',
      Overwrite: true,
    });
    expect(ssm.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({
      Name: '/rolebroker/grants/g',
      WithDecryption: true,
    });

    ssm.on(GetParameterCommand).resolves({ Parameter: { Type: 'String', Value: put?.Value } });
    expect((await run(['grants', 'enable', 'g', '--region', 'eu-west-1'])).code).toBe(EXIT.ok);
    expect(sent(PutParameterCommand)[1]).toMatchObject({
      Value: JSON.stringify({ ...GRANT, sourceIdentity: true }, null, '\t'),
      Type: 'String',
      KeyId: undefined,
    });
  });

  it('writes nothing when the grant already is as asked', async () => {
    ssm.on(GetParameterCommand).resolves({
      Parameter: { Type: 'SecureString', Value: JSON.stringify({ ...GRANT, disabled: true }) },
    });
    const res = await run(['grants', 'disable', 'g', '--region', 'eu-west-1']);
    expect(res).toMatchObject({
      code: EXIT.ok,
      stdout: 'grant g is already disabled: nothing written\n',
    });
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it('disables an invalid grant (the kill switch never waits), but refuses to enable one', async () => {
    const broken = JSON.stringify({ ...GRANT, principals: ['*'], disabled: true });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Type: 'SecureString', Value: broken } });
    const enable = await run(['grants', 'enable', 'g', '--region', 'eu-west-1']);
    expect(enable).toMatchObject({
      code: EXIT.refused,
      stderr:
        'rolebroker: grants enable refused: grant g is invalid, nothing written: principals.0: a principal of only wildcards is not allowed\n',
    });
    ssm.on(GetParameterCommand).resolves({
      Parameter: { Type: 'SecureString', Value: JSON.stringify({ ...GRANT, principals: ['*'] }) },
    });
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    ssm.on(PutParameterCommand).resolves({ Version: 3 });
    const disable = await run(['grants', 'disable', 'g', '--region', 'eu-west-1']);
    expect(disable.code).toBe(EXIT.ok);
    expect(disable.stdout).toContain(
      '(it is invalid, so the broker skips it anyway: principals.0:',
    );
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(1);
  });

  it('refuses a stored value that is not a JSON object', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Type: 'SecureString', Value: '[1]' } });
    const res = await run(['grants', 'disable', 'g', '--region', 'eu-west-1']);
    expect(res.code).toBe(EXIT.refused);
    expect(res.stderr).toContain('grant g is not a JSON object');
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });
});

describe('grants list output', () => {
  const parameter = {
    name: 'g',
    type: 'SecureString',
    lastModified: new Date('2026-01-02T03:04:05.678Z'),
  };

  it('shows the window in UTC, as GET /roles does', () => {
    const listing = grantListing(
      grantOf({
        ...GRANT,
        notBefore: '2026-01-01T01:00:00+01:00',
        notAfter: '2026-02-01T00:00:00Z',
      }),
      parameter,
    );
    expect(listing).toMatchObject({
      notBefore: '2026-01-01T00:00:00.000Z',
      notAfter: '2026-02-01T00:00:00.000Z',
    });
  });

  it('flags disabled, scoped (policy, policy ARNs or tags), via and plain String grants', () => {
    const flagsOf = (doc: object, type = 'SecureString') =>
      formatGrantList(
        '/p',
        [grantListing(grantOf({ ...GRANT, ...doc }), { ...parameter, type })],
        'table',
      )
        .split('\n')[1]
        ?.split(/\s{2,}/)[3];
    expect(flagsOf({})).toBe('-');
    expect(flagsOf({ disabled: true, sessionTags: { team: 'x' } })).toBe('disabled,scoped');
    expect(flagsOf({ sessionPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] })).toBe(
      'scoped',
    );
    expect(flagsOf({ via: ['arn:aws:iam::111111111111:role/hub'] }, 'String')).toBe('via=1,string');
  });

  it('lists an invalid grant with each problem below its row, and JSON without the external ID', () => {
    const listings = [
      grantListing(grantOf(GRANT), parameter),
      invalidListing({ ...parameter, name: 'broken' }, [
        'roleArn: is required',
        'principals: is required',
      ]),
    ];
    expect(formatGrantList('/p', listings, 'table').split('\n')).toEqual([
      `NAME    ${'ROLE'.padEnd(ROLE.length)}  PRINCIPALS                              FLAGS    MODIFIED`,
      `g       ${ROLE}  arn:aws:iam::111111111111:role/audit-*  -        2026-01-02T03:04:05Z`,
      `broken  ${'-'.padEnd(ROLE.length)}  -                                       invalid  2026-01-02T03:04:05Z`,
      '  roleArn: is required',
      '  principals: is required',
    ]);
    const json = formatGrantList('/p', listings, 'json');
    expect(json).not.toContain(SECRET);
    expect(JSON.parse(json)).toEqual({
      prefix: '/p',
      grants: [
        {
          name: 'g',
          valid: true,
          roleArn: ROLE,
          principals: GRANT.principals,
          disabled: false,
          scoped: false,
          via: [],
          type: 'SecureString',
          lastModified: '2026-01-02T03:04:05.678Z',
        },
        {
          name: 'broken',
          valid: false,
          problems: ['roleArn: is required', 'principals: is required'],
          type: 'SecureString',
          lastModified: '2026-01-02T03:04:05.678Z',
        },
      ],
    });
    expect(formatGrantList('/p', [], 'table')).toBe('no grants under /p/grants');
  });
});

describe('generated external IDs and the trust policy', () => {
  it('makes 43 characters of the external-ID charset, never the same twice', () => {
    const ids = new Set(Array.from({ length: 200 }, newExternalId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('trusts the broker role with the external ID, or a placeholder when the role is unknown', () => {
    const broker = 'arn:aws:iam::111111111111:role/rolebroker-prod-eu-west-1-lambdaRole';
    const known = trustPolicy(grantOf(GRANT), 'the-id', broker);
    expect(known.principal).toBe('broker');
    expect(JSON.parse(known.policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: broker },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'the-id' } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: broker },
          Action: ['sts:SetSourceIdentity', 'sts:TagSession'],
        },
      ],
    });
    const unknown = trustPolicy(grantOf(GRANT), 'the-id');
    expect(unknown.principal).toBe('placeholder');
    expect(unknown.policy).toContain(
      'arn:aws:iam::<broker-account-id>:role/rolebroker-<stage>-<region>-lambdaRole',
    );
  });

  it('trusts the last hub of via, whatever the broker role', () => {
    const hubs = ['arn:aws:iam::111111111111:role/hub-a', 'arn:aws:iam::111111111111:role/hub-b'];
    const policy = trustPolicy(grantOf({ ...GRANT, via: hubs }), 'id', 'arn:aws:iam::1:role/b');
    expect(policy.principal).toBe('hub');
    expect(JSON.parse(policy.policy).Statement[0].Principal).toEqual({ AWS: hubs[1] });
  });

  it('rewrites JSON with the indentation it had', () => {
    expect(rewriteJson('{"a":1}', (d) => ({ ...d, b: 2 }))).toBe('{"a":1,"b":2}');
    expect(rewriteJson('{\n    "a": 1\n}', (d) => d)).toBe('{\n    "a": 1\n}');
    expect(rewriteJson('[1]', (d) => d)).toBeUndefined();
  });
});

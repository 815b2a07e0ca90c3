import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT, main } from '../../../lib/cli';
import { audit } from '../../../lib/cli/run/audit';
import { exec } from '../../../lib/cli/run/exec';
import { revoke } from '../../../lib/cli/run/revoke';
import { serve } from '../../../lib/cli/run/serve';
import { version } from '../../../package.json';

// The actions that would call AWS; the tests look at the options they are given.
vi.mock('../../../lib/cli/run/audit', () => ({ audit: vi.fn(async () => 0) }));
vi.mock('../../../lib/cli/run/revoke', () => ({ revoke: vi.fn(async () => 0) }));
vi.mock('../../../lib/cli/run/exec', () => ({ exec: vi.fn(async () => 0) }));
vi.mock('../../../lib/cli/run/serve', () => ({ serve: vi.fn(async () => 0) }));

const request = vi.fn();
const ROLE = 'arn:aws:iam::222222222222:role/x';

/** A valid command line of each command, to which a test adds one flag. */
const VALID = {
  credentials: ['credentials', '--url', 'https://broker.example', '--role-arn', ROLE],
  audit: ['audit', '--url', 'https://broker.example', '--audit-role', ROLE],
  revoke: ['revoke', '--role-arn', ROLE],
  serve: ['serve', '--url', 'https://broker.example', '--role-arn', ROLE],
};

/** Every flag with a value valid for the command it belongs to. */
const FLAGS: Record<string, string> = {
  '--url': 'https://broker.example',
  '--role-arn': ROLE,
  '--grant': 'g',
  '--duration': '900',
  '--session-policy': '/nonexistent/policy.json',
  '--format': 'json',
  '--auth': 'sts',
  '--server-id': 'sid',
  '--profile': 'p',
  '--audit-role': ROLE,
  '--prefix': '/rolebroker',
  '--fail-on': 'none',
  '--before': '2026-01-01T00:00:00Z',
  '--port': '0',
};

const OWN_FLAGS = {
  credentials: [
    '--url',
    '--role-arn',
    '--grant',
    '--duration',
    '--session-policy',
    '--format',
    '--auth',
    '--server-id',
    '--profile',
  ],
  audit: [
    '--url',
    '--audit-role',
    '--prefix',
    '--format',
    '--fail-on',
    '--auth',
    '--server-id',
    '--profile',
    '--broker-role-arn',
    '--aws-timeout',
  ],
  revoke: ['--role-arn', '--before', '--profile', '--aws-timeout'],
  serve: [
    '--url',
    '--role-arn',
    '--port',
    '--grant',
    '--duration',
    '--session-policy',
    '--auth',
    '--server-id',
    '--profile',
  ],
};

type CommandName = keyof typeof OWN_FLAGS;
const COMMANDS = Object.keys(OWN_FLAGS) as CommandName[];

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env };
  const code = await main(argv, io, request);
  return { code, stdout: out.join(''), stderr: err.join(''), env };
}

beforeEach(() => {
  request.mockReset();
  vi.mocked(audit).mockClear();
  vi.mocked(revoke).mockClear();
  vi.mocked(exec).mockClear();
  vi.mocked(serve).mockClear();
});

const misplaced = COMMANDS.flatMap((command) =>
  Object.keys(FLAGS)
    .filter((flag) => !OWN_FLAGS[command].includes(flag))
    .map((flag) => [command, flag] as const),
);

describe('a flag of another command', () => {
  it.each(misplaced)('%s %s is a usage error naming the flag', async (command, flag) => {
    const res = await run([...VALID[command], flag, FLAGS[flag] as string]);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stdout).toBe('');
    const [first, second] = res.stderr.split('\n');
    expect(first).toMatch(
      new RegExp(`^rolebroker: ${flag} is an option of [a-z, ]+, not ${command}$`),
    );
    expect(second).toMatch(new RegExp(`^usage: rolebroker ${command} `));
    expect(request).not.toHaveBeenCalled();
    expect(audit).not.toHaveBeenCalled();
    expect(revoke).not.toHaveBeenCalled();
  });

  it('is named before a missing required option', async () => {
    const res = await run(['credentials', '--fail-on', 'high']);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr.split('\n')[0]).toBe(
      'rolebroker: --fail-on is an option of audit, not credentials',
    );
  });

  it('is named in its --flag=value form', async () => {
    const res = await run([...VALID.credentials, '--before=2026-01-01T00:00:00Z']);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr).toMatch(/^rolebroker: --before is an option of revoke, not credentials\n/);
  });

  it('is named before the command', async () => {
    const res = await run(['--url', 'https://broker.example', 'credentials']);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr).toMatch(
      /^rolebroker: --url is an option of credentials, exec, serve, roles, console and audit: /,
    );
  });
});

describe('usage errors', () => {
  it.each([
    [['credentials', '--role-arn', ROLE], '--url is required (or set ROLEBROKER_URL)'],
    [['credentials', '--url', 'https://b'], '--role-arn is required'],
    [['audit', '--url', 'https://b'], '--audit-role is required'],
    [['audit', '--audit-role', ROLE], '--url is required (or set ROLEBROKER_URL)'],
    [['revoke'], '--role-arn is required'],
    [[...VALID.credentials, '--external-id', 'x'], "unknown option '--external-id'"],
    [[...VALID.credentials, 'extra'], "too many arguments for 'credentials'"],
    [[...VALID.audit, '--fail-on', 'critical'], "option '--fail-on <severity>' argument"],
    [[...VALID.audit, '--audit-role', 'arn:aws:iam::1:user/u'], '--audit-role must be an IAM'],
    [['revoke', '--role-arn', 'arn:aws:iam::1:user/u'], '--role-arn must be an IAM role ARN'],
    [['credentials', '--url', 'ftp://b', '--role-arn', ROLE], '--url must be an http(s) URL'],
    [['assume'], "unknown command 'assume'"],
    [['help', 'assume'], "unknown command 'assume'"],
  ])('%j: exit 2, "%s"', async (argv, message) => {
    const res = await run(argv);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stdout).toBe('');
    expect(res.stderr.split('\n')[0]).toContain(`rolebroker: ${message}`);
    expect(res.stderr.split('\n')[1]).toMatch(/^usage: rolebroker/);
  });

  it('lists the commands on stderr when there is none', async () => {
    const res = await run([]);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr).toMatch(/^rolebroker: missing command\nusage: rolebroker /);
    for (const command of COMMANDS) expect(res.stderr).toContain(`  ${command} `);
  });
});

describe('help', () => {
  it.each(COMMANDS)('%s --help shows its flags and defaults, no other flags', async (command) => {
    const res = await run([command, '--help']);
    expect(res.code).toBe(EXIT.ok);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(new RegExp(`^usage: rolebroker ${command} `));
    for (const flag of OWN_FLAGS[command]) expect(res.stdout).toContain(`  ${flag} `);
    for (const flag of Object.keys(FLAGS).filter((f) => !OWN_FLAGS[command].includes(f))) {
      expect(res.stdout).not.toContain(flag);
    }
  });

  it.each([
    ['credentials', ['default: "json"', 'default: "iam"', 'env: ROLEBROKER_URL']],
    [
      'audit',
      [
        'default: "table"',
        'default: "high"',
        'default: "/rolebroker"',
        'env: ROLEBROKER_SSM_PREFIX',
      ],
    ],
    ['revoke', ['(default: now)']],
  ])('%s --help shows the defaults', async (command, defaults) => {
    const { stdout } = await run([command, '--help']);
    // commander wraps long lines; the defaults are checked on the unwrapped text.
    const text = stdout.replace(/\s+/g, ' ');
    for (const d of defaults) expect(text).toContain(d);
  });

  it.each(COMMANDS)('help %s is the same as its --help', async (command) => {
    const viaHelp = await run(['help', command]);
    expect(viaHelp.code).toBe(EXIT.ok);
    expect(viaHelp.stdout).toBe((await run([command, '--help'])).stdout);
  });

  it.each([[['--help']], [['-h']], [['help']]])('%j lists the commands', async (argv) => {
    const res = await run(argv);
    expect(res.code).toBe(EXIT.ok);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^usage: rolebroker \[options\] \[command\]/);
    for (const command of [...COMMANDS, 'help']) {
      expect(res.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    expect(res.stdout).toContain('exit codes: 0 ok, 1 audit findings');
  });

  it('needs no required option', async () => {
    const res = await run(['revoke', '--help']);
    expect(res.code).toBe(EXIT.ok);
    expect(revoke).not.toHaveBeenCalled();
  });
});

describe('--version', () => {
  it.each([['--version'], ['-V']])('%s prints the package version', async (flag) => {
    const res = await run([flag]);
    expect(res).toMatchObject({ code: EXIT.ok, stdout: `${version}\n`, stderr: '' });
  });
});

describe('options reaching the actions', () => {
  it('credentials: --url and --server-id fall back to the environment, the flag wins', async () => {
    request.mockResolvedValue({ Credentials: {} });
    const env = { ROLEBROKER_URL: 'https://env.example', ROLEBROKER_SERVER_ID: 'env-sid' };
    await run(['credentials', '--role-arn', ROLE, '--auth', 'sts'], { ...env });
    expect(request).toHaveBeenLastCalledWith(
      expect.objectContaining({ url: 'https://env.example', serverId: 'env-sid', auth: 'sts' }),
    );
    await run([...VALID.credentials, '--server-id', 'flag-sid'], { ...env });
    expect(request).toHaveBeenLastCalledWith(
      expect.objectContaining({ url: 'https://broker.example', serverId: 'flag-sid', auth: 'iam' }),
    );
  });

  it('an environment value is checked like the flag, and only when the command runs', async () => {
    const env = { ROLEBROKER_URL: 'ftp://env.example' };
    const res = await run(['credentials', '--role-arn', ROLE], env);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr).toMatch(
      /^rolebroker: --url must be an http\(s\) URL \(from ROLEBROKER_URL\)\n/,
    );
    expect((await run(['credentials', '--help'], env)).code).toBe(EXIT.ok);
    request.mockResolvedValue({ Credentials: {} });
    expect((await run(VALID.credentials, env)).code).toBe(EXIT.ok);
  });

  it('--profile sets AWS_PROFILE for the SDK', async () => {
    request.mockResolvedValue({ Credentials: {} });
    const res = await run([...VALID.credentials, '--profile', 'demo-caller']);
    expect(res.env.AWS_PROFILE).toBe('demo-caller');
    const revoked = await run([...VALID.revoke, '--profile', 'admin']);
    expect(revoked.env.AWS_PROFILE).toBe('admin');
  });

  it('audit: repeated --audit-role, the defaults and ROLEBROKER_SSM_PREFIX', async () => {
    const other = 'arn:aws:iam::111111111111:role/y';
    await run([...VALID.audit, '--audit-role', other]);
    expect(vi.mocked(audit).mock.lastCall?.[0]).toMatchObject({
      url: 'https://broker.example',
      auditRole: [ROLE, other],
      prefix: '/rolebroker',
      format: 'table',
      failOn: 'high',
      auth: 'iam',
      awsTimeout: 10,
    });
    await run([...VALID.audit, '--format', 'json', '--fail-on', 'none', '--aws-timeout', '60'], {
      ROLEBROKER_SSM_PREFIX: '/team',
    });
    expect(vi.mocked(audit).mock.lastCall?.[0]).toMatchObject({
      prefix: '/team',
      format: 'json',
      failOn: 'none',
      awsTimeout: 60,
    });
    await run([...VALID.audit, '--broker-role-arn', 'arn:aws:iam::111111111111:role/exec']);
    expect(vi.mocked(audit).mock.lastCall?.[0]).toMatchObject({
      brokerRoleArn: 'arn:aws:iam::111111111111:role/exec',
    });
    const bad = await run([...VALID.audit, '--broker-role-arn', 'arn:aws:iam::1:user/u']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('--broker-role-arn must be an IAM role ARN');
  });

  it("audit and revoke: the action's exit code is main's", async () => {
    vi.mocked(audit).mockResolvedValueOnce(EXIT.findings);
    expect((await run(VALID.audit)).code).toBe(EXIT.findings);
    vi.mocked(revoke).mockResolvedValueOnce(EXIT.denied);
    expect((await run(VALID.revoke)).code).toBe(EXIT.denied);
  });

  it('revoke: --before is parsed, absent means now (decided by the action); --aws-timeout defaults to 10', async () => {
    await run([...VALID.revoke, '--before', '2026-01-01T01:00:00+01:00', '--aws-timeout', '3']);
    expect(vi.mocked(revoke).mock.lastCall?.[0]).toEqual({
      roleArn: ROLE,
      before: new Date('2026-01-01T00:00:00Z'),
      awsTimeout: 3,
    });
    await run(VALID.revoke);
    expect(vi.mocked(revoke).mock.lastCall?.[0]).toEqual({ roleArn: ROLE, awsTimeout: 10 });
  });
});

describe('exec and serve', () => {
  const EXEC = ['exec', '--url', 'https://broker.example', '--role-arn', ROLE];

  it('exec: everything after -- is the command, its flags included; duration max, server on', async () => {
    const res = await run([...EXEC, '--', 'aws', '--profile', 'x', 's3', 'ls']);
    expect(res.code).toBe(EXIT.ok);
    expect(exec).toHaveBeenCalledWith(
      expect.objectContaining({ roleArn: ROLE, duration: 'max', server: true, auth: 'iam' }),
      ['aws', '--profile', 'x', 's3', 'ls'],
      expect.anything(),
      request,
    );
    expect(res.env.AWS_PROFILE).toBeUndefined();
  });

  it('exec: --no-server, --duration in seconds', async () => {
    await run([...EXEC, '--no-server', '--duration', '1800', '--', 'true']);
    expect(exec).toHaveBeenCalledWith(
      expect.objectContaining({ server: false, duration: 1800 }),
      ['true'],
      expect.anything(),
      request,
    );
  });

  it.each([
    [[...EXEC], 'missing command after --'],
    [[...EXEC, '--'], 'missing command after --'],
    [[...EXEC, 'aws', 's3', 'ls'], 'the command goes after --'],
    [[...EXEC, 'aws', '--', 'ls'], 'the command goes after --'],
    [
      [...EXEC, '--duration', 'forever', '--', 'true'],
      '--duration must be 900..3600 seconds or max',
    ],
    [[...VALID.serve, '--port', '70000'], '--port must be a port number'],
  ])('%j: exit 2, "%s", nothing run', async (argv, message) => {
    const res = await run(argv);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr.split('\n')[0]).toContain(`rolebroker: ${message}`);
    expect(exec).not.toHaveBeenCalled();
    expect(serve).not.toHaveBeenCalled();
  });

  it('serve: port 0 and duration max by default', async () => {
    await run([...VALID.serve, '--profile', 'me']);
    expect(serve).toHaveBeenCalledWith(
      expect.objectContaining({ port: 0, duration: 'max', roleArn: ROLE }),
      expect.anything(),
      request,
    );
  });

  it('exec --help shows the -- form and the exit codes', async () => {
    const { stdout } = await run(['exec', '--help']);
    expect(stdout).toMatch(/^usage: rolebroker exec .*-- <command> \[args\.\.\.\]/);
    expect(stdout).toContain('--no-server');
    expect(stdout.replace(/\s+/g, ' ')).toContain("exit codes: the command's own status");
  });
});

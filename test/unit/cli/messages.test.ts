import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EXIT, main } from '../../../lib/cli';
import { CLI_SET_ENV, childEnv } from '../../../lib/cli/command';
import { awsFailure, brokerFailure, missingProfile } from '../../../lib/cli/run/caller-error';
import {
  browserCommand,
  federationEndpoint,
  loginUrl,
  PARTITION_HOSTS,
} from '../../../lib/cli/run/console';
import { formatRoles } from '../../../lib/cli/run/roles';
import { BrokerRequestError } from '../../../lib/client';

const ROLE = 'arn:aws:iam::222222222222:role/x';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}, request = vi.fn()) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env };
  const code = await main(argv, io, request);
  return { code, stdout: out.join(''), stderr: err.join(''), request };
}

describe('usage messages that say what to do', () => {
  it.each(['100000', '899', '3601', 'ten'])('--duration %s', async (value) => {
    const res = await run([
      'credentials',
      '--url',
      'https://b',
      '--role-arn',
      ROLE,
      '--duration',
      value,
    ]);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr.split('\n')[0]).toBe(
      "rolebroker: --duration must be 900..3600 seconds or max (the grant's maximum decides)",
    );
  });

  it('--duration max and 3600 reach the request', async () => {
    const request = vi.fn().mockResolvedValue({ Credentials: {} });
    await run(
      ['credentials', '--url', 'https://b', '--role-arn', ROLE, '--duration', 'max'],
      {},
      request,
    );
    expect(request).toHaveBeenLastCalledWith(expect.objectContaining({ durationSeconds: 'max' }));
    await run(
      ['credentials', '--url', 'https://b', '--role-arn', ROLE, '--duration', '3600'],
      {},
      request,
    );
    expect(request).toHaveBeenLastCalledWith(expect.objectContaining({ durationSeconds: 3600 }));
  });

  it.each(['credentials', 'roles', 'health', 'credentials/'])('--url …/prod/%s', async (route) => {
    const url = `https://abc123.execute-api.eu-west-1.amazonaws.com/prod/${route}`;
    const res = await run(['credentials', '--url', url, '--role-arn', ROLE]);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr.split('\n')[0]).toBe(
      `rolebroker: --url is the API's base URL (e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod), without /${route.replace('/', '')}`,
    );
  });

  it('ROLEBROKER_AUTH is the --auth default; the flag wins; a bad value names the variable', async () => {
    const request = vi.fn().mockResolvedValue({ Credentials: {} });
    await run(
      ['credentials', '--url', 'https://b', '--role-arn', ROLE],
      { ROLEBROKER_AUTH: 'sts' },
      request,
    );
    expect(request).toHaveBeenLastCalledWith(expect.objectContaining({ auth: 'sts' }));
    await run(
      ['credentials', '--url', 'https://b', '--role-arn', ROLE, '--auth', 'iam'],
      { ROLEBROKER_AUTH: 'sts' },
      request,
    );
    expect(request).toHaveBeenLastCalledWith(expect.objectContaining({ auth: 'iam' }));
    const res = await run(['credentials', '--url', 'https://b', '--role-arn', ROLE], {
      ROLEBROKER_AUTH: 'sigv4',
    });
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr.split('\n')[0]).toMatch(/sts.*\(from ROLEBROKER_AUTH\)$/);
  });
});

describe('a credential_process that calls rolebroker again', () => {
  it('is refused when the same profile is being resolved, and marks the profile otherwise', async () => {
    const env: NodeJS.ProcessEnv = { AWS_PROFILE: 'audit', ROLEBROKER_RESOLVING_CALLER: 'audit' };
    const res = await run(['credentials', '--url', 'https://b', '--role-arn', ROLE], env);
    expect(res.code).toBe(EXIT.usage);
    expect(res.request).not.toHaveBeenCalled();
    expect(res.stderr.split('\n')[0]).toBe(
      "rolebroker: credential_process calls rolebroker again: give --profile with the caller's own credentials",
    );
    const request = vi.fn().mockResolvedValue({ Credentials: {} });
    const nested: NodeJS.ProcessEnv = {
      AWS_PROFILE: 'audit',
      ROLEBROKER_RESOLVING_CALLER: 'audit',
    };
    const ok = await run(
      ['credentials', '--url', 'https://b', '--role-arn', ROLE, '--profile', 'sso-me'],
      nested,
      request,
    );
    expect(ok.code).toBe(EXIT.ok);
    expect(request.mock.calls.length).toBe(1);
    // Put back after the run, so a later run in the same process is not refused.
    expect(nested.ROLEBROKER_RESOLVING_CALLER).toBe('audit');
    const env2: NodeJS.ProcessEnv = {};
    const seenDuring: (string | undefined)[] = [];
    const spy = vi.fn(async () => {
      seenDuring.push(env2.ROLEBROKER_RESOLVING_CALLER);
      return { Credentials: {} };
    });
    const args = ['credentials', '--url', 'https://b', '--role-arn', ROLE];
    expect((await run(args, env2, spy)).code).toBe(EXIT.ok);
    expect((await run(args, env2, spy)).code).toBe(EXIT.ok);
    expect(seenDuring).toEqual(['default', 'default']);
    expect(env2.ROLEBROKER_RESOLVING_CALLER).toBeUndefined();
  });
});

describe("a child's environment", () => {
  it('drops what the CLI set for itself, keeps what the user set', () => {
    CLI_SET_ENV.add('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED');
    try {
      const env = {
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ROLEBROKER_RESOLVING_CALLER: 'default',
        AWS_PROFILE: 'me',
      };
      expect(childEnv(env)).toEqual({ AWS_PROFILE: 'me' });
    } finally {
      CLI_SET_ENV.clear();
    }
    expect(childEnv({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' })).toEqual({
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false',
    });
  });
});

describe('broker failures', () => {
  const err = (status: number, code: string, message: string) =>
    new BrokerRequestError(message, status, code, 'rid');

  it('an iam-signed request to an sts-mode broker', () => {
    const f = brokerFailure(
      err(401, 'Unauthenticated', 'missing X-RoleBroker-Identity header'),
      {},
      'iam',
    );
    expect(f).toEqual({
      line: 'the broker runs in sts mode: pass --auth sts or set ROLEBROKER_AUTH=sts (401 Unauthenticated (request id rid))',
      code: EXIT.denied,
    });
  });

  it('an sts token sent to API Gateway with AWS_IAM', () => {
    const f = brokerFailure(err(403, 'AccessDenied', 'Missing Authentication Token'), {}, 'sts');
    expect(f.line).toMatch(
      /^the broker runs in iam mode .*pass --auth iam or set ROLEBROKER_AUTH=iam/,
    );
    expect(f.code).toBe(EXIT.denied);
  });

  it('an unknown profile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-profiles-'));
    const env = {
      AWS_PROFILE: 'nope',
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    };
    writeFileSync(env.AWS_CONFIG_FILE, '[profile demo]\nregion = eu-west-1\n');
    writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE, '[keys]\naws_access_key_id = x\n');
    const error = new BrokerRequestError(
      'could not load caller credentials: Region is missing',
      0,
      'CallerCredentials',
    );
    expect(brokerFailure(error, env, 'sts')).toEqual({
      line: `profile nope is not in AWS_CONFIG_FILE (${env.AWS_CONFIG_FILE}) or AWS_SHARED_CREDENTIALS_FILE (${env.AWS_SHARED_CREDENTIALS_FILE})`,
      code: EXIT.usage,
    });
    expect(missingProfile({ ...env, AWS_PROFILE: 'demo' })).toBeUndefined();
    expect(missingProfile({ ...env, AWS_PROFILE: 'keys' })).toBeUndefined();
  });

  it('AccessDenied the SDK could not deserialize (moto answers SSM in XML) is one line', () => {
    const error = Object.assign(
      new SyntaxError("Unexpected token '<'\n  Deserialization error: ..."),
      {
        $metadata: { httpStatusCode: 403, requestId: 'r1' },
      },
    );
    const f = awsFailure(error, {}, 'needs ssm:GetParametersByPath');
    expect(f).toEqual({
      line: 'access denied (HTTP 403, request id r1): needs ssm:GetParametersByPath',
      code: EXIT.denied,
    });
    expect(f.line).not.toContain('\n');
  });
});

describe('roles table', () => {
  it('one row per grant, and a sentence when there are none', () => {
    const table = formatRoles(
      {
        roles: [
          { grant: 'a', roleArn: ROLE, maxDurationSeconds: 1800, scoped: true, chained: false },
          { grant: 'bb', roleArn: ROLE, maxDurationSeconds: 3600, scoped: false, chained: true },
        ],
      },
      'table',
    );
    expect(table.split('\n')).toEqual([
      'GRANT  ROLE ARN                          MAX DURATION  SCOPED  CHAINED',
      `a      ${ROLE}  1800s         yes     no`,
      `bb     ${ROLE}  3600s         no      yes`,
    ]);
    expect(formatRoles({ roles: [] }, 'table')).toBe(
      'no roles: no enabled grant names this caller',
    );
  });

  it('adds the window columns when a grant has a window, - for an open end', () => {
    const table = formatRoles(
      {
        roles: [
          { grant: 'a', roleArn: ROLE, maxDurationSeconds: 1800, scoped: true, chained: false },
          {
            grant: 'oncall',
            roleArn: ROLE,
            maxDurationSeconds: 3600,
            scoped: false,
            chained: false,
            notBefore: '2026-05-01T09:00:00Z',
            notAfter: '2026-05-01T17:00:00Z',
          },
          {
            grant: 'z',
            roleArn: ROLE,
            maxDurationSeconds: 900,
            scoped: false,
            chained: false,
            notAfter: '2026-06-01T00:00:00Z',
          },
        ],
      },
      'table',
    );
    expect(table.split('\n')).toEqual([
      'GRANT   ROLE ARN                          MAX DURATION  SCOPED  CHAINED  NOT BEFORE            NOT AFTER',
      `a       ${ROLE}  1800s         yes     no       -                     -`,
      `oncall  ${ROLE}  3600s         no      no       2026-05-01T09:00:00Z  2026-05-01T17:00:00Z`,
      `z       ${ROLE}  900s          no      no       -                     2026-06-01T00:00:00Z`,
    ]);
  });
});

describe('console sign-in', () => {
  it.each(Object.entries(PARTITION_HOSTS))(
    '%s: its own federation endpoint',
    (partition, hosts) => {
      expect(federationEndpoint(partition as 'aws', {}).toString()).toBe(
        `https://${hosts.signin}/federation`,
      );
    },
  );

  it('the override: https anywhere, http only on loopback', () => {
    const env = (v: string) => ({ ROLEBROKER_FEDERATION_ENDPOINT: v });
    expect(federationEndpoint('aws', env('http://127.0.0.1:9/federation')).host).toBe(
      '127.0.0.1:9',
    );
    expect(federationEndpoint('aws', env('https://signin.example/federation')).host).toBe(
      'signin.example',
    );
    expect(() => federationEndpoint('aws', env('http://10.0.0.1/federation'))).toThrow(
      /http only on/,
    );
  });

  it('the login URL', () => {
    const url = new URL(
      loginUrl(
        new URL('https://signin.aws.amazon.com/federation'),
        't k',
        'https://console.aws.amazon.com/',
      ),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: 'login',
      Issuer: 'rolebroker',
      Destination: 'https://console.aws.amazon.com/',
      SigninToken: 't k',
    });
  });

  it('the browser: $BROWSER, else the platform opener, else none', () => {
    expect(browserCommand({ BROWSER: '/usr/bin/firefox:chromium' }, 'linux')).toBe(
      '/usr/bin/firefox',
    );
    expect(browserCommand({}, 'darwin')).toBe('open');
    expect(browserCommand({ PATH: '' }, 'linux')).toBeUndefined();
  });

  it('--role-arn must be a role; --destination must be https', async () => {
    const res = await run(['console', '--url', 'https://b', '--role-arn', 'arn:aws:iam::1:user/u']);
    expect(res.code).toBe(EXIT.usage);
    const dest = await run([
      'console',
      '--url',
      'https://b',
      '--role-arn',
      ROLE,
      '--destination',
      'http://x',
    ]);
    expect(dest.stderr.split('\n')[0]).toBe(
      'rolebroker: --destination must be an https URL of the console',
    );
  });
});

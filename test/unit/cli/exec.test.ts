import { describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../../lib/cli';
import { type ExecOptions, exec, scrubEnv } from '../../../lib/cli/run/exec';
import { BrokerRequestError } from '../../../lib/client';

const OPTIONS: ExecOptions = {
  url: 'https://broker.example',
  roleArn: 'arn:aws:iam::222222222222:role/x',
  duration: 'max',
  auth: 'iam',
  server: true,
};

const issued = {
  Credentials: {
    AccessKeyId: 'ASIAUNIT',
    SecretAccessKey: 'secret',
    SessionToken: 'token',
    Expiration: new Date(Date.now() + 3_600_000).toISOString(),
  },
  AssumedRoleUser: { AssumedRoleId: 'AROA:x', Arn: 'arn:aws:sts::222222222222:assumed-role/x/y' },
  SourceIdentity: 'y',
  Grant: 'g',
};

function io(env: NodeJS.ProcessEnv = { PATH: process.env.PATH }) {
  const err: string[] = [];
  return { err, io: { stdout: () => {}, stderr: (t: string) => err.push(t), env } };
}

describe('scrubEnv', () => {
  it('removes credential variables and keeps region, endpoints and config files', () => {
    const env = scrubEnv({
      PATH: '/bin',
      AWS_PROFILE: 'p',
      AWS_DEFAULT_PROFILE: 'p',
      AWS_ACCESS_KEY_ID: 'k',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_SESSION_TOKEN: 't',
      AWS_SECURITY_TOKEN: 't',
      AWS_CREDENTIAL_EXPIRATION: 'e',
      AWS_WEB_IDENTITY_TOKEN_FILE: 'f',
      AWS_ROLE_ARN: 'r',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/x',
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/y',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:5000',
      AWS_CONFIG_FILE: '/c',
      AWS_SHARED_CREDENTIALS_FILE: '/s',
    });
    expect(Object.keys(env).sort()).toEqual(
      [
        'PATH',
        'AWS_REGION',
        'AWS_DEFAULT_REGION',
        'AWS_ENDPOINT_URL_STS',
        'AWS_CONFIG_FILE',
        'AWS_SHARED_CREDENTIALS_FILE',
      ].sort(),
    );
  });
});

describe('exec', () => {
  it('does not start the command when the broker refuses: exit 3', async () => {
    const request = vi.fn(async () => {
      throw new BrokerRequestError('no grant allows this caller', 403, 'AccessDenied', 'rid');
    });
    const { err, io: cli } = io();
    expect(await exec(OPTIONS, ['sh', '-c', 'exit 0'], cli, request)).toBe(EXIT.denied);
    expect(err).toEqual([
      'rolebroker: 403 AccessDenied: no grant allows this caller (request id rid)\n',
    ]);
  });

  it('exits 4 when the broker is unreachable', async () => {
    const request = vi.fn(async () => {
      throw new BrokerRequestError('broker unreachable at https://b', 0, 'Unreachable');
    });
    expect(await exec(OPTIONS, ['true'], io().io, request)).toBe(EXIT.failed);
  });

  it('passes the status through; 127 for a command that is not there', async () => {
    const request = vi.fn(async () => issued);
    expect(await exec(OPTIONS, ['sh', '-c', 'exit 7'], io().io, request)).toBe(7);
    expect(
      await exec({ ...OPTIONS, server: false }, ['sh', '-c', 'kill -TERM $$'], io().io, request),
    ).toBe(143);
    const { err, io: cli } = io();
    expect(await exec(OPTIONS, ['/nonexistent/command'], cli, request)).toBe(127);
    expect(err.join('')).toMatch(/^rolebroker: cannot run \/nonexistent\/command: /);
    expect(err.join('')).not.toContain('ASIAUNIT');
  });
});

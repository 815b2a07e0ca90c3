import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PLUGIN = fileURLToPath(
  new URL('../../../scripts/sls/offline-credentials.cjs', import.meta.url),
);
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';

/** Runs the plugin's hook in a child with `stdin` as its input; prints the AWS_* it set. */
function runHook(stdin: string | undefined, env: Record<string, string> = {}) {
  const script = `
    const Plugin = require(${JSON.stringify(PLUGIN)});
    const hook = new Plugin().hooks['before:offline:start:init'];
    if (!hook) { console.log('no hook'); process.exit(0); }
    hook().then(() => {
      console.log(JSON.stringify(Object.fromEntries(
        Object.entries(process.env).filter(([k]) => /^AWS_(ACCESS|SECRET|SESSION)/.test(k)))));
    }, (error) => { console.error(error.message); process.exit(1); });`;
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['-e', script], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (stdin === undefined) child.stdin.end();
    else child.stdin.end(stdin);
  });
}

const ON = { ROLEBROKER_INTERNAL_OFFLINE_CREDENTIALS: 'stdin' };
const line = (value: object) => `${JSON.stringify(value)}\n`;

describe('offline credentials on stdin (scripts/sls/offline-credentials.cjs)', () => {
  it('does nothing unless the local stack asks for it', async () => {
    const result = await runHook(undefined);
    expect(result).toMatchObject({ code: 0, stdout: 'no hook\n' });
  });

  it('puts the three credentials from one JSON line into the environment', async () => {
    const result = await runHook(
      line({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: SECRET, sessionToken: 'token' }),
      ON,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_SESSION_TOKEN: 'token',
    });
  });

  it('fails when stdin closes before a line arrives', async () => {
    const result = await runHook('', ON);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('offline-credentials: no credentials on stdin (Error)\n');
  });

  it('fails on a line that is not JSON without echoing it', async () => {
    const result = await runHook(`{"secretAccessKey": "${SECRET}"\n`, ON);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('offline-credentials: no credentials on stdin (SyntaxError)\n');
    expect(result.stderr).not.toContain(SECRET);
  });

  it('names a missing field', async () => {
    const result = await runHook(line({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: SECRET }), ON);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'offline-credentials: sessionToken missing from the credentials on stdin\n',
    );
    expect(result.stdout).toBe('');
  });
});

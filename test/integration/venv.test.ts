import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const VENV_SH = join(ROOT, 'scripts/venv.sh');

function venvSh(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('bash', [VENV_SH, ...args], { cwd: ROOT, env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

// The integration project's global setup has built the local set (moto) already.
describe('scripts/venv.sh', () => {
  it('prints only the local venv path when it is up to date, and installs nothing', async () => {
    const { ROLEBROKER_INTERNAL_VENV: _moved, ...env } = process.env;
    const result = await venvSh([], env);
    expect(result).toEqual({ code: 0, stdout: `${join(ROOT, '.venv')}\n`, stderr: '' });
    expect(await venvSh(['local'], env)).toEqual(result);
  });

  it('gives several callers at once the same answer', async () => {
    const { ROLEBROKER_INTERNAL_VENV: _moved, ...env } = process.env;
    const results = await Promise.all([1, 2, 3, 4].map(() => venvSh([], env)));
    for (const result of results) {
      expect(result).toEqual({ code: 0, stdout: `${join(ROOT, '.venv')}\n`, stderr: '' });
    }
  });

  it('refuses a set it does not know, with exit 2 and nothing on stdout', async () => {
    expect(await venvSh(['dev'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "venv.sh: unknown set 'dev' (local, test or ci)\n",
    });
  });

  it('says so when the interpreter is missing', async () => {
    const result = await venvSh([], { ...process.env, PYTHON: 'no-such-python3' });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'venv.sh: no-such-python3 not found; install Python 3 (with its venv module)\n',
    });
  });
});

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// One lstat that reports the cache directory missing although it exists: what an invocation
// sees when a parallel one creates the directory between its lstat and its mkdir.
const race = vi.hoisted(() => ({ dir: '' }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    lstatSync: ((path: string, ...rest: unknown[]) => {
      if (path === race.dir) {
        race.dir = '';
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      }
      return (fs.lstatSync as (...a: unknown[]) => unknown)(path, ...rest);
    }) as typeof fs.lstatSync,
  };
});

const { openCacheDir } = await import('../../../lib/cli/credential-cache');

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the CLI cache directory', () => {
  it('is used when a parallel invocation created it first', () => {
    root = mkdtempSync(join(tmpdir(), 'rolebroker-race-'));
    const dir = join(root, 'rolebroker');
    mkdirSync(dir, { mode: 0o700 });
    race.dir = dir;
    expect(openCacheDir(dir)).toBe(dir);
  });
});

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { startFaultProxy } from '../../scripts/relay';
import { AUDIT_ROLES } from '../../scripts/seed';

const run = promisify(execFile);
const stack = inject('stack');
const ROOT = join(__dirname, '../..');

async function audit(extra: string[], env: Record<string, string> = {}) {
  const args = [
    join(ROOT, 'dist/rolebroker.mjs'),
    'audit',
    '--url',
    stack.brokerUrl,
    '--auth',
    'sts',
  ];
  args.push('--server-id', 'rolebroker-local', '--profile', 'admin');
  for (const role of AUDIT_ROLES) args.push('--audit-role', role);
  try {
    const { stdout, stderr } = await run('node', [...args, ...extra], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...stack.profileEnv,
        ...env,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const EVERY_CHECK = [
  'grant-not-secure-string',
  'grant-invalid',
  'grant-expired',
  'principals-whole-account',
  'principal-wildcard-path',
  'role-missing',
  'role-unreadable',
  'trust-no-external-id',
  'trust-external-id-mismatch',
  'trust-account-root',
  'trust-wildcard-principal',
  'trust-missing-set-source-identity',
  'trust-missing-tag-session',
  'role-max-session-too-short',
];

describe('rolebroker audit against the local stack', () => {
  it('shows every kind of finding the demo seeds, and exits 1 at the default --fail-on high', async () => {
    const res = await audit(['--format', 'json']);
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout);
    const checks = new Set(report.findings.map((f: { check: string }) => f.check));
    for (const check of EVERY_CHECK) expect(checks).toContain(check);
  });

  it('prints a table with a summary line', async () => {
    const res = await audit(['--fail-on', 'none']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^HIGH {4}/m);
    expect(res.stdout).toMatch(/fix: /);
    expect(res.stdout.trim().split('\n').pop()).toMatch(
      /^\d+ findings \(high \d+, medium \d+, low 1\) in \d+ grants, \d+ roles$/,
    );
  });

  it('gives up on an SSM that never answers: 3 attempts of --aws-timeout, exit 4', async () => {
    const hung = await startFaultProxy(stack.emulatorEndpoint);
    hung.mode = 'hang';
    try {
      const res = await audit(['--aws-timeout', '1'], { AWS_ENDPOINT_URL_SSM: hung.endpoint });
      expect(res.code).toBe(4);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(
        /^rolebroker: audit failed: TimeoutError: AWS did not answer within --aws-timeout in 3 attempts; [^\n]+ raise --aws-timeout\n$/,
      );
      expect(hung.count).toBe(3);
    } finally {
      await hung.close();
    }
  }, 30_000);

  it('exits 2 without an audit role', async () => {
    const res = await run('node', [
      join(ROOT, 'dist/rolebroker.mjs'),
      'audit',
      '--url',
      stack.brokerUrl,
    ]).catch((e: { code: number }) => e);
    expect((res as { code: number }).code).toBe(2);
  });

  it('exits 2 naming a flag of another command, before asking anything', async () => {
    const res = await audit(['--before', '2026-01-01T00:00:00Z']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^rolebroker: --before is an option of revoke, not audit\n/);
  });
});

/**
 * The CloudFormation template `serverless package` writes, built for a test (into a temporary
 * directory, offline, with only PATH and HOME from the environment), and the few intrinsic
 * functions a test needs to follow its wiring.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '../..');
const SERVERLESS = join(ROOT, 'node_modules/.bin/serverless');

export interface Resource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

export interface Template {
  Parameters: Record<string, { Type: string; Default?: unknown; AllowedValues?: unknown[] }>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}

/**
 * `serverless package --stage STAGE` with `--param name=value` for each entry. Not two at a
 * time: serverless-esbuild builds in the checkout's .esbuild directory.
 */
export async function packageTemplate(
  params: Record<string, string> = {},
  stage = 'ci',
): Promise<Template> {
  const dir = mkdtempSync(join(tmpdir(), 'rolebroker-package-'));
  try {
    const args = ['package', '--stage', stage, '--package', dir];
    for (const [name, value] of Object.entries(params)) args.push('--param', `${name}=${value}`);
    await run(SERVERLESS, args, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        SLS_TELEMETRY_DISABLED: '1',
      },
    });
    return JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resources of one type, by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, Resource> {
  return Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => r.Type === type));
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The value CloudFormation would deploy for `value` with the parameters at their defaults
 * (or `overrides`): Ref to a parameter, Fn::Equals, Fn::If and a condition's name are
 * evaluated; a Ref to a resource stays `{ Ref }` so the test can follow it.
 */
export function evaluate(
  template: Template,
  value: unknown,
  overrides: Record<string, unknown> = {},
): unknown {
  const param = (name: string) =>
    name in overrides ? overrides[name] : template.Parameters[name]?.Default;
  const condition = (name: string): boolean => {
    const expr = template.Conditions[name];
    if (expr === undefined) throw new Error(`no condition ${name}`);
    return evaluate(template, expr, overrides) as boolean;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObject(v)) return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'Ref' && typeof v.Ref === 'string') {
      return v.Ref in template.Parameters ? param(v.Ref) : v;
    }
    if (keys.length === 1 && keys[0] === 'Fn::Equals') {
      const [a, b] = (v['Fn::Equals'] as unknown[]).map(walk);
      return String(a) === String(b);
    }
    if (keys.length === 1 && keys[0] === 'Fn::If') {
      const [name, yes, no] = v['Fn::If'] as [string, unknown, unknown];
      return walk(condition(name) ? yes : no);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value);
}

/** Whether a resource exists with the parameters at their defaults (or `overrides`). */
export function isCreated(
  template: Template,
  logicalId: string,
  overrides: Record<string, unknown> = {},
): boolean {
  const resource = template.Resources[logicalId];
  if (!resource) return false;
  if (!resource.Condition) return true;
  return evaluate(template, template.Conditions[resource.Condition], overrides) as boolean;
}

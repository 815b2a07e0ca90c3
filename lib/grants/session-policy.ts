import { isObject, type Json, Problems } from '../validation';

/**
 * IAM's policy grammar for an inline session policy (a caller's `sessionPolicy`, and a grant's
 * own), checked before STS so that garbage is a 400 without a round trip. Problems name the
 * field path and the rule, never a value (nor a Condition's operator or key names, which are
 * the caller's text).
 */

/** STS's limit on an inline session policy, as JSON. */
export const MAX_PACKED_POLICY_CHARS = 2048;
export const POLICY_VERSIONS = ['2012-10-17', '2008-10-17'] as const;
const POLICY_FIELDS = ['Version', 'Id', 'Statement'] as const;
const STATEMENT_FIELDS = [
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
] as const;
/** Principals name who may use a resource policy; a session policy has none. */
const PRINCIPAL_FIELDS = ['Principal', 'NotPrincipal'];
const SID = /^[A-Za-z0-9]*$/;
/** What STS accepts in a policy: printable ASCII, tab, newline and carriage return. */
const POLICY_TEXT = /^[\t\n\r\x20-\x7e]*$/;

const isText = (value: unknown): value is string =>
  typeof value === 'string' && POLICY_TEXT.test(value);

/** JSON.stringify throws on absurdly deep nesting; such a policy is simply too large. */
function fitsPackedPolicy(policy: unknown): boolean {
  try {
    return JSON.stringify(policy).length <= MAX_PACKED_POLICY_CHARS;
  } catch {
    return false;
  }
}

function unknownKeys(doc: Json, allowed: readonly string[]): boolean {
  return Object.keys(doc).some((k) => !allowed.includes(k));
}

/** `Action`/`NotAction`, `Resource`/`NotResource`: exactly one of the pair, a string or strings. */
function checkPair(
  statement: Json,
  [yes, no]: readonly [string, string],
  path: string,
  problems: Problems,
): void {
  const present = [yes, no].filter((k) => statement[k] !== undefined);
  if (present.length !== 1) {
    problems.add(path, `must have exactly one of ${yes} and ${no}`);
    return;
  }
  const key = present[0] as string;
  const value = statement[key];
  const ok = Array.isArray(value) ? value.length > 0 && value.every(isText) : isText(value);
  if (!ok) {
    problems.add(
      `${path}.${key}`,
      'must be a string or a non-empty array of strings of printable ASCII',
    );
  }
}

/** Condition: operator → { key → value or values }; values are strings (IAM also takes numbers and booleans). */
function checkCondition(value: unknown, path: string, problems: Problems): void {
  const scalar = (v: unknown) => isText(v) || typeof v === 'number' || typeof v === 'boolean';
  const rule = 'must map operators to objects of condition keys to a value or an array of values';
  if (!isObject(value)) {
    problems.add(path, rule);
    return;
  }
  for (const [operator, keys] of Object.entries(value)) {
    if (!POLICY_TEXT.test(operator) || !isObject(keys)) {
      problems.add(path, rule);
      return;
    }
    for (const [key, v] of Object.entries(keys)) {
      if (!POLICY_TEXT.test(key) || !(scalar(v) || (Array.isArray(v) && v.every(scalar)))) {
        problems.add(path, rule);
        return;
      }
    }
  }
}

function checkStatement(statement: unknown, path: string, problems: Problems): void {
  if (!isObject(statement)) {
    problems.add(path, 'must be an object');
    return;
  }
  if (PRINCIPAL_FIELDS.some((k) => Object.hasOwn(statement, k))) {
    problems.add(path, 'Principal and NotPrincipal are not allowed in a session policy');
  }
  const unknown = Object.keys(statement).filter(
    (k) => !(STATEMENT_FIELDS as readonly string[]).includes(k) && !PRINCIPAL_FIELDS.includes(k),
  );
  if (unknown.length) {
    problems.add(path, `only ${STATEMENT_FIELDS.join(', ')} are allowed in a statement`);
  }
  if (
    statement.Sid !== undefined &&
    !(typeof statement.Sid === 'string' && SID.test(statement.Sid))
  ) {
    problems.add(`${path}.Sid`, 'must be alphanumeric');
  }
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    problems.add(`${path}.Effect`, 'must be "Allow" or "Deny"');
  }
  checkPair(statement, ['Action', 'NotAction'], path, problems);
  checkPair(statement, ['Resource', 'NotResource'], path, problems);
  if (statement.Condition !== undefined) {
    checkCondition(statement.Condition, `${path}.Condition`, problems);
  }
}

/**
 * An inline session policy: `Version` 2012-10-17 (or 2008-10-17), optional `Id`, and a
 * `Statement` that is one statement or a non-empty array of them; at most 2048 characters as
 * JSON. Returns the document, or undefined with its first problem added under `field` (one
 * line, so that a message stays short however broken the policy is).
 */
export function checkSessionPolicy(
  value: unknown,
  field: string,
  problems: Problems,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const found = new Problems();
  checkPolicy(value, field, found);
  if (found.none) return value as Record<string, unknown>;
  const [path, rule] = splitFirst(found.first(1));
  problems.add(path, rule);
  return undefined;
}

/** `path: rule` back into its parts (Problems joins them). */
function splitFirst(line: string): [string, string] {
  const at = line.indexOf(': ');
  return at < 0 ? ['', line] : [line.slice(0, at), line.slice(at + 2)];
}

function checkPolicy(value: unknown, field: string, problems: Problems): void {
  if (!isObject(value)) {
    problems.add(field, 'expected object');
    return;
  }
  if (unknownKeys(value, POLICY_FIELDS)) {
    problems.add(field, `only ${POLICY_FIELDS.join(', ')} are allowed in a policy`);
  }
  if (!POLICY_VERSIONS.includes(value.Version as (typeof POLICY_VERSIONS)[number])) {
    problems.add(`${field}.Version`, `must be "${POLICY_VERSIONS.join('" or "')}"`);
  }
  if (value.Id !== undefined && !isText(value.Id)) {
    problems.add(`${field}.Id`, 'must be a string of printable ASCII');
  }
  const statement = value.Statement;
  if (Array.isArray(statement)) {
    if (statement.length === 0) {
      problems.add(`${field}.Statement`, 'must be a statement or a non-empty array of statements');
    }
    for (const [i, s] of statement.entries()) {
      if (!problems.none) break;
      checkStatement(s, `${field}.Statement.${i}`, problems);
    }
  } else if (isObject(statement)) {
    checkStatement(statement, `${field}.Statement`, problems);
  } else {
    problems.add(`${field}.Statement`, 'must be a statement or a non-empty array of statements');
  }
  if (!fitsPackedPolicy(value)) {
    problems.add(field, `must be at most ${MAX_PACKED_POLICY_CHARS} characters as JSON`);
  }
}

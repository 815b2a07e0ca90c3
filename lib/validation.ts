/**
 * Small validation helpers for request bodies and grant documents. Problems are reported as
 * `field: rule` lines that name the field and the rule and never quote the value, so an
 * error message cannot leak what was sent (an external ID, a policy).
 */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects problems; `first(n)` joins them into one message, `list` holds them all. */
export class Problems {
  readonly #list: string[] = [];

  add(path: string, rule: string): void {
    this.#list.push(path ? `${path}: ${rule}` : rule);
  }

  get none(): boolean {
    return this.#list.length === 0;
  }

  get count(): number {
    return this.#list.length;
  }

  get list(): readonly string[] {
    return [...this.#list];
  }

  first(max = 5): string {
    return this.#list.slice(0, max).join('; ');
  }
}

/** Field names safe to repeat in a message (and a log line); others are only counted. */
const PLAIN_NAME = /^[A-Za-z0-9_.$-]{1,64}$/;
const MAX_NAMED = 5;

/** Reports fields of `doc` that are not in `allowed`, naming at most a few plain ones. */
export function rejectUnknownFields(doc: Json, allowed: readonly string[], problems: Problems) {
  const unknown = Object.keys(doc).filter((k) => !allowed.includes(k));
  if (!unknown.length) return;
  const named = unknown.filter((k) => PLAIN_NAME.test(k)).slice(0, MAX_NAMED);
  const rest = unknown.length - named.length;
  const list = [...named, ...(rest ? [`${rest} ${named.length ? 'more' : 'not shown'}`] : [])];
  problems.add('', `unknown field${unknown.length > 1 ? 's' : ''} ${list.join(', ')}`);
}

/** A string field: absent → undefined; otherwise it must be a string passing `test`. */
export function optionalString(
  doc: Json,
  field: string,
  test: (s: string) => boolean,
  rule: string,
  problems: Problems,
): string | undefined {
  const value = doc[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') problems.add(field, 'expected string');
  else if (!test(value)) problems.add(field, rule);
  else return value;
  return undefined;
}

/** An integer field within [min, max]; absent → `fallback`. */
export function integerIn(
  doc: Json,
  field: string,
  min: number,
  max: number,
  fallback: number | undefined,
  problems: Problems,
): number | undefined {
  const value = doc[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    problems.add(field, 'expected an integer');
  } else if (value < min || value > max) {
    problems.add(field, `must be between ${min} and ${max}`);
  } else {
    return value;
  }
  return fallback;
}

/** A boolean field; absent → `fallback`. */
export function boolean(doc: Json, field: string, fallback: boolean, problems: Problems): boolean {
  const value = doc[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    problems.add(field, 'expected boolean');
    return fallback;
  }
  return value;
}

/** An array of strings, each passing `test`, with at most `max` entries; absent → []. */
export function stringList(
  doc: Json,
  field: string,
  test: (s: string) => boolean,
  rule: string,
  max: number,
  problems: Problems,
): string[] {
  const value = doc[field];
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add(field, 'expected array');
    return [];
  }
  if (value.length > max) problems.add(field, `at most ${max} entries`);
  value.forEach((item, i) => {
    if (typeof item !== 'string') problems.add(`${field}.${i}`, 'expected string');
    else if (!test(item)) problems.add(`${field}.${i}`, rule);
  });
  return value as string[];
}

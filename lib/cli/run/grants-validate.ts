import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
// The schema alone, not lib/grants/index.ts: through the index the bundle would load the SSM
// client with it, and validate is offline.
import { GRANT_NAME, type GrantParseResult, parseGrant } from '../../grants/schema';
import { type Partition, parseRoleArn } from '../../principals';
import { type CliIo, EXIT, UsageError } from '../command';

export interface ValidateOptions {
  name?: string;
}

/** Far above SSM's largest value (8 KiB, advanced tier): a bigger file is not a grant. */
const MAX_FILE_BYTES = 64 * 1024;

/** The text of a grant file; a missing, unreadable or oversized file is a usage error. */
export function readGrantFile(file: string): string {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new UsageError(`cannot read ${file}: not a file`);
    if (stat.size > MAX_FILE_BYTES) {
      throw new UsageError(`cannot read ${file}: larger than ${MAX_FILE_BYTES / 1024} KiB`);
    }
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // "ENOENT: no such file or directory, open 'x'" without the repeated path.
    const why = (error as Error).message.split(',')[0];
    throw new UsageError(`cannot read ${file}: ${why}`);
  }
}

/** A grant name given on the command line: the schema's pattern (no `/`, so no nesting). */
export function checkGrantName(name: string, what = 'NAME'): string {
  if (!GRANT_NAME.test(name)) {
    throw new UsageError(`${what} must match [A-Za-z0-9_.-]{1,128} (a grant name, without /)`);
  }
  return name;
}

/** The JSON object in `text`, or undefined when it is not one. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Offline there is no broker region: a bare account id is read in the role's partition, the
 * only one whose broker can serve the grant.
 */
function offlinePartition(text: string): Partition {
  const roleArn = jsonObject(text)?.roleArn;
  return (typeof roleArn === 'string' && parseRoleArn(roleArn)?.partition) || 'aws';
}

/** Checks one grant document exactly as the broker would, offline. */
export function checkGrantText(name: string, text: string): GrantParseResult {
  return parseGrant(name, text, offlinePartition(text));
}

/**
 * `rolebroker grants validate FILE...`: each file against the broker's schema, every problem
 * by field on stdout (never a value). 0 all valid, 1 one is invalid, 2 one cannot be read.
 */
export function validate(files: string[], options: ValidateOptions, io: CliIo): number {
  const explicit = options.name === undefined ? undefined : checkGrantName(options.name, '--name');
  let code: number = EXIT.ok;
  for (const file of files) {
    let text: string;
    try {
      text = readGrantFile(file);
    } catch (error) {
      io.stderr(`rolebroker: ${(error as Error).message}\n`);
      code = EXIT.usage;
      continue;
    }
    const name = explicit ?? basename(file).replace(/\.json$/, '');
    const result = checkGrantText(name, text);
    if (result.ok) {
      io.stdout(`${file}: grant ${name} is valid\n`);
      continue;
    }
    const count = result.reasons.length;
    const hint =
      explicit === undefined && !GRANT_NAME.test(name)
        ? ' (the name is the file name without .json; give --name)'
        : '';
    io.stdout(
      `${file}: grant ${name} is invalid (${count} problem${count > 1 ? 's' : ''})${hint}\n` +
        result.reasons.map((reason) => `  ${reason}\n`).join(''),
    );
    if (code === EXIT.ok) code = EXIT.refused;
  }
  return code;
}

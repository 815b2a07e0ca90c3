import { GetParametersByPathCommand, type Parameter, type SSMClient } from '@aws-sdk/client-ssm';
import type { Partition } from '../principals';
import { compareGrantNames, type Grant, type GrantParseResult, parseGrant } from './schema';

/** The grants under a prefix, plus the ones that were skipped and why. */
export interface GrantSet {
  readonly grants: readonly Grant[];
  readonly invalid: readonly { readonly name: string; readonly reason: string }[];
}

/** One grant parameter: its name under `${prefix}/grants/`, SSM type and decrypted value. */
export interface GrantParameter {
  readonly name: string;
  readonly type: string;
  readonly value: string;
  readonly lastModified?: Date;
}

/** Every parameter under `${prefix}/grants/` (recursive, decrypted, all pages), with its grant name. */
export async function readGrantParameters(
  ssm: SSMClient,
  prefix: string,
): Promise<GrantParameter[]> {
  const path = `${prefix}/grants`;
  const parameters: Parameter[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ssm.send(
      new GetParametersByPathCommand({
        Path: path,
        Recursive: true,
        WithDecryption: true,
        MaxResults: 10,
        NextToken: nextToken,
      }),
    );
    parameters.push(...(page.Parameters ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return parameters.map((p) => ({
    name: (p.Name ?? '').slice(path.length + 1),
    type: p.Type ?? '',
    value: p.Value ?? '',
    lastModified: p.LastModifiedDate,
  }));
}

/** One parameter as the broker reads it: a String or SecureString holding a valid grant. */
export function parseGrantParameter(
  { name, type, value }: GrantParameter,
  partition: Partition,
): GrantParseResult {
  if (type !== 'SecureString' && type !== 'String') {
    const reason = `parameter type ${type} is not String or SecureString`;
    return { ok: false, reason, reasons: [reason] };
  }
  return parseGrant(name, value, partition);
}

/** Reads and validates every grant under the prefix; invalid ones are returned with a reason. */
export async function loadGrants(
  ssm: SSMClient,
  prefix: string,
  partition: Partition,
): Promise<GrantSet> {
  const parameters = await readGrantParameters(ssm, prefix);
  const grants: Grant[] = [];
  const invalid: { name: string; reason: string }[] = [];
  for (const parameter of parameters) {
    const result = parseGrantParameter(parameter, partition);
    if (result.ok) grants.push(result.grant);
    else invalid.push({ name: parameter.name, reason: result.reason });
  }
  grants.sort((a, b) => compareGrantNames(a.name, b.name));
  return { grants, invalid };
}

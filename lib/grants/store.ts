import { GetParametersByPathCommand, type Parameter, type SSMClient } from '@aws-sdk/client-ssm';
import type { Partition } from '../principals';
import { compareGrantNames, type Grant, parseGrant } from './schema';

/** The grants under a prefix, plus the ones that were skipped and why. */
export interface GrantSet {
  readonly grants: readonly Grant[];
  readonly invalid: readonly { readonly name: string; readonly reason: string }[];
}

/** Every parameter under `${prefix}/grants/` (recursive, decrypted, all pages), with its grant name. */
export async function readGrantParameters(
  ssm: SSMClient,
  prefix: string,
): Promise<{ name: string; type: string; value: string }[]> {
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
  }));
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
  for (const { name, type, value } of parameters) {
    if (type !== 'SecureString' && type !== 'String') {
      invalid.push({ name, reason: `parameter type ${type} is not String or SecureString` });
      continue;
    }
    const result = parseGrant(name, value, partition);
    if (result.ok) grants.push(result.grant);
    else invalid.push({ name, reason: result.reason });
  }
  grants.sort((a, b) => compareGrantNames(a.name, b.name));
  return { grants, invalid };
}

import { randomBytes } from 'node:crypto';
import type { Grant, GrantParameter } from '../../grants';
import { jsonObject } from './grants-validate';

/** One grant as `grants list` shows it: never its external ID. */
export type GrantListing =
  | {
      name: string;
      valid: true;
      roleArn: string;
      principals: string[];
      disabled: boolean;
      notBefore?: string;
      notAfter?: string;
      /** The grant sets a session policy, policy ARNs or session tags. */
      scoped: boolean;
      via: string[];
      type: string;
      lastModified?: string;
    }
  | { name: string; valid: false; problems: string[]; type: string; lastModified?: string };

/** The grant's window instant as GET /roles shows it: ISO 8601 in UTC. */
const instant = (ms: number | undefined) =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** A valid grant's listing. */
export function grantListing(grant: Grant, parameter: Omit<GrantParameter, 'value'>): GrantListing {
  const notBefore = instant(grant.notBefore);
  const notAfter = instant(grant.notAfter);
  return {
    name: parameter.name,
    valid: true,
    roleArn: grant.roleArn,
    principals: grant.principals.map((p) => p.source),
    disabled: grant.disabled,
    ...(notBefore === undefined ? {} : { notBefore }),
    ...(notAfter === undefined ? {} : { notAfter }),
    scoped:
      grant.sessionPolicy !== undefined ||
      grant.sessionPolicyArns.length > 0 ||
      Object.keys(grant.sessionTags).length > 0,
    via: [...grant.via],
    type: parameter.type,
    lastModified: parameter.lastModified?.toISOString(),
  };
}

/** An invalid grant's listing: the schema's problems, never the value. */
export function invalidListing(
  parameter: Omit<GrantParameter, 'value'>,
  problems: readonly string[],
): GrantListing {
  return {
    name: parameter.name,
    valid: false,
    problems: [...problems],
    type: parameter.type,
    lastModified: parameter.lastModified?.toISOString(),
  };
}

/** The listings as JSON, or a table with one row per grant (an invalid one's problems below it). */
export function formatGrantList(
  prefix: string,
  grants: readonly GrantListing[],
  format: 'table' | 'json',
): string {
  if (format === 'json') return JSON.stringify({ prefix, grants }, null, 2);
  if (grants.length === 0) return `no grants under ${prefix}/grants`;
  const modified = (g: GrantListing) => g.lastModified?.replace(/\.\d{3}Z$/, 'Z') ?? '-';
  const rows = [
    ['NAME', 'ROLE', 'PRINCIPALS', 'FLAGS', 'MODIFIED'],
    ...grants.map((g) =>
      g.valid
        ? [g.name, g.roleArn, g.principals.join(','), flags(g) || '-', modified(g)]
        : [g.name, '-', '-', 'invalid', modified(g)],
    ),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(rows[0] ?? []),
    ...grants.flatMap((g, i) => [
      line(rows[i + 1] ?? []),
      ...(g.valid ? [] : g.problems.map((problem) => `  ${problem}`)),
    ]),
  ].join('\n');
}

function flags(g: Extract<GrantListing, { valid: true }>): string {
  return [
    g.disabled && 'disabled',
    g.notBefore && `notBefore=${g.notBefore}`,
    g.notAfter && `notAfter=${g.notAfter}`,
    g.scoped && 'scoped',
    g.via.length > 0 && `via=${g.via.length}`,
    g.type === 'String' && 'string',
  ]
    .filter(Boolean)
    .join(',');
}

/**
 * A new external ID: 32 random bytes as base64url (43 characters of `[A-Za-z0-9_-]`, inside
 * the schema's `[\w+=,.@:/-]`).
 */
export function newExternalId(): string {
  return randomBytes(32).toString('base64url');
}

/** Stands for the broker's execution role when neither --broker-role-arn nor the env gives it. */
export const BROKER_ROLE_PLACEHOLDER = (partition: string) =>
  `arn:${partition}:iam::<broker-account-id>:role/rolebroker-<stage>-<region>-lambdaRole`;

/**
 * The trust policy the grant's role needs (docs/trust-policy.md): the principal is the last
 * hub of `via`, else the broker's execution role; AssumeRole only with the external ID.
 */
export function trustPolicy(grant: Grant, externalId: string, brokerRoleArn?: string) {
  const hub = grant.via.at(-1);
  const principal = hub ?? brokerRoleArn ?? BROKER_ROLE_PLACEHOLDER(grant.partition);
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
      {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: ['sts:SetSourceIdentity', 'sts:TagSession'],
      },
    ],
  };
  return {
    policy: JSON.stringify(policy, null, 2),
    principal: hub
      ? ('hub' as const)
      : brokerRoleArn
        ? ('broker' as const)
        : ('placeholder' as const),
  };
}

/** `text`'s JSON with `change` applied, indented as `text` was (or compact). */
export function rewriteJson(text: string, change: (doc: Record<string, unknown>) => object) {
  const doc = jsonObject(text);
  if (!doc) return undefined;
  const indent = /\n([ \t]+)"/.exec(text)?.[1];
  return JSON.stringify(change(doc), null, indent);
}

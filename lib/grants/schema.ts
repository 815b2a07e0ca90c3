import { z } from 'zod';
import type { Partition } from '../config';
import { type PrincipalPattern, parsePrincipalPattern, parseRoleArn } from '../principals';

/** AWS limits that STS enforces on AssumeRole; checked here so a grant fails at load, not per call. */
const MAX_PACKED_POLICY_CHARS = 2048;
const MAX_POLICY_ARNS = 10;
const MAX_SESSION_TAGS = 50;

export const GRANT_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

const roleArn = z.string().refine((s) => parseRoleArn(s) !== null, 'is not an IAM role ARN');
const policyArn = z
  .string()
  .regex(
    /^arn:(aws|aws-cn|aws-us-gov):iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/,
    'is not an IAM policy ARN',
  );

/** An IAM policy document given as JSON; serialised it must fit STS's inline session policy limit. */
export const sessionPolicySchema = z
  .object({
    Version: z.literal('2012-10-17'),
    Statement: z.array(z.record(z.string(), z.unknown())).min(1),
  })
  .catchall(z.unknown())
  .refine(
    (p) => JSON.stringify(p).length <= MAX_PACKED_POLICY_CHARS,
    `must be at most ${MAX_PACKED_POLICY_CHARS} characters as JSON`,
  );

const tagKey = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const tagValue = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const grantDocument = z
  .object({
    roleArn,
    externalId: z
      .string()
      .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 characters of [\\w+=,.@:/-]')
      .optional(),
    principals: z.array(z.string()).min(1, 'must list at least one principal'),
    maxDurationSeconds: z.number().int().min(900).max(3600).default(3600),
    sessionPolicy: sessionPolicySchema.optional(),
    sessionPolicyArns: z.array(policyArn).max(MAX_POLICY_ARNS).default([]),
    sessionTags: z
      .record(
        z.string().regex(tagKey, 'tag key is invalid'),
        z.string().regex(tagValue, 'tag value is invalid'),
      )
      .refine((t) => Object.keys(t).length <= MAX_SESSION_TAGS, `at most ${MAX_SESSION_TAGS} tags`)
      .default({}),
    via: z.array(roleArn).max(4, 'at most 4 hub roles').default([]),
    sourceIdentity: z.boolean().default(true),
    disabled: z.boolean().default(false),
  })
  .strict();

/** A validated grant: who (principals) may obtain which role, and how the session is scoped. */
export interface Grant {
  readonly name: string;
  readonly roleArn: string;
  readonly partition: Partition;
  /** Secret: sent to STS only. Never log or return it. */
  readonly externalId?: string;
  readonly principals: readonly PrincipalPattern[];
  readonly maxDurationSeconds: number;
  readonly sessionPolicy?: Record<string, unknown>;
  readonly sessionPolicyArns: readonly string[];
  readonly sessionTags: Readonly<Record<string, string>>;
  readonly via: readonly string[];
  readonly sourceIdentity: boolean;
  readonly disabled: boolean;
}

export type GrantParseResult = { ok: true; grant: Grant } | { ok: false; reason: string };

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * Validates one grant document from SSM. Never throws: an invalid grant yields a reason
 * that names the field, and never quotes the external ID.
 */
export function parseGrant(
  name: string,
  value: string,
  defaultPartition: Partition,
): GrantParseResult {
  if (!GRANT_NAME.test(name))
    return { ok: false, reason: 'grant name must match [A-Za-z0-9_.-]{1,128}' };
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return { ok: false, reason: 'value is not valid JSON' };
  }
  const parsed = grantDocument.safeParse(json);
  if (!parsed.success) return { ok: false, reason: describe(parsed.error) };
  const doc = parsed.data;
  const target = parseRoleArn(doc.roleArn);
  if (!target) return { ok: false, reason: 'roleArn: is not an IAM role ARN' };
  for (const hop of doc.via) {
    if (parseRoleArn(hop)?.partition !== target.partition) {
      return { ok: false, reason: 'via: hub roles must be in the partition of roleArn' };
    }
  }
  const principals: PrincipalPattern[] = [];
  for (const [i, source] of doc.principals.entries()) {
    try {
      principals.push(parsePrincipalPattern(source, defaultPartition));
    } catch (err) {
      return { ok: false, reason: `principals.${i}: ${(err as Error).message}` };
    }
  }
  return {
    ok: true,
    grant: Object.freeze({
      name,
      roleArn: doc.roleArn,
      partition: target.partition,
      externalId: doc.externalId,
      principals: Object.freeze(principals),
      maxDurationSeconds: doc.maxDurationSeconds,
      sessionPolicy: doc.sessionPolicy,
      sessionPolicyArns: doc.sessionPolicyArns,
      sessionTags: doc.sessionTags,
      via: doc.via,
      sourceIdentity: doc.sourceIdentity,
      disabled: doc.disabled,
    }),
  };
}

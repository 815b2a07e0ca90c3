import * as z from 'zod/mini';
import type { Partition } from '../config';
import { type PrincipalPattern, parsePrincipalPattern, parseRoleArn } from '../principals';
import { describeIssues } from '../validation';

/** AWS limits that STS enforces on AssumeRole; checked here so a grant fails at load, not per call. */
const MAX_PACKED_POLICY_CHARS = 2048;
const MAX_POLICY_ARNS = 10;
const MAX_SESSION_TAGS = 50;

export const GRANT_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

const roleArn = z
  .string()
  .check(z.refine((s) => parseRoleArn(s) !== null, 'is not an IAM role ARN'));
const policyArn = z
  .string()
  .check(
    z.regex(
      /^arn:(aws|aws-cn|aws-us-gov):iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/,
      'is not an IAM policy ARN',
    ),
  );

/** JSON.stringify throws on absurdly deep nesting; such a policy is simply too large. */
function fitsPackedPolicy(policy: unknown): boolean {
  try {
    return JSON.stringify(policy).length <= MAX_PACKED_POLICY_CHARS;
  } catch {
    return false;
  }
}

/** An IAM policy document given as JSON; serialised it must fit STS's inline session policy limit. */
export const sessionPolicySchema = z
  .catchall(
    z.object({
      Version: z.literal('2012-10-17'),
      Statement: z.array(z.record(z.string(), z.unknown())).check(z.minLength(1)),
    }),
    z.unknown(),
  )
  .check(
    z.refine(
      (p) => fitsPackedPolicy(p),
      `must be at most ${MAX_PACKED_POLICY_CHARS} characters as JSON`,
    ),
  );

const tagKey = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const tagValue = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const grantDocument = z.strictObject({
  roleArn,
  externalId: z.optional(
    z
      .string()
      .check(z.regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 characters of [\\w+=,.@:/-]')),
  ),
  principals: z.array(z.string()).check(z.minLength(1, 'must list at least one principal')),
  maxDurationSeconds: z._default(z.number().check(z.int(), z.minimum(900), z.maximum(3600)), 3600),
  sessionPolicy: z.optional(sessionPolicySchema),
  sessionPolicyArns: z._default(z.array(policyArn).check(z.maxLength(MAX_POLICY_ARNS)), []),
  sessionTags: z._default(
    z
      .record(
        z.string().check(z.regex(tagKey, 'tag key is invalid')),
        z.string().check(z.regex(tagValue, 'tag value is invalid')),
      )
      .check(
        z.refine(
          (t) => Object.keys(t).length <= MAX_SESSION_TAGS,
          `at most ${MAX_SESSION_TAGS} tags`,
        ),
      ),
    {},
  ),
  via: z._default(z.array(roleArn).check(z.maxLength(4, 'at most 4 hub roles')), []),
  sourceIdentity: z._default(z.boolean(), true),
  disabled: z._default(z.boolean(), false),
});

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
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
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

import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { PayloadTooLarge, ValidationError } from '../errors';
import { GRANT_NAME, sessionPolicySchema } from '../grants/schema';
import { parseRoleArn } from '../principals';
import { describeIssues } from '../validation';

export const MAX_BODY_BYTES = 16 * 1024;

const credentialsRequestSchema = z.strictObject({
  roleArn: z.string().check(
    z.maxLength(2048),
    z.refine(
      (s) => parseRoleArn(s) !== null,
      'must be an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)',
    ),
  ),
  grant: z.optional(z.string().check(z.regex(GRANT_NAME, 'must match [A-Za-z0-9_.-]{1,128}'))),
  // The upper bound is the grant's maxDurationSeconds, checked once the grant is known.
  durationSeconds: z.optional(z.number().check(z.int(), z.minimum(900), z.maximum(86_400))),
  sessionPolicy: z.optional(sessionPolicySchema),
});

/** A validated POST /credentials body. */
export type CredentialsRequest = z.infer<typeof credentialsRequestSchema>;

/**
 * Decodes and validates the POST /credentials body: at most 16 KiB, JSON, no unknown fields.
 * Error messages name fields and rules, never echo values.
 */
export function parseCredentialsRequest(
  event: Pick<APIGatewayProxyEvent | APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>,
): CredentialsRequest {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new PayloadTooLarge(`request body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  if (bytes.length === 0) throw new ValidationError('request body must be a JSON object');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ValidationError('request body is not valid UTF-8 JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ValidationError('request body must be a JSON object');
  }
  let parsed: ReturnType<typeof credentialsRequestSchema.safeParse>;
  try {
    parsed = credentialsRequestSchema.safeParse(json);
  } catch {
    // Only pathological input (e.g. nesting deep enough to exhaust the stack) gets here.
    throw new ValidationError('request body is too deeply nested');
  }
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error));
  return parsed.data;
}

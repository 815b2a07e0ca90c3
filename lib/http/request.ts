import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { PayloadTooLarge, ValidationError } from '../errors';
import { GRANT_NAME, sessionPolicySchema } from '../grants/schema';
import { parseRoleArn } from '../principals';

export const MAX_BODY_BYTES = 16 * 1024;

const credentialsRequestSchema = z
  .object({
    roleArn: z
      .string()
      .max(2048)
      .refine(
        (s) => parseRoleArn(s) !== null,
        'must be an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)',
      ),
    grant: z.string().regex(GRANT_NAME, 'must match [A-Za-z0-9_.-]{1,128}').optional(),
    durationSeconds: z.number().int().min(900).max(3600).optional(),
    sessionPolicy: sessionPolicySchema.optional(),
  })
  .strict();

/** A validated POST /credentials body. */
export type CredentialsRequest = z.infer<typeof credentialsRequestSchema>;

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

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
  const parsed = credentialsRequestSchema.safeParse(json);
  if (!parsed.success) throw new ValidationError(describe(parsed.error));
  return parsed.data;
}

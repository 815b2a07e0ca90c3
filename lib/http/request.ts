import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  type CredentialsRequest,
  durationRule,
  LONGEST_SESSION,
  MAX_CHAINED_SESSION_SECONDS,
  MIN_SESSION_SECONDS,
} from '../contract';
import { PayloadTooLarge, ValidationError } from '../errors';
import { checkSessionPolicy, GRANT_NAME } from '../grants';
import { parseRoleArn } from '../principals';
import { type Json, optionalString, Problems, rejectUnknownFields } from '../validation';

export const MAX_BODY_BYTES = 16 * 1024;
const MAX_ARN_CHARS = 2048;
const FIELDS = ['roleArn', 'grant', 'durationSeconds', 'sessionPolicy'] as const;

/**
 * Only the type and STS's absolute bounds for a chained session; the grant's own maximum is
 * checked by authorize(), whose message names it.
 */
function checkDuration(value: unknown, problems: Problems): number | 'max' | undefined {
  if (value === undefined || value === LONGEST_SESSION) return value;
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= MIN_SESSION_SECONDS &&
    value <= MAX_CHAINED_SESSION_SECONDS
  ) {
    return value;
  }
  problems.add('durationSeconds', durationRule());
  return undefined;
}

function checkRequest(body: Json): CredentialsRequest {
  const problems = new Problems();
  rejectUnknownFields(body, FIELDS, problems);
  if (body.roleArn === undefined) problems.add('roleArn', 'is required');
  const roleArn = optionalString(
    body,
    'roleArn',
    (s) => s.length <= MAX_ARN_CHARS && parseRoleArn(s) !== null,
    'must be an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)',
    problems,
  );
  const grant = optionalString(
    body,
    'grant',
    (s) => GRANT_NAME.test(s),
    'must match [A-Za-z0-9_.-]{1,128}',
    problems,
  );
  const durationSeconds = checkDuration(body.durationSeconds, problems);
  const sessionPolicy = checkSessionPolicy(body.sessionPolicy, 'sessionPolicy', problems);
  if (!problems.none || roleArn === undefined) throw new ValidationError(problems.first());
  return {
    roleArn,
    ...(grant !== undefined ? { grant } : {}),
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(sessionPolicy !== undefined ? { sessionPolicy } : {}),
  };
}

/**
 * Decodes and validates the POST /credentials body: at most 16 KiB, JSON, no unknown fields.
 * Error messages name fields and rules, never echo values.
 */
export function parseCredentialsRequest(
  event: Pick<APIGatewayProxyEvent | APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>,
): CredentialsRequest {
  const raw: unknown = event.body ?? '';
  // API Gateway sends a string or null; anything else (serverless-offline passes a parsed
  // `false` or `0` through) is not a JSON object either.
  if (typeof raw !== 'string') throw new ValidationError('request body must be a JSON object');
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
  return checkRequest(json as Json);
}

/** GET /roles takes nothing: a query string or a body is refused, never echoed. */
export function parseRolesRequest(
  event: Pick<APIGatewayProxyEvent, 'body' | 'queryStringParameters'> &
    Partial<Pick<APIGatewayProxyEventV2, 'rawQueryString'>>,
): void {
  const query = event.queryStringParameters;
  if ((query && Object.keys(query).length > 0) || event.rawQueryString) {
    throw new ValidationError('GET /roles takes no query parameters');
  }
  if (event.body !== null && event.body !== undefined && event.body !== '') {
    throw new ValidationError('GET /roles takes no request body');
  }
}

import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ErrorBody } from '../contract';
import { BrokerError, Throttled } from '../errors';

const BASE_HEADERS = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
} as const;

/** A JSON response with the contract's headers. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/**
 * The one place errors become HTTP responses. A BrokerError keeps its status, code and
 * message; anything else becomes a bare 500 with no detail.
 */
export function errorResponse(error: unknown, requestId: string): APIGatewayProxyResult {
  if (error instanceof BrokerError) {
    const headers: Record<string, string> =
      error instanceof Throttled ? { 'Retry-After': String(error.retryAfterSeconds) } : {};
    const body: ErrorBody = { error: { code: error.code, message: error.message, requestId } };
    return jsonResponse(error.statusCode, body, headers);
  }
  const body: ErrorBody = {
    error: { code: 'InternalError', message: 'internal error', requestId },
  };
  return jsonResponse(500, body);
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
]);

export type AwsFailure = 'throttled' | 'refused' | 'unavailable' | 'unknown';

/**
 * Sorts an error thrown by an AWS SDK call (after the SDK's own retries) into what the
 * broker should tell its caller. 'unknown' means it did not come from AWS or the network.
 */
export function classifyAwsError(error: unknown): AwsFailure {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (!e || typeof e !== 'object') return 'unknown';
  if (THROTTLING.has(e.name ?? '') || e.$metadata?.httpStatusCode === 429) return 'throttled';
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'unavailable';
  if (status !== undefined && status >= 400) return 'refused';
  if (
    // Node socket and TLS errors: ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPROTO, ERR_TLS_...
    /^(E[A-Z]+|ERR_TLS_\w+|ERR_SSL_\w+)$/.test(e.code ?? '') ||
    e.name === 'TimeoutError' ||
    e.name === 'RequestTimeout' ||
    e.name === 'AbortError' ||
    // The execution role's own credentials could not be loaded.
    e.name === 'CredentialsProviderError'
  ) {
    return 'unavailable';
  }
  return 'unknown';
}

/** The AWS error code, safe to log (never the message, which can quote request values). */
export function awsErrorName(error: unknown): string {
  const e = error as { name?: string; code?: string } | null;
  return e?.name ?? e?.code ?? 'Error';
}

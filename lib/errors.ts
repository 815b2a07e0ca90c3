import type { ErrorCode } from './contract';

/**
 * Errors the broker knows how to answer. Each carries the HTTP status and the contract's
 * error code; its message is safe to return to a caller (no secrets, no upstream text).
 * Anything that is not a BrokerError is answered as a bare 500 by lib/http.
 */
export class BrokerError extends Error {
  readonly statusCode: number = 500;
  readonly code: ErrorCode = 'InternalError';
}

export class ValidationError extends BrokerError {
  override readonly statusCode = 400;
  override readonly code = 'ValidationError';
  override name = 'ValidationError';
}

/** `Reason` is the rule that fired; lib/auth/reasons.ts lists the authenticator's. */
export class Unauthenticated<Reason extends string = string> extends BrokerError {
  override readonly statusCode = 401;
  override readonly code = 'Unauthenticated';
  override name = 'Unauthenticated';
  /** The rule that refused the caller; for tests and logs, not part of the answer. */
  readonly reason: Reason;
  constructor(message: string, options: ErrorOptions & { reason: Reason }) {
    super(message, options);
    this.reason = options.reason;
  }
}

export class AccessDenied extends BrokerError {
  override readonly statusCode = 403;
  override readonly code = 'AccessDenied';
  override name = 'AccessDenied';
}

/** The caller's grant matches, but its window closes before the shortest session would end. */
export class WindowClosing extends AccessDenied {
  override name = 'WindowClosing';
}

export class PayloadTooLarge extends BrokerError {
  override readonly statusCode = 413;
  override readonly code = 'PayloadTooLarge';
  override name = 'PayloadTooLarge';
}

export class Throttled extends BrokerError {
  override readonly statusCode = 429;
  override readonly code = 'Throttled';
  override name = 'Throttled';
  /** Seconds the caller should wait; sent as Retry-After. */
  readonly retryAfterSeconds: number;
  constructor(message: string, options?: ErrorOptions & { retryAfterSeconds?: number }) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds ?? 1;
  }
}

export class UpstreamRefused extends BrokerError {
  override readonly statusCode = 502;
  override readonly code = 'UpstreamRefused';
  override name = 'UpstreamRefused';
}

export class Unavailable extends BrokerError {
  override readonly statusCode = 503;
  override readonly code = 'Unavailable';
  override name = 'Unavailable';
}

/**
 * Why a caller was refused with 401: one code per rule, carried as `Unauthenticated.reason`
 * for tests and logs. Never part of the answer, whose body stays the contract's
 * `{error:{code,message,requestId}}` with the rule's message.
 */

/** Rules on the X-RoleBroker-Identity token, checked before anything is sent. */
export const TOKEN_REASONS = [
  'token-missing',
  'token-not-string',
  'token-too-large',
  'token-not-base64',
  'token-not-utf8',
  'token-not-json',
  'token-not-object',
  'token-fields',
  'token-field-type',
  'method-not-post',
  'url-invalid',
  'host-not-allowed',
  'url-has-credentials',
  'url-path-not-root',
  'url-has-query',
  'url-has-fragment',
  'body-too-large',
  'body-not-form',
  'body-repeated-parameter',
  'body-extra-parameter',
  'body-wrong-action',
  'body-wrong-version',
  'headers-too-many',
  'header-name-invalid',
  'header-value-not-string',
  'header-value-invalid',
  'header-repeated',
  'header-multiple-values',
  'authorization-missing',
  'authorization-malformed',
  'header-not-signed',
  'signed-header-not-forwarded',
  'signed-header-not-sent',
  'server-id-mismatch',
  'date-malformed',
  'signature-expired',
  'signature-in-future',
  'host-mismatch',
  'content-type-not-form',
  'content-sha256-mismatch',
] as const;

/** STS's answer to the forwarded request. */
export const ANSWER_REASONS = [
  'answer-too-large',
  'sts-redirected',
  'sts-refused',
  'answer-no-caller-arn',
] as const;

/** The caller ARN the authenticator ends up with. */
export const CALLER_REASONS = ['caller-missing', 'caller-not-principal'] as const;

export type TokenReason = (typeof TOKEN_REASONS)[number];
export type AnswerReason = (typeof ANSWER_REASONS)[number];
export type CallerReason = (typeof CALLER_REASONS)[number];
export type UnauthenticatedReason = TokenReason | AnswerReason | CallerReason;

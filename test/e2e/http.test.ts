import { describe, expect, inject, it } from 'vitest';
import {
  ARNS,
  AUDIT_GRANTS,
  GRANTS,
  INVALID_UNSAFE_GRANTS,
  UNSAFE_PARAMETERS,
} from '../../scripts/seed';

const stack = inject('stack');

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${stack.brokerUrl}/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

describe('HTTP API through serverless-offline', () => {
  it('answers GET /health with the grant count only', async () => {
    const res = await fetch(`${stack.brokerUrl}/health`);
    expect(res.status).toBe(200);
    const valid =
      Object.keys({ ...GRANTS, ...AUDIT_GRANTS, ...UNSAFE_PARAMETERS }).length -
      INVALID_UNSAFE_GRANTS.length;
    expect(await res.json()).toEqual({ status: 'ok', grants: valid });
  });

  it('answers malformed JSON with a 400 JSON error and a request id', async () => {
    const res = await post('{oops');
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { error: object };
    expect(body.error).toMatchObject({ code: 'ValidationError', requestId: expect.any(String) });
  });

  it('answers a request without an identity token with 401', async () => {
    const res = await post(JSON.stringify({ roleArn: ARNS.auditTarget }));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('Unauthenticated');
  });

  it('answers an oversized body with 413', async () => {
    const res = await post(JSON.stringify({ roleArn: ARNS.auditTarget, pad: 'x'.repeat(20_000) }));
    expect(res.status).toBe(413);
  });
});

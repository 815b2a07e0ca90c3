import { describe, expect, it } from 'vitest';
import { AccessDenied, Throttled } from '../../../lib/errors';
import { errorResponse, jsonResponse } from '../../../lib/http';

describe('HTTP responses', () => {
  it('marks every response no-store JSON', () => {
    expect(jsonResponse(200, {}).headers).toMatchObject({
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
    });
  });

  it('keeps a broker error status, code and message with the request id', () => {
    const res = errorResponse(new AccessDenied('nope'), 'req-1');
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body)).toEqual({
      error: { code: 'AccessDenied', message: 'nope', requestId: 'req-1' },
    });
  });

  it('sets Retry-After on 429', () => {
    const res = errorResponse(new Throttled('slow down', { retryAfterSeconds: 3 }), 'r');
    expect(res.statusCode).toBe(429);
    expect(res.headers?.['Retry-After']).toBe('3');
  });

  it('turns any other error into a bare 500 without its message or stack', () => {
    const res = errorResponse(new Error('secret detail at /var/task/x.js:1'), 'r');
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/secret|x\.js/);
  });
});

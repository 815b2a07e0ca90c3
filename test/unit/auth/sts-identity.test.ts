import { describe, expect, it, vi } from 'vitest';
import { createStsIdentityVerifier } from '../../../lib/auth';
import type { UnauthenticatedReason } from '../../../lib/auth/reasons';
import { Throttled, Unauthenticated, Unavailable } from '../../../lib/errors';
import {
  CALLER,
  ENDPOINT,
  encode,
  NOW,
  OK_XML,
  SERVER_ID,
  sdkToken,
  tampered,
  token,
} from './tokens';

function setup(
  reply: { statusCode?: number; body?: string; headers?: Record<string, string> } = {},
) {
  const send = vi.fn(async (_request: unknown) => ({
    statusCode: reply.statusCode ?? 200,
    headers: reply.headers ?? { 'content-type': 'text/xml' },
    body: reply.body ?? OK_XML,
  }));
  const verify = createStsIdentityVerifier({
    serverId: SERVER_ID,
    allowedEndpoints: [ENDPOINT],
    now: () => NOW.getTime(),
    send,
  });
  return { send, verify };
}
async function expectRefused(
  t: string | undefined,
  reason: UnauthenticatedReason,
  reply?: Parameters<typeof setup>[0],
) {
  const { send, verify } = setup(reply);
  const refused = verify(t);
  await expect(refused).rejects.toBeInstanceOf(Unauthenticated);
  await expect(refused).rejects.toMatchObject({ reason });
  return send;
}

describe('sts identity token verification', () => {
  it('forwards a well-formed token once and returns the caller ARN from STS', async () => {
    const { send, verify } = setup();
    await expect(verify(await token())).resolves.toBe(CALLER);
    expect(send).toHaveBeenCalledTimes(1);
    const req = send.mock.calls[0]?.[0] as unknown as {
      url: URL;
      headers: Record<string, string>;
      body: string;
    };
    expect(req.url.origin).toBe(ENDPOINT);
    expect(req.body).toBe('Action=GetCallerIdentity&Version=2011-06-15');
    expect(Object.keys(req.headers).sort()).toEqual(
      [
        'authorization',
        'content-length',
        'content-type',
        'host',
        'x-amz-date',
        'x-rolebroker-server-id',
      ].sort(),
    );
  });

  it('forwards the payload hash and SDK headers of a token from a default SigV4 signer', async () => {
    const { send, verify } = setup();
    const sdk = { 'amz-sdk-invocation-id': 'abc-123', 'amz-sdk-request': 'attempt=1' };
    await expect(verify(await sdkToken({ headers: sdk }))).resolves.toBe(CALLER);
    const req = send.mock.calls[0]?.[0] as unknown as { headers: Record<string, string> };
    expect(req.headers).toMatchObject(sdk);
    expect(req.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a signed JSON content type without sending anything', async () => {
    const send = await expectRefused(
      await sdkToken({ headers: { 'content-type': 'application/x-amz-json-1.1' } }),
      'content-type-not-form',
    );
    expect(send).not.toHaveBeenCalled();
  });

  it('answers 401, not 503, when STS refuses the signed request with a 4xx', async () => {
    for (const statusCode of [400, 403, 404, 415]) {
      await expectRefused(await token(), 'sts-refused', {
        statusCode,
        body: '<ErrorResponse><Error><Code>InvalidParameterValue</Code></Error></ErrorResponse>',
      });
    }
  });

  it('asks STS for JSON with an Accept header of its own, not one the caller signed', async () => {
    const { send, verify } = setup();
    await verify(await token());
    const req = send.mock.calls[0]?.[0] as unknown as {
      accept: string;
      headers: Record<string, string>;
    };
    expect(req.accept).toBe('application/json');
    expect(req.headers.authorization).toMatch(/SignedHeaders=(?![^,]*accept)/);
  });

  it('drops an Accept header the token carries', async () => {
    const { send, verify } = setup();
    await verify(await tampered((p) => (p.headers.accept = 'text/html')));
    const req = send.mock.calls[0]?.[0] as unknown as {
      accept: string;
      headers: Record<string, string>;
    };
    expect(req.headers).not.toHaveProperty('accept');
    expect(req.accept).toBe('application/json');
  });

  it('reads a JSON GetCallerIdentity answer too', async () => {
    const body = JSON.stringify({
      GetCallerIdentityResponse: { GetCallerIdentityResult: { Arn: CALLER } },
    });
    const { verify } = setup({ body, headers: { 'content-type': 'application/json' } });
    await expect(verify(await token())).resolves.toBe(CALLER);
  });

  it('refuses a token for a non-STS host without sending anything', async () => {
    const send = await expectRefused(
      await token({ endpoint: 'https://attacker.example.com' }),
      'host-not-allowed',
    );
    expect(send).not.toHaveBeenCalled();
  });

  it('refuses an allowed host over another scheme or port', async () => {
    const send = await expectRefused(
      await tampered((p) => (p.url = 'http://sts.eu-west-1.amazonaws.com/')),
      'host-not-allowed',
    );
    expect(send).not.toHaveBeenCalled();
    expect(
      await expectRefused(await tampered((p) => (p.url = `${ENDPOINT}:8443/`)), 'host-not-allowed'),
    ).not.toHaveBeenCalled();
  });

  it('refuses userinfo in the url', async () => {
    await expectRefused(
      await tampered((p) => (p.url = 'https://x@sts.eu-west-1.amazonaws.com/')),
      'url-has-credentials',
    );
  });

  it('refuses another path', async () => {
    await expectRefused(await tampered((p) => (p.url = `${ENDPOINT}/other`)), 'url-path-not-root');
  });

  it('refuses a query string in the url', async () => {
    await expectRefused(
      await tampered((p) => (p.url = `${ENDPOINT}/?Action=AssumeRole`)),
      'url-has-query',
    );
  });

  it('refuses another action', async () => {
    await expectRefused(
      await tampered((p) => (p.body = 'Action=AssumeRole&Version=2011-06-15')),
      'body-wrong-action',
    );
  });

  it('refuses a duplicated parameter', async () => {
    await expectRefused(
      await tampered(
        (p) => (p.body = 'Action=GetCallerIdentity&Action=GetCallerIdentity&Version=2011-06-15'),
      ),
      'body-repeated-parameter',
    );
  });

  it('refuses an extra parameter', async () => {
    await expectRefused(
      await tampered((p) => (p.body = 'Action=GetCallerIdentity&Version=2011-06-15&RoleArn=x')),
      'body-extra-parameter',
    );
  });

  it('refuses a body larger than expected', async () => {
    await expectRefused(
      await tampered(
        (p) => (p.body = `Action=GetCallerIdentity&Version=2011-06-15&x=${'a'.repeat(2000)}`),
      ),
      'body-too-large',
    );
  });

  it('refuses a method other than POST', async () => {
    await expectRefused(await tampered((p) => (p.method = 'GET')), 'method-not-post');
  });

  it('refuses a missing server id header', async () => {
    await expectRefused(
      await tampered((p) => {
        delete p.headers['x-rolebroker-server-id'];
      }),
      'signed-header-not-sent',
    );
  });

  it('refuses a token for another server id', async () => {
    await expectRefused(await token({ serverId: 'rolebroker-dev' }), 'server-id-mismatch');
  });

  it('refuses a server id that is not signed', async () => {
    await expectRefused(
      await tampered((p) => {
        p.headers.authorization = String(p.headers.authorization).replace(
          ';x-rolebroker-server-id',
          '',
        );
      }),
      'header-not-signed',
    );
  });

  it('refuses a stale X-Amz-Date', async () => {
    await expectRefused(
      await token({ now: new Date(NOW.getTime() - 6 * 60_000) }),
      'signature-expired',
    );
  });

  it('refuses an X-Amz-Date in the future', async () => {
    await expectRefused(
      await token({ now: new Date(NOW.getTime() + 6 * 60_000) }),
      'signature-in-future',
    );
  });

  it('refuses a malformed X-Amz-Date', async () => {
    await expectRefused(
      await tampered((p) => (p.headers['x-amz-date'] = '20261125T100000')),
      'date-malformed',
    );
  });

  it('refuses a missing authorization header', async () => {
    await expectRefused(
      await tampered((p) => {
        delete p.headers.authorization;
      }),
      'authorization-missing',
    );
  });

  it('refuses a signature for another service', async () => {
    await expectRefused(
      await tampered(
        (p) => (p.headers.authorization = String(p.headers.authorization).replace('/sts/', '/s3/')),
      ),
      'authorization-malformed',
    );
  });

  it('refuses a host header that differs from the url', async () => {
    await expectRefused(
      await tampered((p) => (p.headers.host = 'sts.amazonaws.com')),
      'host-mismatch',
    );
  });

  it('refuses headers repeated in another case', async () => {
    await expectRefused(
      await tampered((p) => (p.headers['X-Amz-Date'] = String(p.headers['x-amz-date']))),
      'header-repeated',
    );
  });

  it('refuses header values with control characters', async () => {
    await expectRefused(
      await tampered((p) => (p.headers['content-type'] = 'text/plain\r\nx: y')),
      'header-value-invalid',
    );
  });

  it('refuses too many headers', async () => {
    await expectRefused(
      await tampered((p) => {
        for (let i = 0; i < 25; i++) p.headers[`x-pad-${i}`] = 'v';
      }),
      'headers-too-many',
    );
  });

  it('refuses a missing token', async () => {
    await expectRefused(undefined, 'token-missing');
    await expectRefused('', 'token-missing');
  });

  it('refuses base64 garbage', async () => {
    await expectRefused('!!!not-base64!!!', 'token-not-base64');
    await expectRefused('QUJD=RA==', 'token-not-base64');
  });

  it('refuses base64 of something that is not JSON', async () => {
    await expectRefused(Buffer.from('hello').toString('base64'), 'token-not-json');
  });

  it('refuses a JSON array', async () => {
    await expectRefused(encode([1, 2]), 'token-not-object');
  });

  it('refuses wrong field types', async () => {
    await expectRefused(
      await tampered((p) => ((p as { headers: unknown }).headers = 'x')),
      'token-field-type',
    );
    await expectRefused(
      await tampered((p) => ((p as { body: unknown }).body = 1)),
      'token-field-type',
    );
  });

  it('refuses unknown fields', async () => {
    await expectRefused(
      await tampered((p) => ((p as Record<string, unknown>).extra = 1)),
      'token-fields',
    );
  });

  it('refuses an oversized token', async () => {
    await expectRefused('A'.repeat(9000), 'token-too-large');
  });

  it('refuses when STS rejects the signature', async () => {
    await expectRefused(await token(), 'sts-refused', {
      statusCode: 403,
      body: '<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>',
    });
  });

  it('refuses a redirect instead of following it', async () => {
    const send = await expectRefused(await token(), 'sts-redirected', {
      statusCode: 302,
      headers: { location: 'https://evil.example/' },
    });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('refuses an answer without a well-formed caller ARN', async () => {
    await expectRefused(await token(), 'answer-no-caller-arn', {
      body: '<GetCallerIdentityResponse><Arn>offline</Arn></GetCallerIdentityResponse>',
    });
  });

  it('answers 429 when STS throttles the identity check', async () => {
    const { verify } = setup({
      statusCode: 400,
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code></Error></ErrorResponse>',
    });
    await expect(verify(await token())).rejects.toBeInstanceOf(Throttled);
    const tooMany = setup({ statusCode: 429, body: '' });
    await expect(tooMany.verify(await token())).rejects.toBeInstanceOf(Throttled);
  });

  it('answers 503 when STS fails with 5xx', async () => {
    const { verify } = setup({ statusCode: 503, body: '' });
    await expect(verify(await token())).rejects.toBeInstanceOf(Unavailable);
  });

  it('sends once more when a reused connection turns out to be closed, and only once', async () => {
    const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    let calls = 0;
    const once = createStsIdentityVerifier({
      serverId: SERVER_ID,
      allowedEndpoints: [ENDPOINT],
      now: () => NOW.getTime(),
      send: async () => {
        calls += 1;
        if (calls === 1) throw reset();
        return { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: OK_XML };
      },
    });
    await expect(once(await token())).resolves.toBe(CALLER);
    expect(calls).toBe(2);
    let always = 0;
    const never = createStsIdentityVerifier({
      serverId: SERVER_ID,
      allowedEndpoints: [ENDPOINT],
      now: () => NOW.getTime(),
      send: async () => {
        always += 1;
        throw reset();
      },
    });
    await expect(never(await token())).rejects.toBeInstanceOf(Unavailable);
    expect(always).toBe(2);
  });

  it('answers 503 when STS does not answer in time', async () => {
    const verify = createStsIdentityVerifier({
      serverId: SERVER_ID,
      allowedEndpoints: [ENDPOINT],
      now: () => NOW.getTime(),
      timeoutMs: 20,
      send: () => new Promise(() => undefined),
    });
    await expect(verify(await token())).rejects.toBeInstanceOf(Unavailable);
  });

  it('never echoes the token in its messages', async () => {
    const t = await token({ serverId: 'other' });
    const { verify } = setup();
    const err = await verify(t).catch((e: Error) => e);
    expect(String((err as Error).message)).not.toContain(t.slice(0, 20));
    expect(err).toMatchObject({ reason: 'server-id-mismatch' });
  });
});

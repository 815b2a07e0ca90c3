import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestCredentials } from '../../lib/client';

const CALLER = {
  accessKeyId: 'AKIAEXAMPLECALLER001',
  secretAccessKey: 'caller-secret-key-for-signing-00000000',
};
let server: Server;
let seen: { headers: IncomingHttpHeaders; body: string; path: string } | undefined;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen = { headers: req.headers, body, path: req.url ?? '' };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          Credentials: {
            AccessKeyId: 'ASIAX',
            SecretAccessKey: 's',
            SessionToken: 't',
            Expiration: '2030-01-01T00:00:00Z',
          },
          AssumedRoleUser: { AssumedRoleId: 'a', Arn: 'b' },
          Grant: 'g',
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('iam-mode client requests', () => {
  it('signs POST /credentials for execute-api with a SigV4 signature that verifies', async () => {
    const region = process.env.AWS_REGION;
    process.env.AWS_REGION = 'eu-west-1';
    try {
      await requestCredentials({
        url: base,
        roleArn: 'arn:aws:iam::222222222222:role/x',
        credentials: CALLER,
      });
    } finally {
      if (region === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = region;
    }
    if (!seen) throw new Error('no request reached the server');
    expect(seen.path).toBe('/prod/credentials');
    const auth = String(seen.headers.authorization);
    expect(auth).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLECALLER001\/\d{8}\/eu-west-1\/execute-api\/aws4_request/,
    );
    // Re-sign what arrived with the same key and date: the signatures must agree.
    const url = new URL(base);
    const amzDate = String(seen.headers['x-amz-date']);
    const date = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const signer = new SignatureV4({
      credentials: CALLER,
      region: 'eu-west-1',
      service: 'execute-api',
      sha256: Sha256,
    });
    const again = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/prod/credentials',
        query: {},
        headers: {
          host: String(seen.headers.host),
          'content-type': String(seen.headers['content-type']),
        },
        body: seen.body,
      },
      { signingDate: date },
    );
    expect(again.headers.authorization).toBe(auth);
    expect(JSON.parse(seen.body)).toEqual({ roleArn: 'arn:aws:iam::222222222222:role/x' });
  });
});

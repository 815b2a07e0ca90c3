import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestCredentials } from '../../lib/client';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const IAM_RECIPE = join(ROOT, 'docs/recipes/iam-request.py');

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
/** What the server saw last (a function, so a test that cleared `seen` can read it again). */
const lastSeen = () => seen;

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

describe('iam-mode Python (botocore) recipe', () => {
  it('docs/auth.md shows docs/recipes/iam-request.py as it is', () => {
    const doc = readFileSync(join(ROOT, 'docs/auth.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## `iam` mode from Python (botocore)'));
    const block = /```python\n([\s\S]*?)```\n/.exec(section)?.[1];
    expect(block).toBe(readFileSync(IAM_RECIPE, 'utf8'));
  });

  it('signs POST /credentials for execute-api with a SigV4 signature that verifies', async () => {
    seen = undefined;
    const { stdout } = await promisify(execFile)(
      join(ROOT, '.venv/bin/python'),
      [IAM_RECIPE, base, 'arn:aws:iam::222222222222:role/x', 'eu-west-1'],
      {
        timeout: 20_000,
        env: {
          PATH: process.env.PATH,
          HOME: '/nonexistent',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ACCESS_KEY_ID: CALLER.accessKeyId,
          AWS_SECRET_ACCESS_KEY: CALLER.secretAccessKey,
        },
      },
    );
    expect(JSON.parse(stdout).Grant).toBe('g');
    const arrived = lastSeen();
    if (!arrived) throw new Error('no request reached the server');
    expect(arrived.path).toBe('/prod/credentials');
    const auth = String(arrived.headers.authorization);
    expect(auth).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLECALLER001\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=content-type;host;x-amz-date, /,
    );
    // Re-sign what arrived with @smithy/signature-v4, same key and date: the signatures agree.
    const url = new URL(base);
    const amzDate = String(arrived.headers['x-amz-date']);
    const date = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const signer = new SignatureV4({
      credentials: CALLER,
      region: 'eu-west-1',
      service: 'execute-api',
      sha256: Sha256,
      applyChecksum: false,
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
          host: String(arrived.headers.host),
          'content-type': String(arrived.headers['content-type']),
        },
        body: arrived.body,
      },
      { signingDate: date },
    );
    expect(again.headers.authorization).toBe(auth);
    expect(JSON.parse(arrived.body)).toEqual({ roleArn: 'arn:aws:iam::222222222222:role/x' });
  });
});

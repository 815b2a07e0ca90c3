import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { requestCredentials } from '../../../lib/client';
import { IDENTITY_HEADER, SERVER_ID_HEADER } from '../../../lib/contract';

const HOST = 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const saved = { ...process.env };
let sent: Record<string, string>[];

beforeEach(() => {
  sent = [];
  process.env.AWS_REGION = 'eu-west-1';
  delete process.env.ROLEBROKER_SERVER_ID;
  vi.stubGlobal('fetch', async (_url: URL, init: { headers: Record<string, string> }) => {
    sent.push(init.headers);
    return new Response('{"error":{"code":"AccessDenied","message":"no"}}', { status: 403 });
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  process.env = { ...saved };
});

/** The server id the token sent to the broker was signed for. */
async function signedServerId(options: { url: string; serverId?: string }): Promise<string> {
  sent = [];
  await requestCredentials({
    ...options,
    auth: 'sts',
    credentials,
    roleArn: 'arn:aws:iam::222222222222:role/x',
  }).catch(() => undefined);
  const token = JSON.parse(Buffer.from(sent[0]?.[IDENTITY_HEADER] ?? '', 'base64').toString());
  expect(token.headers['x-amz-date']).toBeDefined();
  return token.headers[SERVER_ID_HEADER];
}

describe('sts-mode server id default (issue 12)', () => {
  it('signs the host of the broker URL when no server id is given', async () => {
    expect(await signedServerId({ url: `https://${HOST}/prod` })).toBe(HOST);
    expect(
      await signedServerId({ url: 'https://abc.execute-api.cn-north-1.amazonaws.com.cn/prod' }),
    ).toBe('abc.execute-api.cn-north-1.amazonaws.com.cn');
  });

  it('drops the port: the id is the host name a deployed broker knows', async () => {
    expect(await signedServerId({ url: 'http://127.0.0.1:3000' })).toBe('127.0.0.1');
  });

  it('prefers ROLEBROKER_SERVER_ID, and a given server id over both', async () => {
    process.env.ROLEBROKER_SERVER_ID = 'rolebroker-local';
    expect(await signedServerId({ url: `https://${HOST}/prod` })).toBe('rolebroker-local');
    expect(await signedServerId({ url: `https://${HOST}/prod`, serverId: 'given' })).toBe('given');
  });
});

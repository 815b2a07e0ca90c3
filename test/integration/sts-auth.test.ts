import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIdentityToken } from '../../lib/client/identity-token';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { type SeededWorld, seedDemo } from '../../scripts/seed';
import { askWithToken, type LoadedBroker, loadBroker, restoreEnv } from '../support/broker';

const endpoint = inject('motoEndpoint');
const SERVER_ID = 'rolebroker-test';
let world: SeededWorld;
let broker: LoadedBroker;

beforeAll(async () => {
  world = await seedDemo(endpoint);
  broker = await loadBroker(world, {
    ROLEBROKER_AUTH: 'sts',
    ROLEBROKER_SERVER_ID: SERVER_ID,
    ROLEBROKER_STS_IDENTITY_ENDPOINTS: endpoint,
  });
});

afterAll(restoreEnv);

const tokenFor = (
  credentials: SeededWorld['callers']['demoCaller'],
  serverId = SERVER_ID,
  stsEndpoint = endpoint,
) => createIdentityToken({ credentials, region: EMULATOR_REGION, endpoint: stsEndpoint, serverId });

const ask = (token: string | undefined, body?: object) => askWithToken(broker, token, body);

describe('sts mode against the emulator', () => {
  it('issues credentials to a caller proven by a signed GetCallerIdentity', async () => {
    const res = await ask(await tokenFor(world.callers.demoCaller));
    expect(res.status).toBe(200);
    expect(res.json.SourceIdentity).toContain('demo-caller');
  });

  it('accepts a token signed by @smithy/signature-v4 with its default options', async () => {
    const url = new URL(endpoint);
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    // Defaults: no applyChecksum: false, so x-amz-content-sha256 is signed in.
    const signer = new SignatureV4({
      credentials: world.callers.demoCaller,
      region: EMULATOR_REGION,
      service: 'sts',
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'x-rolebroker-server-id': SERVER_ID,
      },
      query: {},
      body,
    });
    expect(signed.headers.authorization).toContain('x-amz-content-sha256');
    const token = Buffer.from(
      JSON.stringify({ method: 'POST', url: `${url.origin}/`, headers: signed.headers, body }),
    ).toString('base64');
    const res = await ask(token);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
  });

  it('refuses a signed JSON content type with 401, not 503', async () => {
    const url = new URL(endpoint);
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const signer = new SignatureV4({
      credentials: world.callers.demoCaller,
      region: EMULATOR_REGION,
      service: 'sts',
      sha256: Sha256,
      applyChecksum: false,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-rolebroker-server-id': SERVER_ID,
      },
      query: {},
      body,
    });
    const token = Buffer.from(
      JSON.stringify({ method: 'POST', url: `${url.origin}/`, headers: signed.headers, body }),
    ).toString('base64');
    const res = await ask(token);
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('Unauthenticated');
  });

  it('denies a proven caller that no grant names', async () => {
    const res = await ask(await tokenFor(world.callers.demoOutsider));
    expect(res.status).toBe(403);
  });

  it('refuses a token signed for another server id', async () => {
    const res = await ask(await tokenFor(world.callers.demoCaller, 'other-broker'));
    expect(res.status).toBe(401);
  });

  it('refuses a token whose signature STS rejects', async () => {
    const forged = {
      ...world.callers.demoCaller,
      secretAccessKey: 'not-the-real-secret-key-0000000000000000',
    };
    const res = await ask(await tokenFor(forged));
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('Unauthenticated');
  });

  it('refuses a token aimed at a host that is not an allowed STS endpoint', async () => {
    const res = await ask(
      await tokenFor(world.callers.demoCaller, SERVER_ID, 'http://127.0.0.2:9'),
    );
    expect(res.status).toBe(401);
  });

  it('refuses a request without a token', async () => {
    expect((await ask(undefined)).status).toBe(401);
  });
});

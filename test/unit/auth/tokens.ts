/** Signed identity tokens for the auth unit tests: signed locally, nothing is sent. */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createIdentityToken } from '../../../lib/client/identity-token';

export const ENDPOINT = 'https://sts.eu-west-1.amazonaws.com';
export const SERVER_ID = 'rolebroker-prod';
export const NOW = new Date('2026-11-25T10:00:00Z');
const CREDS = {
  accessKeyId: 'AKIAEXAMPLEEXAMPLE01',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
export const CALLER = 'arn:aws:sts::111111111111:assumed-role/app/job-1';
export const OK_XML = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${CALLER}</Arn><UserId>AROA:job-1</UserId><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`;

export type Payload = {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body: string;
};
export const decode = (t: string): Payload => JSON.parse(Buffer.from(t, 'base64').toString());
export const encode = (p: unknown) => Buffer.from(JSON.stringify(p)).toString('base64');

export const token = (overrides: { endpoint?: string; serverId?: string; now?: Date } = {}) =>
  createIdentityToken({
    credentials: CREDS,
    region: 'eu-west-1',
    endpoint: overrides.endpoint ?? ENDPOINT,
    serverId: overrides.serverId ?? SERVER_ID,
    now: overrides.now ?? NOW,
  });

/** A well-formed token, changed by `change` after signing. */
export const tampered = async (change: (p: Payload) => void) => {
  const p = decode(await token());
  change(p);
  return encode(p);
};

/**
 * A token signed by @smithy/signature-v4 with its default options (it signs
 * x-amz-content-sha256), with extra headers signed in, as the AWS SDKs' own signers build it.
 */
export const sdkToken = async (
  extra: { headers?: Record<string, string>; sessionToken?: string; body?: string } = {},
) => {
  const url = new URL(ENDPOINT);
  const body = extra.body ?? 'Action=GetCallerIdentity&Version=2011-06-15';
  const signer = new SignatureV4({
    credentials: { ...CREDS, sessionToken: extra.sessionToken },
    region: 'eu-west-1',
    service: 'sts',
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'x-rolebroker-server-id': SERVER_ID,
        ...extra.headers,
      },
      query: {},
      body,
    },
    { signingDate: NOW },
  );
  return encode({ method: 'POST', url: `${url.origin}/`, headers: signed.headers, body });
};

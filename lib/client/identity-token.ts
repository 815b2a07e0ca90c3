import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  HttpRequest,
} from '@smithy/types';
import { SERVER_ID_HEADER } from '../contract';

const BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

export interface IdentityTokenOptions {
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Signing region of the STS endpoint. */
  region: string;
  /** STS origin the broker will forward to, e.g. https://sts.eu-west-1.amazonaws.com */
  endpoint: string;
  /** The broker's ROLEBROKER_SERVER_ID; signed in so the token is useless to another broker. */
  serverId: string;
  now?: Date;
}

/**
 * Signs an sts:GetCallerIdentity request with the caller's credentials (SigV4, via
 * @smithy/signature-v4) and returns it as the base64 JSON value of the
 * X-RoleBroker-Identity header. Nothing is sent: the broker forwards it to STS.
 */
export async function createIdentityToken(options: IdentityTokenOptions): Promise<string> {
  const url = new URL(options.endpoint);
  const request: HttpRequest = {
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      [SERVER_ID_HEADER]: options.serverId,
    },
    query: {},
    body: BODY,
  };
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: 'sts',
    sha256: Sha256,
    // No x-amz-content-sha256 header: STS does not need it. The broker accepts it (it must
    // match the body), so tokens from default-configured signers work too (docs/auth.md).
    applyChecksum: false,
  });
  const signed = await signer.sign(request, options.now ? { signingDate: options.now } : {});
  const payload = { method: 'POST', url: `${url.origin}/`, headers: signed.headers, body: BODY };
  return Buffer.from(JSON.stringify(payload)).toString('base64');
}

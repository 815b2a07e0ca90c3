import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { createCache } from '../cache';
import { type BrokerRequestOptions, requestCredentials } from './request';

/** Credentials are fetched again this long before they expire. */
const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * An AWS SDK v3 credential provider backed by the broker: `new S3Client({ credentials:
 * fromBroker({ url, roleArn }) })`. It caches the session until 5 minutes before expiry and
 * shares one in-flight broker request among concurrent callers. Rejects with
 * BrokerRequestError (status, code, requestId) when the broker refuses.
 */
export function fromBroker(
  options: BrokerRequestOptions & { now?: () => number },
): AwsCredentialIdentityProvider {
  const cache = createCache<AwsCredentialIdentity>({
    max: 1,
    freshUntil: (c) => (c.expiration?.getTime() ?? 0) - REFRESH_BEFORE_MS,
    now: options.now,
  });
  const fetchFresh = async (): Promise<AwsCredentialIdentity> => {
    const { Credentials: c } = await requestCredentials(options);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: new Date(c.Expiration),
    };
  };
  return async () => (await cache.get('session', fetchFresh)).value;
}

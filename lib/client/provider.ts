import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
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
  const now = options.now ?? Date.now;
  let cached: AwsCredentialIdentity | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;

  const fetchFresh = async (): Promise<AwsCredentialIdentity> => {
    const { Credentials: c } = await requestCredentials(options);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: new Date(c.Expiration),
    };
  };

  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - REFRESH_BEFORE_MS > now())
      return cached;
    inFlight ??= fetchFresh()
      .then((fresh) => {
        cached = fresh;
        return fresh;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}

import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { BrokerRequestError, fromBroker } from '../lib/client';
import { createLogger } from '../lib/observability';

/**
 * Example of a scheduled caller ("audit Lambda" pattern): with its own execution role it
 * asks the broker for credentials for each configured target role and runs one read-only
 * call (sts:GetCallerIdentity) with them. Configure ROLEBROKER_URL and
 * ROLEBROKER_EXAMPLE_TARGETS (comma-separated role ARNs); a grant must name this role.
 */
const logger = createLogger();
const url = process.env.ROLEBROKER_URL ?? '';
const auth = process.env.ROLEBROKER_EXAMPLE_AUTH === 'sts' ? 'sts' : 'iam';
const targets = (process.env.ROLEBROKER_EXAMPLE_TARGETS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
// One provider per target for the life of the container: sessions are reused until near expiry.
const providers = new Map(targets.map((roleArn) => [roleArn, fromBroker({ url, roleArn, auth })]));

export interface TargetResult {
  roleArn: string;
  ok: boolean;
  /** The session ARN the read-only call ran as, or the broker's error code. */
  detail: string;
}

export async function handler(): Promise<{ results: TargetResult[] }> {
  const results: TargetResult[] = [];
  for (const [roleArn, credentials] of providers) {
    const sts = new STSClient({ credentials });
    try {
      const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
      results.push({ roleArn, ok: true, detail: Arn ?? '' });
      logger.info('target checked', { roleArn, session: Arn });
    } catch (error) {
      const detail =
        error instanceof BrokerRequestError
          ? `${error.status} ${error.code}`
          : (error as Error).name;
      results.push({ roleArn, ok: false, detail });
      logger.warn('target failed', { roleArn, detail });
    } finally {
      sts.destroy();
    }
  }
  return { results };
}

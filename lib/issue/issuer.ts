import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  type STSClient,
} from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { awsErrorName, classifyAwsError } from '../aws';
import { HUB_SESSION_NAME, type IssuedCredentials } from '../contract';
import { Throttled, Unavailable, UpstreamRefused, ValidationError } from '../errors';
import type { Authorization, Grant } from '../grants';
import { type Caller, sessionNameFor } from '../principals';
import { type AssumeRoleCredentials, HubSessionCache } from './hub-cache';

const HUB_DURATION_SECONDS = 3600;
/** The SDK's names for STS refusing a session policy (its codes carry an `Exception` suffix). */
const POLICY_ERRORS = new Set([
  'MalformedPolicyDocumentException',
  'PackedPolicyTooLargeException',
]);
/** STS's plain ValidationError names the failing parameter: `... at 'policy' failed to ...`. */
const POLICY_PARAMETER = /\bat 'policy'/i;

/** STS refused the session policy itself (not the role, the trust policy or the duration). */
function isPolicyError(error: unknown): boolean {
  const name = awsErrorName(error);
  if (POLICY_ERRORS.has(name)) return true;
  const message = (error as { message?: unknown } | null)?.message;
  return (
    name === 'ValidationError' && typeof message === 'string' && POLICY_PARAMETER.test(message)
  );
}

/** An authorized request (lib/grants authorize) and the caller it is for. */
export interface IssueInput extends Authorization {
  readonly caller: Caller;
}

export interface IssuerDeps {
  /** STS client with the broker's own (execution role) credentials. */
  readonly sts: STSClient;
  /** Builds an STS client that signs with hub-role credentials. */
  readonly stsFor: (credentials: AwsCredentialIdentity) => STSClient;
  readonly hubs?: HubSessionCache;
  readonly now?: () => number;
  /** Observability hook: one call per AssumeRole sent. */
  readonly onAssumeRole?: (hop: 'hub' | 'target') => void;
}

export interface Issuer {
  /** Chains through the grant's hubs and assumes the target role for an authorized request. */
  issue(input: IssueInput): Promise<IssuedCredentials>;
  /** Drops cached hub sessions. */
  clear(): void;
}

function toIssued(
  grant: Grant,
  out: {
    Credentials?: AssumeRoleCredentials;
    AssumedRoleUser?: { AssumedRoleId?: string; Arn?: string };
    SourceIdentity?: string;
  },
  sourceIdentity: string | undefined,
): IssuedCredentials {
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    throw new Unavailable('STS returned no credentials');
  }
  return {
    Credentials: {
      AccessKeyId: c.AccessKeyId,
      SecretAccessKey: c.SecretAccessKey,
      SessionToken: c.SessionToken,
      Expiration: c.Expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    AssumedRoleUser: {
      AssumedRoleId: out.AssumedRoleUser?.AssumedRoleId ?? '',
      Arn: out.AssumedRoleUser?.Arn ?? '',
    },
    ...(sourceIdentity ? { SourceIdentity: out.SourceIdentity ?? sourceIdentity } : {}),
    Grant: grant.name,
  };
}

function mapStsError(error: unknown, grant: Grant, callerPolicy: boolean): Error {
  const name = awsErrorName(error);
  if (callerPolicy && isPolicyError(error)) {
    return new ValidationError(`sessionPolicy was rejected by STS (${name})`, { cause: error });
  }
  switch (classifyAwsError(error)) {
    case 'throttled':
      return new Throttled('STS is throttling the broker; retry later', {
        cause: error,
        retryAfterSeconds: 2,
      });
    case 'refused':
      return new UpstreamRefused(
        `STS refused the broker for grant ${grant.name} (${name}): check the role's trust policy, external ID and the broker's permissions`,
        { cause: error },
      );
    case 'unavailable':
      return new Unavailable('STS is unreachable; retry later', { cause: error });
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Issues credentials for one grant: through each `via` hub role (sessions cached and shared,
 * without caller identity), then the target role with the grant's external ID, the caller's
 * session name and SourceIdentity, and the grant's scoping. Final sessions are not kept here
 * (per-caller reuse is SessionReuse's job).
 */
export function createIssuer(deps: IssuerDeps): Issuer {
  const hubs = deps.hubs ?? new HubSessionCache(deps.now);

  async function hubClient(via: readonly string[]): Promise<STSClient> {
    let client = deps.sts;
    for (let i = 0; i < via.length; i++) {
      const source = client;
      const roleArn = via[i] as string;
      const session = await hubs.get(via.slice(0, i + 1).join('>'), async () => {
        deps.onAssumeRole?.('hub');
        const out = await source.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: HUB_SESSION_NAME,
            DurationSeconds: HUB_DURATION_SECONDS,
          }),
        );
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
          throw new Unavailable('STS returned no credentials for a hub role');
        }
        return {
          client: deps.stsFor({
            accessKeyId: c.AccessKeyId,
            secretAccessKey: c.SecretAccessKey,
            sessionToken: c.SessionToken,
            expiration: c.Expiration,
          }),
          expiresAt: c.Expiration.getTime(),
        };
      });
      client = session.client;
    }
    return client;
  }

  return {
    async issue(input) {
      const { grant, caller } = input;
      const sessionName = sessionNameFor(caller);
      const policy = grant.sessionPolicy ?? input.callerPolicy;
      const tags = Object.entries(grant.sessionTags).map(([Key, Value]) => ({ Key, Value }));
      const params: AssumeRoleCommandInput = {
        RoleArn: grant.roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: input.durationSeconds,
        ...(grant.externalId ? { ExternalId: grant.externalId } : {}),
        ...(policy ? { Policy: JSON.stringify(policy) } : {}),
        ...(grant.sessionPolicyArns.length
          ? { PolicyArns: grant.sessionPolicyArns.map((arn) => ({ arn })) }
          : {}),
        ...(tags.length ? { Tags: tags } : {}),
        ...(grant.sourceIdentity ? { SourceIdentity: sessionName } : {}),
      };
      try {
        const client = await hubClient(grant.via);
        deps.onAssumeRole?.('target');
        const out = await client.send(new AssumeRoleCommand(params));
        return toIssued(grant, out, grant.sourceIdentity ? sessionName : undefined);
      } catch (error) {
        throw mapStsError(error, grant, input.callerPolicy !== undefined);
      }
    },
    clear: () => hubs.clear(),
  };
}

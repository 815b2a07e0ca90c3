import * as z from 'zod/mini';
import { describeIssues } from './validation';

const positiveSeconds = (fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(86_400)), fallback);

const envSchema = z.object({
  ROLEBROKER_SSM_PREFIX: z._default(
    z
      .string()
      .check(
        z.regex(/^(\/[A-Za-z0-9_.-]+)+$/, 'must look like /name or /a/b, without a trailing slash'),
      ),
    '/rolebroker',
  ),
  ROLEBROKER_AUTH: z._default(z.enum(['iam', 'sts']), 'iam'),
  ROLEBROKER_SERVER_ID: z.optional(
    z.string().check(z.regex(/^[\x21-\x7e]{1,128}$/, 'must be 1-128 printable characters')),
  ),
  ROLEBROKER_STAGE: z._default(z.string().check(z.minLength(1)), 'dev'),
  ROLEBROKER_GRANTS_TTL_SECONDS: positiveSeconds(60),
  ROLEBROKER_MAX_STALE_SECONDS: positiveSeconds(900),
  ROLEBROKER_STS_IDENTITY_ENDPOINTS: z.optional(z.string()),
  ROLEBROKER_SESSION_REUSE: z._default(z.enum(['on', 'off']), 'on'),
  ROLEBROKER_SESSION_REUSE_MIN_SECONDS: z._default(
    z.coerce.number().check(z.int(), z.minimum(300), z.maximum(3300)),
    600,
  ),
  AWS_REGION: z
    .string()
    .check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1')),
});

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** Validated broker settings, read once per cold start. */
export interface BrokerConfig {
  readonly ssmPrefix: string;
  readonly auth: 'iam' | 'sts';
  readonly serverId: string;
  readonly grantsTtlMs: number;
  readonly maxStaleMs: number;
  /** Origins (scheme://host[:port]) a signed GetCallerIdentity may be sent to in `sts` mode. */
  readonly stsIdentityEndpoints: readonly string[];
  /** Hand a caller's live session out again while this many seconds remain; 0 = off. */
  readonly sessionReuseMinSeconds: number;
  readonly region: string;
  readonly partition: Partition;
}

export function partitionOf(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function defaultStsEndpoints(region: string, partition: Partition): string[] {
  const suffix = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  const regional = `https://sts.${region}.${suffix}`;
  return partition === 'aws' ? [regional, 'https://sts.amazonaws.com'] : [regional];
}

function parseOrigins(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const url = new URL(s);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new Error(`ROLEBROKER_STS_IDENTITY_ENDPOINTS: ${s} is not an http(s) URL`);
      }
      return url.origin;
    });
}

/**
 * Reads and validates the broker's environment. Throws on any invalid value so that a
 * misconfigured function fails at cold start rather than on its first caller.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid rolebroker configuration: ${describeIssues(parsed.error, 20)}`);
  }
  const e = parsed.data;
  const partition = partitionOf(e.AWS_REGION);
  return Object.freeze({
    ssmPrefix: e.ROLEBROKER_SSM_PREFIX,
    auth: e.ROLEBROKER_AUTH,
    serverId: e.ROLEBROKER_SERVER_ID ?? e.ROLEBROKER_STAGE,
    grantsTtlMs: e.ROLEBROKER_GRANTS_TTL_SECONDS * 1000,
    maxStaleMs: e.ROLEBROKER_MAX_STALE_SECONDS * 1000,
    stsIdentityEndpoints: Object.freeze(
      e.ROLEBROKER_STS_IDENTITY_ENDPOINTS
        ? parseOrigins(e.ROLEBROKER_STS_IDENTITY_ENDPOINTS)
        : defaultStsEndpoints(e.AWS_REGION, partition),
    ),
    sessionReuseMinSeconds:
      e.ROLEBROKER_SESSION_REUSE === 'on' ? e.ROLEBROKER_SESSION_REUSE_MIN_SECONDS : 0,
    region: e.AWS_REGION,
    partition,
  });
}

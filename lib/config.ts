import { type Partition, partitionOf } from './principals';
import { Problems } from './validation';

type Env = Record<string, string | undefined>;

/** Forms of ROLEBROKER_SSM_PREFIX and AWS_REGION (also the CLI's --prefix and --region). */
export const SSM_PREFIX = /^(\/[A-Za-z0-9_.-]+)+$/;
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Collects one message per invalid variable, so a misconfiguration is reported whole. */
class EnvReader {
  readonly problems = new Problems();
  constructor(private readonly env: Env) {}

  string(name: string, fallback: string, pattern: RegExp, rule: string): string {
    const value = this.env[name] ?? fallback;
    if (!pattern.test(value)) this.problems.add(name, rule);
    return value;
  }

  optional(name: string, pattern: RegExp, rule: string): string | undefined {
    const value = this.env[name];
    if (value !== undefined && !pattern.test(value)) this.problems.add(name, rule);
    return value;
  }

  oneOf<T extends string>(name: string, fallback: T, values: readonly T[]): T {
    const value = (this.env[name] ?? fallback) as T;
    if (!values.includes(value)) this.problems.add(name, `must be one of ${values.join(', ')}`);
    return value;
  }

  seconds(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    const value = raw === undefined || raw.trim() === '' ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.add(name, `must be a whole number of seconds from ${min} to ${max}`);
    }
    return value;
  }
}

/** Validated broker settings, read once per cold start. */
export interface BrokerConfig {
  readonly ssmPrefix: string;
  readonly auth: 'iam' | 'sts';
  /**
   * `sts` mode: the value callers sign into `x-rolebroker-server-id`. Required in `sts` mode
   * (deployed, serverless.yml sets the API's own host); never defaulted to the stage, which
   * every deployment of that stage in every account shares. Empty in `iam` mode when unset.
   */
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
export function loadConfig(env: Env = process.env): BrokerConfig {
  const read = new EnvReader(env);
  const ssmPrefix = read.string(
    'ROLEBROKER_SSM_PREFIX',
    '/rolebroker',
    SSM_PREFIX,
    'must look like /name or /a/b, without a trailing slash',
  );
  const auth = read.oneOf('ROLEBROKER_AUTH', 'iam', ['iam', 'sts'] as const);
  const serverId = read.optional(
    'ROLEBROKER_SERVER_ID',
    /^[\x21-\x7e]{1,128}$/,
    'must be 1-128 printable characters',
  );
  read.string('ROLEBROKER_STAGE', 'dev', /^.+$/, 'must not be empty');
  if (auth === 'sts' && serverId === undefined) {
    read.problems.add(
      'ROLEBROKER_SERVER_ID',
      "is required in sts mode (deployed: the API's host, <api-id>.execute-api.<region>.amazonaws.com, which serverless.yml sets); the stage name is no longer a default",
    );
  }
  const grantsTtl = read.seconds('ROLEBROKER_GRANTS_TTL_SECONDS', 60, 0, 86_400);
  const maxStale = read.seconds('ROLEBROKER_MAX_STALE_SECONDS', 900, 0, 86_400);
  const reuse = read.oneOf('ROLEBROKER_SESSION_REUSE', 'on', ['on', 'off'] as const);
  const reuseMin = read.seconds('ROLEBROKER_SESSION_REUSE_MIN_SECONDS', 600, 300, 3300);
  const region = read.string('AWS_REGION', '', REGION, 'must be an AWS region such as eu-west-1');
  if (!read.problems.none) {
    throw new Error(`invalid rolebroker configuration: ${read.problems.first(20)}`);
  }
  const partition = partitionOf(region);
  const endpoints = env.ROLEBROKER_STS_IDENTITY_ENDPOINTS;
  return Object.freeze({
    ssmPrefix,
    auth,
    serverId: serverId ?? '',
    grantsTtlMs: grantsTtl * 1000,
    maxStaleMs: maxStale * 1000,
    stsIdentityEndpoints: Object.freeze(
      endpoints ? parseOrigins(endpoints) : defaultStsEndpoints(region, partition),
    ),
    sessionReuseMinSeconds: reuse === 'on' ? reuseMin : 0,
    region,
    partition,
  });
}

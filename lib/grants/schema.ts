import { MAX_CHAINED_SESSION_SECONDS, MIN_SESSION_SECONDS } from '../contract';
import {
  type Partition,
  type PrincipalPattern,
  parsePrincipalPattern,
  parseRoleArn,
} from '../principals';
import {
  boolean,
  integerIn,
  isObject,
  type Json,
  optionalString,
  Problems,
  rejectUnknownFields,
  stringList,
} from '../validation';
import { optionalInstant } from './instant';
import { checkSessionPolicy } from './session-policy';

/** AWS limits that STS enforces on AssumeRole; checked here so a grant fails at load, not per call. */
const MAX_POLICY_ARNS = 10;
const MAX_SESSION_TAGS = 50;
const MAX_HUBS = 4;

export const GRANT_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * Grant names in code-point order: the same in every locale, and without the ICU collator
 * that `localeCompare` builds on first use (3-9 ms of a cold start).
 */
export const compareGrantNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const POLICY_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const GRANT_FIELDS = [
  'roleArn',
  'externalId',
  'principals',
  'maxDurationSeconds',
  'sessionPolicy',
  'sessionPolicyArns',
  'sessionTags',
  'via',
  'sourceIdentity',
  'disabled',
  'notBefore',
  'notAfter',
] as const;

const isRoleArn = (s: string) => parseRoleArn(s) !== null;

function sessionTags(doc: Json, problems: Problems): Record<string, string> {
  const tags = doc.sessionTags;
  if (tags === undefined) return {};
  if (!isObject(tags)) {
    problems.add('sessionTags', 'expected object');
    return {};
  }
  const entries = Object.entries(tags);
  if (entries.length > MAX_SESSION_TAGS)
    problems.add('sessionTags', `at most ${MAX_SESSION_TAGS} tags`);
  for (const [key, value] of entries) {
    if (!TAG_KEY.test(key)) problems.add('sessionTags', 'tag key is invalid');
    if (typeof value !== 'string' || !TAG_VALUE.test(value)) {
      problems.add(`sessionTags.${TAG_KEY.test(key) ? key : '?'}`, 'tag value is invalid');
    }
  }
  return tags as Record<string, string>;
}

/** A validated grant: who (principals) may obtain which role, and how the session is scoped. */
export interface Grant {
  readonly name: string;
  readonly roleArn: string;
  readonly partition: Partition;
  /** Secret: sent to STS only. Never log or return it. */
  readonly externalId?: string;
  readonly principals: readonly PrincipalPattern[];
  readonly maxDurationSeconds: number;
  readonly sessionPolicy?: Record<string, unknown>;
  readonly sessionPolicyArns: readonly string[];
  readonly sessionTags: Readonly<Record<string, string>>;
  readonly via: readonly string[];
  readonly sourceIdentity: boolean;
  readonly disabled: boolean;
  /** The window, in epoch ms: the grant matches from `notBefore` (inclusive) until `notAfter`. */
  readonly notBefore?: number;
  readonly notAfter?: number;
}

export type GrantParseResult =
  | { ok: true; grant: Grant }
  | {
      ok: false;
      /** The first problems joined into one line (the log line's and the audit's reason). */
      reason: string;
      /** Every problem, one `field: rule` each (`rolebroker grants validate` lists them). */
      reasons: readonly string[];
    };

/**
 * Validates one grant document from SSM. Never throws: an invalid grant yields every
 * problem, each naming its field, none quoting the external ID.
 */
export function parseGrant(
  name: string,
  value: string,
  defaultPartition: Partition,
): GrantParseResult {
  const problems = new Problems();
  if (!GRANT_NAME.test(name)) problems.add('', 'grant name must match [A-Za-z0-9_.-]{1,128}');
  const grant = parseDocument(name, value, defaultPartition, problems);
  if (grant && problems.none) return { ok: true, grant };
  return { ok: false, reason: problems.first(), reasons: problems.list };
}

function parseDocument(
  name: string,
  value: string,
  defaultPartition: Partition,
  problems: Problems,
): Grant | undefined {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    problems.add('', 'value is not valid JSON');
    return undefined;
  }
  if (!isObject(json)) {
    problems.add('', 'value must be a JSON object');
    return undefined;
  }
  rejectUnknownFields(json, GRANT_FIELDS, problems);
  if (json.roleArn === undefined) problems.add('roleArn', 'is required');
  const doc = {
    roleArn: optionalString(json, 'roleArn', isRoleArn, 'is not an IAM role ARN', problems) ?? '',
    externalId: optionalString(
      json,
      'externalId',
      (s) => EXTERNAL_ID.test(s),
      'must be 2-1224 characters of [\\w+=,.@:/-]',
      problems,
    ),
    principals: stringList(json, 'principals', () => true, '', Number.MAX_SAFE_INTEGER, problems),
    maxDurationSeconds:
      integerIn(
        json,
        'maxDurationSeconds',
        MIN_SESSION_SECONDS,
        MAX_CHAINED_SESSION_SECONDS,
        MAX_CHAINED_SESSION_SECONDS,
        problems,
      ) ?? MAX_CHAINED_SESSION_SECONDS,
    sessionPolicy: checkSessionPolicy(json.sessionPolicy, 'sessionPolicy', problems),
    sessionPolicyArns: stringList(
      json,
      'sessionPolicyArns',
      (s) => POLICY_ARN.test(s),
      'is not an IAM policy ARN',
      MAX_POLICY_ARNS,
      problems,
    ),
    sessionTags: sessionTags(json, problems),
    via: stringList(json, 'via', isRoleArn, 'is not an IAM role ARN', MAX_HUBS, problems),
    sourceIdentity: boolean(json, 'sourceIdentity', true, problems),
    disabled: boolean(json, 'disabled', false, problems),
    notBefore: optionalInstant(json, 'notBefore', problems),
    notAfter: optionalInstant(json, 'notAfter', problems),
  };
  if (json.principals === undefined) problems.add('principals', 'is required');
  else if (Array.isArray(json.principals) && json.principals.length === 0) {
    problems.add('principals', 'must list at least one principal');
  }
  if (doc.notBefore !== undefined && doc.notAfter !== undefined && doc.notAfter <= doc.notBefore) {
    problems.add('notAfter', 'must be after notBefore');
  }
  // Checked even beside other problems, so that every one is reported; entries of the wrong
  // type were reported above and are skipped here.
  const target = parseRoleArn(doc.roleArn);
  doc.via.forEach((hop, i) => {
    const hub = typeof hop === 'string' ? parseRoleArn(hop) : null;
    if (target && hub && hub.partition !== target.partition) {
      problems.add(`via.${i}`, 'hub roles must be in the partition of roleArn');
    }
  });
  const principals: PrincipalPattern[] = [];
  doc.principals.forEach((source, i) => {
    if (typeof source !== 'string') return;
    let pattern: PrincipalPattern;
    try {
      pattern = parsePrincipalPattern(source, defaultPartition);
    } catch (err) {
      problems.add(`principals.${i}`, (err as Error).message);
      return;
    }
    // A principal of another partition can never be the caller: a broker serves one partition.
    if (target && pattern.partition !== target.partition) {
      const bare =
        pattern.source === pattern.accountId ? " (a bare account id is the broker's)" : '';
      problems.add(
        `principals.${i}`,
        `is in partition ${pattern.partition}${bare}, roleArn in ${target.partition}`,
      );
    }
    principals.push(pattern);
  });
  if (!target || !problems.none) return undefined;
  return Object.freeze({
    name,
    roleArn: doc.roleArn,
    partition: target.partition,
    externalId: doc.externalId,
    principals: Object.freeze(principals),
    maxDurationSeconds: doc.maxDurationSeconds,
    sessionPolicy: doc.sessionPolicy,
    sessionPolicyArns: doc.sessionPolicyArns,
    sessionTags: doc.sessionTags,
    via: doc.via,
    sourceIdentity: doc.sourceIdentity,
    disabled: doc.disabled,
    ...(doc.notBefore !== undefined ? { notBefore: doc.notBefore } : {}),
    ...(doc.notAfter !== undefined ? { notAfter: doc.notAfter } : {}),
  });
}

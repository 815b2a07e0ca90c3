import type { Finding, Severity } from './findings';

/**
 * One statement of a trust policy as written; every field is unvalidated JSON. The audit
 * follows IAM's evaluation for one question: who other than the broker can assume the role,
 * and is the external ID really required (docs/audit.md, contract §7).
 */
interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Condition?: unknown;
}

const list = (v: unknown): string[] =>
  v === undefined
    ? []
    : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');

const lower = (s: string) => s.toLowerCase();

/** IAM wildcard match (`*` any run, `?` one character); case-insensitive when asked. */
function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(
    `^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`,
    ignoreCase ? 'is' : 's',
  );
  return re.test(value);
}

const hasWildcard = (s: string) => /[*?]/.test(s);

/** Whether a statement's Action / NotAction covers `action` (IAM matches actions case-insensitively). */
function coversAction(statement: Statement, action: string): boolean {
  if (statement.Action !== undefined) {
    return list(statement.Action).some((a) => wildcard(a, action, true));
  }
  if (statement.NotAction !== undefined) {
    return !list(statement.NotAction).some((a) => wildcard(a, action, true));
  }
  return false;
}

type Kind = 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';
/** One principal a statement names; `*` is anyone (any kind). */
interface Entry {
  readonly kind: Kind | '*';
  readonly value: string;
  /** The entry came from an Allow's NotPrincipal: everyone except the listed principals. */
  readonly notPrincipal?: boolean;
}

function entriesOf(element: unknown): Entry[] {
  if (element === '*') return [{ kind: '*', value: '*' }];
  if (!element || typeof element !== 'object' || Array.isArray(element)) return [];
  const out: Entry[] = [];
  for (const [rawKind, values] of Object.entries(element as Record<string, unknown>)) {
    const kind = (['AWS', 'Service', 'Federated', 'CanonicalUser'] as const).find(
      (k) => lower(k) === lower(rawKind),
    );
    if (!kind) continue;
    for (const value of list(values)) {
      out.push(value === '*' ? { kind: '*', value: '*' } : { kind, value });
    }
  }
  return out;
}

const accountOf = (principal: string) =>
  /^(\d{12})$/.exec(principal)?.[1] ?? /^arn:[\w-]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
const isAccountRoot = (principal: string) =>
  /^\d{12}$/.test(principal) || /^arn:[\w-]+:iam::\d{12}:root$/.test(principal);

/** A requirement a request must meet for an Allow to admit it (after Deny statements). */
interface Constraint {
  /** Condition key, lower case. */
  readonly key: string;
  readonly test: 'equals' | 'like' | 'present' | 'absent';
  readonly values: readonly string[];
  readonly ignoreCase: boolean;
  /** A request without the key passes (IfExists, ForAllValues:). */
  readonly missingPasses: boolean;
}

interface ParsedOperator {
  readonly base: string;
  readonly ifExists: boolean;
  readonly set: 'any' | 'all' | undefined;
}

function parseOperator(raw: string): ParsedOperator {
  let op = lower(raw);
  let set: ParsedOperator['set'];
  if (op.startsWith('foranyvalue:')) {
    set = 'any';
    op = op.slice('foranyvalue:'.length);
  } else if (op.startsWith('forallvalues:')) {
    set = 'all';
    op = op.slice('forallvalues:'.length);
  }
  const ifExists = op.endsWith('ifexists');
  if (ifExists) op = op.slice(0, -'ifexists'.length);
  return { base: op, ifExists, set };
}

const POSITIVE: Record<string, { test: 'equals' | 'like'; ignoreCase: boolean }> = {
  stringequals: { test: 'equals', ignoreCase: false },
  stringequalsignorecase: { test: 'equals', ignoreCase: true },
  stringlike: { test: 'like', ignoreCase: false },
  arnequals: { test: 'equals', ignoreCase: false },
  arnlike: { test: 'like', ignoreCase: false },
};
const NEGATIVE: Record<string, string> = {
  stringnotequals: 'stringequals',
  stringnotequalsignorecase: 'stringequalsignorecase',
  stringnotlike: 'stringlike',
  arnnotequals: 'arnequals',
  arnnotlike: 'arnlike',
};

type ConditionBlock = { operator: ParsedOperator; key: string; values: string[] };

function conditionBlocks(statement: Statement): ConditionBlock[] {
  const c = statement.Condition;
  if (!c || typeof c !== 'object') return [];
  const out: ConditionBlock[] = [];
  for (const [operator, keys] of Object.entries(c as Record<string, unknown>)) {
    if (!keys || typeof keys !== 'object') continue;
    for (const [key, value] of Object.entries(keys as Record<string, unknown>)) {
      // Values may be written as JSON booleans or numbers (`"Null": {"k": true}`).
      const values = (Array.isArray(value) ? value : [value])
        .filter((v) => ['string', 'boolean', 'number'].includes(typeof v))
        .map(String);
      out.push({ operator: parseOperator(operator), key: lower(key), values });
    }
  }
  return out;
}

/**
 * What an Allow's condition block requires, or undefined when it does not narrow (negated
 * operators, operators the audit does not model: an Allow is read as generously as it may be).
 */
function allowConstraint(b: ConditionBlock): Constraint | undefined {
  const { base, ifExists, set } = b.operator;
  if (base === 'null') {
    if (set) return undefined;
    const v = b.values.map(lower);
    if (v.length !== 1) return undefined;
    return {
      key: b.key,
      test: v[0] === 'true' ? 'absent' : 'present',
      values: [],
      ignoreCase: false,
      missingPasses: false,
    };
  }
  const positive = POSITIVE[base];
  if (!positive) return undefined;
  // ForAllValues: is true for a request without the key (the empty set); IfExists too.
  return { key: b.key, values: b.values, ...positive, missingPasses: ifExists || set === 'all' };
}

/**
 * What a Deny with this single condition block requires of every request it covers (the
 * negation of the block), or undefined when that negation is not one requirement.
 */
function denyConstraint(b: ConditionBlock): Constraint | undefined {
  const { base, set } = b.operator;
  if (set) return undefined;
  if (base === 'null') {
    const v = b.values.map(lower);
    if (v.length !== 1) return undefined;
    // Deny when the key is absent ⇒ it must be present, and the reverse.
    return {
      key: b.key,
      test: v[0] === 'true' ? 'present' : 'absent',
      values: [],
      ignoreCase: false,
      missingPasses: false,
    };
  }
  const positive = NEGATIVE[base] ? POSITIVE[NEGATIVE[base]] : undefined;
  if (!positive) return undefined;
  // A negated operator is true for a missing key (with or without IfExists), so the Deny
  // applies to a request without it: the key is required.
  return { key: b.key, values: b.values, ...positive, missingPasses: false };
}

function satisfies(c: Constraint, value: string | undefined): boolean {
  if (c.test === 'present') return value !== undefined;
  if (c.test === 'absent') return value === undefined;
  if (value === undefined) return c.missingPasses;
  return c.values.some((v) =>
    c.test === 'like'
      ? wildcard(v, value, c.ignoreCase)
      : c.ignoreCase
        ? lower(v) === lower(value)
        : v === value,
  );
}

export interface TrustContext {
  readonly grant: string;
  readonly roleArn: string;
  readonly roleAccount: string;
  readonly hop: 'target' | 'hub';
  /** The grant's external ID for the target hop; hubs are assumed without one. */
  readonly externalId?: string;
  readonly needsSourceIdentity: boolean;
  readonly needsTagSession: boolean;
  /**
   * The broker's own principals (execution or hub role, and its session ARN), when known.
   * Without them every named (non-root) AWS principal may be the broker.
   */
  readonly brokerPrincipals?: readonly string[];
}

/** Parses a trust policy as GetRole returns it (URL-encoded JSON). */
export function parseTrustPolicy(document: string): Statement[] | null {
  try {
    const text = document.trim().startsWith('{') ? document : decodeURIComponent(document);
    const parsed = JSON.parse(text) as { Statement?: unknown };
    const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
    return statements.filter((s): s is Statement => !!s && typeof s === 'object');
  } catch {
    return null;
  }
}

const isEffect = (s: Statement, effect: 'allow' | 'deny') =>
  typeof s.Effect === 'string' && lower(s.Effect) === effect;

/** Actions by which a principal of each kind assumes a role. */
const ASSUME_ACTIONS: Record<Entry['kind'], string[]> = {
  AWS: ['sts:AssumeRole'],
  Service: ['sts:AssumeRole'],
  CanonicalUser: ['sts:AssumeRole'],
  Federated: ['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'],
  '*': ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'],
};

/** Whether a Deny's principal element covers every request the entry admits. */
function denyCovers(deny: Statement, entry: Entry): boolean {
  if (deny.Principal !== undefined) {
    return entriesOf(deny.Principal).some(
      (d) =>
        d.kind === '*' ||
        (d.kind === entry.kind &&
          (lower(d.value) === lower(entry.value) ||
            (entry.kind === 'AWS' &&
              isAccountRoot(d.value) &&
              accountOf(d.value) === accountOf(entry.value)))),
    );
  }
  if (deny.NotPrincipal !== undefined) {
    // Everyone except the listed principals: it covers the entry unless the entry is listed.
    return !entriesOf(deny.NotPrincipal).some(
      (d) => d.kind === entry.kind && lower(d.value) === lower(entry.value),
    );
  }
  return false;
}

/** The requirements Deny statements put on an entry's requests, or 'denied' when all are refused. */
function denyConstraints(
  statements: Statement[],
  entry: Entry,
  actions: string[],
): Constraint[] | 'denied' {
  const out: Constraint[] = [];
  // The entry is refused when every action by which it could assume is denied outright.
  const outright = new Set<string>();
  for (const deny of statements.filter((s) => isEffect(s, 'deny'))) {
    const denied = actions.filter((a) => coversAction(deny, a));
    if (denied.length === 0 || !denyCovers(deny, entry)) continue;
    const blocks = conditionBlocks(deny);
    const exempt = deny.NotPrincipal !== undefined ? entriesOf(deny.NotPrincipal) : [];
    if (blocks.length === 0 && exempt.length === 0) {
      for (const a of denied) outright.add(a);
      continue;
    }
    const wide = entry.kind === '*' || (entry.kind === 'AWS' && isAccountRoot(entry.value));
    if (blocks.length === 0 && !wide) {
      // Covered means not among the exempt principals: this principal is refused.
      for (const a of denied) outright.add(a);
      continue;
    }
    if (blocks.length === 0) {
      // Deny everyone except these principals: the entry is narrowed to them.
      out.push({
        key: 'aws:principalarn',
        test: 'equals',
        // The account a NotPrincipal lists beside its roles (as AWS asks) exempts only requests
        // made as that account, not everyone in it.
        values: ((named) => (named.length > 0 ? named : exempt.map((e) => e.value)))(
          exempt.filter((e) => e.kind === 'AWS' && !isAccountRoot(e.value)).map((e) => e.value),
        ),
        ignoreCase: true,
        missingPasses: false,
      });
      continue;
    }
    // A Deny with several conditions (or an exemption and a condition) applies only when all
    // hold; its negation is not one requirement, so it is not credited.
    if (blocks.length === 1 && exempt.length === 0) {
      const c = denyConstraint(blocks[0] as ConditionBlock);
      if (c) out.push(c);
    }
  }
  return actions.every((a) => outright.has(a)) ? 'denied' : out;
}

const NARROWING = ['aws:principalorgid', 'aws:principalaccount', 'aws:sourceidentity'];
const SERVICE_SOURCE = ['aws:sourceaccount', 'aws:sourcearn'];

/** The external ID requirement of one entry's requests. */
type ExternalIdRule = { kind: 'none' } | { kind: 'rules'; rules: Constraint[] };

/**
 * Checks a role's trust policy for what would let a deputy be confused (anyone, an account
 * root, a service without a source condition, or another account without a real external
 * ID requirement) or make issuance fail (wrong external ID, missing sts:SetSourceIdentity /
 * sts:TagSession). One finding per check and role, at the highest severity seen.
 */
export function auditTrust(statements: Statement[], ctx: TrustContext): Finding[] {
  const found = new Map<string, Finding>();
  const add = (check: string, severity: Severity, message: string, fix: string) => {
    const before = found.get(check);
    const rank = { low: 1, medium: 2, high: 3 };
    if (!before || rank[severity] > rank[before.severity]) {
      found.set(check, { check, severity, grant: ctx.grant, role: ctx.roleArn, message, fix });
    }
  };
  const broker = (ctx.brokerPrincipals ?? []).map(lower);
  const isBroker = (arn: string) =>
    broker.length > 0 ? broker.includes(lower(arn)) : !isAccountRoot(arn) && arn !== '*';

  /** Every Allowed (entry, requirements) pair, after Deny statements. */
  const admitted: { entry: Entry; constraints: Constraint[] }[] = [];
  for (const s of statements.filter((x) => isEffect(x, 'allow'))) {
    const entries: Entry[] =
      s.NotPrincipal !== undefined
        ? [{ kind: '*', value: '*', notPrincipal: true }]
        : entriesOf(s.Principal);
    const own = conditionBlocks(s)
      .map(allowConstraint)
      .filter((c): c is Constraint => c !== undefined);
    for (const entry of entries) {
      const actions = ASSUME_ACTIONS[entry.kind].filter((a) => coversAction(s, a));
      if (actions.length === 0) continue;
      const denied = denyConstraints(statements, entry, actions);
      if (denied === 'denied') continue;
      admitted.push({ entry, constraints: [...own, ...denied] });
    }
  }
  const assumable = admitted.filter(
    ({ entry }) => entry.kind === '*' || ASSUME_ACTIONS[entry.kind].includes('sts:AssumeRole'),
  );
  if (assumable.length === 0) {
    add(
      'trust-no-assume',
      'high',
      `${ctx.hop} role's trust policy allows no sts:AssumeRole (after its Deny statements)`,
      'add an Allow statement for sts:AssumeRole naming the broker role',
    );
    return [...found.values()];
  }

  const byKey = (cs: Constraint[], keys: string[]) => cs.filter((c) => keys.includes(c.key));
  /** The named principals aws:PrincipalArn narrows to, when all are exact ARNs. */
  const narrowedArns = (cs: Constraint[]) => {
    const arn = byKey(cs, ['aws:principalarn']).filter((c) => c.test === 'equals');
    return arn.length === 0 ? undefined : arn.flatMap((c) => c.values);
  };

  for (const { entry, constraints } of admitted) {
    const narrowed = narrowedArns(constraints);
    // aws:PrincipalArn naming exact role or user ARNs: the wide entry is those principals
    // alone, judged as if the policy named them.
    const onlyNamed = narrowed?.every((a) => !hasWildcard(a) && !isAccountRoot(a)) === true;
    const mitigations = [
      ...byKey(constraints, NARROWING).filter((c) => c.test === 'equals' || c.test === 'like'),
      ...byKey(constraints, ['aws:principalarn']).filter(
        (c) => c.test === 'like' || c.values.some(hasWildcard),
      ),
    ].map((c) => c.key);
    const narrowedBy =
      mitigations.length > 0 ? ` (narrowed by ${[...new Set(mitigations)].join(', ')})` : '';
    const wideSeverity: Severity = mitigations.length > 0 ? 'medium' : 'high';

    if (entry.kind === '*' && !onlyNamed) {
      add(
        'trust-wildcard-principal',
        wideSeverity,
        entry.notPrincipal
          ? `${ctx.hop} role trusts everyone except the principals in an Allow's NotPrincipal${narrowedBy}`
          : `${ctx.hop} role trusts any principal ("*")${narrowedBy}`,
        "replace '*' (or NotPrincipal) with the broker's execution or hub role ARN",
      );
    }
    if (entry.kind === 'AWS' && isAccountRoot(entry.value) && !onlyNamed) {
      add(
        'trust-account-root',
        wideSeverity,
        `${ctx.hop} role trusts the whole account ${accountOf(entry.value)}: anyone there with sts:AssumeRole can skip the broker${narrowedBy}`,
        "name the broker's execution or hub role ARN instead of the account",
      );
    }
    if (entry.kind === 'Service' && byKey(constraints, SERVICE_SOURCE).length === 0) {
      add(
        'trust-service-confused-deputy',
        'high',
        `${ctx.hop} role trusts the service ${entry.value} without an aws:SourceAccount or aws:SourceArn condition: any account's use of that service can assume it`,
        'add Condition StringEquals aws:SourceAccount (or ArnLike aws:SourceArn) naming your own resources, or drop the service',
      );
    }
    if (entry.kind === 'Federated') {
      add(
        'trust-federated-principal',
        'medium',
        `${ctx.hop} role also trusts the identity provider ${entry.value}: its users assume the role without the broker`,
        'give federated users their own role; a broker target should trust only the broker',
      );
    }
  }

  if (ctx.hop === 'target') auditExternalId(admitted, ctx, isBroker, narrowedArns, add);

  const allowsAction = (action: string) =>
    admitted.some(({ entry }) => entry.kind === '*' || entry.kind === 'AWS') &&
    statements.some(
      (s) =>
        isEffect(s, 'allow') &&
        coversAction(s, action) &&
        entriesOf(s.NotPrincipal !== undefined ? '*' : s.Principal).some(
          (e) =>
            (e.kind === '*' || e.kind === 'AWS') &&
            denyConstraints(statements, e, [action]) !== 'denied',
        ),
    );
  if (ctx.needsSourceIdentity && !allowsAction('sts:SetSourceIdentity')) {
    add(
      'trust-missing-set-source-identity',
      'medium',
      'grant sets SourceIdentity but the trust policy does not allow sts:SetSourceIdentity: issuance fails',
      'allow sts:SetSourceIdentity for the broker role, or set "sourceIdentity": false in the grant',
    );
  }
  if (ctx.needsTagSession && !allowsAction('sts:TagSession')) {
    add(
      'trust-missing-tag-session',
      'medium',
      'grant has sessionTags but the trust policy does not allow sts:TagSession: issuance fails',
      'allow sts:TagSession for the broker role, or remove sessionTags from the grant',
    );
  }
  return [...found.values()];
}

/**
 * Is the external ID really required of every principal outside the role's account, and
 * does the broker's request (with the grant's ID) pass?
 */
function auditExternalId(
  admitted: { entry: Entry; constraints: Constraint[] }[],
  ctx: TrustContext,
  isBroker: (arn: string) => boolean,
  narrowedArns: (cs: Constraint[]) => string[] | undefined,
  add: (check: string, severity: Severity, message: string, fix: string) => void,
): void {
  const aws = admitted.filter(({ entry }) => entry.kind === '*' || entry.kind === 'AWS');
  const rule = (cs: Constraint[]): ExternalIdRule => {
    const rules = cs.filter((c) => c.key === 'sts:externalid');
    return rules.length === 0 ? { kind: 'none' } : { kind: 'rules', rules };
  };
  let brokerCandidates = 0;
  let brokerPasses = false;
  let anyRequirement = false;
  for (const { entry, constraints } of aws) {
    const narrowed = narrowedArns(constraints);
    const whoArns = narrowed ?? [entry.value];
    const foreign = whoArns.some((p) => p === '*' || accountOf(p) !== ctx.roleAccount);
    const r = rule(constraints);
    // The broker may be this entry: it names the broker (or its account, or anyone).
    const mayBeBroker = whoArns.some((p) => p === '*' || isAccountRoot(p) || isBroker(p));
    if (r.kind === 'rules') anyRequirement = true;
    if (mayBeBroker) {
      brokerCandidates += 1;
      if (r.kind === 'none' || r.rules.every((c) => satisfies(c, ctx.externalId))) {
        brokerPasses = true;
      }
    }
    if (!foreign) continue;
    const who = narrowed ? narrowed.join(', ') : entry.value;
    if (r.kind === 'none') {
      add(
        'trust-no-external-id',
        'high',
        `target role trusts ${who} from outside its account without an sts:ExternalId condition`,
        "add Condition StringEquals sts:ExternalId with the grant's external ID",
      );
      continue;
    }
    // A request without any ID, or with an ID the attacker picks, passes every rule?
    const unknown = '\u0000guess';
    if (r.rules.every((c) => satisfies(c, undefined))) {
      const optional = r.rules.some((c) => c.missingPasses);
      add(
        optional ? 'trust-external-id-optional' : 'trust-no-external-id',
        'high',
        optional
          ? `target role trusts ${who} with an sts:ExternalId condition that a request without an external ID passes (IfExists or ForAllValues:)`
          : `target role trusts ${who} only when no external ID is given (Null sts:ExternalId true)`,
        "use StringEquals sts:ExternalId with the grant's external ID (no IfExists, no ForAllValues:)",
      );
    } else if (r.rules.every((c) => c.test === 'present' || satisfies(c, unknown))) {
      add(
        'trust-no-external-id',
        'high',
        `target role trusts ${who} with an sts:ExternalId condition that any value passes`,
        "add Condition StringEquals sts:ExternalId with the grant's external ID",
      );
    } else if (r.rules.some((c) => c.test === 'like' && c.values.some(hasWildcard))) {
      add(
        'trust-external-id-pattern',
        'medium',
        `target role trusts ${who} with a wildcard sts:ExternalId pattern: every ID it matches works`,
        "use StringEquals sts:ExternalId with the grant's exact external ID",
      );
    }
  }
  if (brokerCandidates > 0 && !brokerPasses && anyRequirement) {
    add(
      'trust-external-id-mismatch',
      'high',
      ctx.externalId === undefined
        ? 'target role requires an external ID but the grant has none: issuance fails'
        : "target role requires a different external ID than the grant's: issuance fails",
      ctx.externalId === undefined
        ? 'put the external ID in the grant (never give it to callers)'
        : "make the trust policy's sts:ExternalId equal the grant's",
    );
  }
}

import type { Finding } from './findings';

interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const list = (v: unknown): string[] =>
  v === undefined
    ? []
    : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');

function allows(statement: Statement, action: string): boolean {
  return list(statement.Action).some((a) => {
    const pattern = a.toLowerCase();
    return pattern === '*' || pattern === 'sts:*' || pattern === action.toLowerCase();
  });
}

/** AWS principals of a statement; '*' for `"Principal": "*"` or `{"AWS": "*"}`. */
function awsPrincipals(statement: Statement): string[] {
  const p = statement.Principal;
  if (p === '*') return ['*'];
  if (p && typeof p === 'object') return list((p as { AWS?: unknown }).AWS);
  return [];
}

/** External IDs required by a statement's conditions, or undefined when it requires none. */
function externalIds(statement: Statement): string[] | undefined {
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    if (!/^String(Equals|Like)$/i.test(operator)) continue;
    for (const [key, value] of Object.entries(keys ?? {})) {
      if (key.toLowerCase() === 'sts:externalid') return list(value);
    }
  }
  return undefined;
}

const accountOf = (principal: string) =>
  /^(\d{12})$/.exec(principal)?.[1] ?? /^arn:[\w-]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
const isAccountRoot = (principal: string) =>
  /^\d{12}$/.test(principal) || /^arn:[\w-]+:iam::\d{12}:root$/.test(principal);

export interface TrustContext {
  readonly grant: string;
  readonly roleArn: string;
  readonly roleAccount: string;
  readonly hop: 'target' | 'hub';
  /** The grant's external ID for the target hop; hubs are assumed without one. */
  readonly externalId?: string;
  readonly needsSourceIdentity: boolean;
  readonly needsTagSession: boolean;
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

/**
 * Checks a role's trust policy for what would let a deputy be confused (anyone, an account
 * root, or another account without the external ID) or make issuance fail (wrong external
 * ID, missing sts:SetSourceIdentity / sts:TagSession).
 */
export function auditTrust(statements: Statement[], ctx: TrustContext): Finding[] {
  const findings: Finding[] = [];
  const add = (check: string, severity: Finding['severity'], message: string, fix: string) =>
    findings.push({ check, severity, grant: ctx.grant, role: ctx.roleArn, message, fix });
  const assume = statements.filter((s) => s.Effect === 'Allow' && allows(s, 'sts:AssumeRole'));
  if (assume.length === 0) {
    add(
      'trust-no-assume',
      'high',
      `${ctx.hop} role's trust policy allows no sts:AssumeRole`,
      'add an Allow statement for sts:AssumeRole naming the broker role',
    );
    return findings;
  }
  for (const s of assume) {
    const principals = awsPrincipals(s);
    const ids = externalIds(s);
    if (principals.includes('*')) {
      add(
        'trust-wildcard-principal',
        'high',
        `${ctx.hop} role trusts any principal ("*")`,
        "replace '*' with the broker's execution or hub role ARN",
      );
    }
    for (const principal of principals.filter(isAccountRoot)) {
      add(
        'trust-account-root',
        'high',
        `${ctx.hop} role trusts the whole account ${accountOf(principal)}: anyone there with sts:AssumeRole can skip the broker`,
        "name the broker's execution or hub role ARN instead of the account",
      );
    }
    // Hubs are assumed without an external ID (they are shared by grants), so for hubs only
    // '*' and account roots are findings; a hub should trust exactly the broker's role.
    const foreign = principals.filter((p) => p === '*' || accountOf(p) !== ctx.roleAccount);
    if (ctx.hop === 'target' && foreign.length > 0 && ids === undefined) {
      add(
        'trust-no-external-id',
        'high',
        `${ctx.hop} role trusts ${foreign.join(', ')} from outside its account without an sts:ExternalId condition`,
        "add Condition StringEquals sts:ExternalId with the grant's external ID",
      );
    }
    if (ctx.hop === 'target' && ids !== undefined) {
      if (ctx.externalId === undefined) {
        add(
          'trust-external-id-mismatch',
          'high',
          'target role requires an external ID but the grant has none: issuance fails',
          'put the external ID in the grant (never give it to callers)',
        );
      } else if (!ids.includes(ctx.externalId)) {
        add(
          'trust-external-id-mismatch',
          'high',
          "target role requires a different external ID than the grant's: issuance fails",
          "make the trust policy's sts:ExternalId equal the grant's",
        );
      }
    }
  }
  if (
    ctx.needsSourceIdentity &&
    !statements.some((s) => s.Effect === 'Allow' && allows(s, 'sts:SetSourceIdentity'))
  ) {
    add(
      'trust-missing-set-source-identity',
      'medium',
      'grant sets SourceIdentity but the trust policy does not allow sts:SetSourceIdentity: issuance fails',
      'allow sts:SetSourceIdentity for the broker role, or set "sourceIdentity": false in the grant',
    );
  }
  if (
    ctx.needsTagSession &&
    !statements.some((s) => s.Effect === 'Allow' && allows(s, 'sts:TagSession'))
  ) {
    add(
      'trust-missing-tag-session',
      'medium',
      'grant has sessionTags but the trust policy does not allow sts:TagSession: issuance fails',
      'allow sts:TagSession for the broker role, or remove sessionTags from the grant',
    );
  }
  return findings;
}

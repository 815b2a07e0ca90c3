/** How bad a finding is: high lets a deputy be confused or breaks issuance outright. */
export type Severity = 'high' | 'medium' | 'low';

export const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3 };

/** One problem the audit found, with the grant it concerns and a one-line fix. */
export interface Finding {
  /** Stable id of the check, e.g. `trust-no-external-id`. */
  readonly check: string;
  readonly severity: Severity;
  readonly grant: string;
  /** The role the finding is about (target or hub), when it is about a role. */
  readonly role?: string;
  readonly message: string;
  readonly fix: string;
}

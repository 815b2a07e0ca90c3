import type { z } from 'zod/mini';

type Issue = z.core.$ZodIssue;

/** One readable line per issue, naming the field and the rule, never quoting the value. */
function describeIssue(issue: Issue): string {
  const path = issue.path.length ? `${issue.path.join('.')}: ` : '';
  if (issue.message && issue.message !== 'Invalid input') return `${path}${issue.message}`;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${path}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'invalid_type':
      return `${path}expected ${issue.expected}`;
    case 'too_big':
      return `${path}must be at most ${String(issue.maximum)}`;
    case 'too_small':
      return `${path}must be at least ${String(issue.minimum)}`;
    case 'invalid_value':
      return `${path}must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return `${path}is invalid`;
  }
}

/** Joins the first issues of a failed parse into one message. */
export function describeIssues(error: { issues: readonly Issue[] }, max = 5): string {
  return error.issues.slice(0, max).map(describeIssue).join('; ');
}

import type { AuditReport } from './audit';

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** The report as a table for people, or JSON for machines. */
export function formatReport(report: AuditReport, format: 'table' | 'json'): string {
  if (format === 'json') return JSON.stringify(report, null, 2);
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(
      `${pad(f.severity.toUpperCase(), 7)} ${pad(f.check, 34)} ${pad(f.grant, 24)} ${f.role ?? ''}`,
    );
    lines.push(`        ${f.message}`);
    lines.push(`        fix: ${f.fix}`);
  }
  const s = report.summary;
  lines.push(
    `${report.findings.length} findings (high ${s.high}, medium ${s.medium}, low ${s.low}) in ${s.grants} grants, ${s.roles} roles`,
  );
  return lines.join('\n');
}

import { requestRoles } from '../../client';
import type { RolesResponse } from '../../contract';
import { type CliIo, EXIT } from '../command';
import { reportBrokerError } from './caller-error';

export interface RolesOptions {
  url: string;
  format: 'table' | 'json';
  auth: 'iam' | 'sts';
  serverId?: string;
}

/** `rolebroker roles`: GET /roles once and print it. */
export async function roles(options: RolesOptions, io: CliIo): Promise<number> {
  try {
    const body = await requestRoles({
      url: options.url,
      auth: options.auth,
      serverId: options.serverId,
    });
    io.stdout(`${formatRoles(body, options.format)}\n`);
    return EXIT.ok;
  } catch (error) {
    return reportBrokerError(error, io, options.auth);
  }
}

/**
 * The 200 body as JSON, or a table with one row per grant. NOT BEFORE and NOT AFTER columns
 * appear when some grant has a window (`-`: that end is open).
 */
export function formatRoles(body: RolesResponse, format: 'table' | 'json'): string {
  if (format === 'json') return JSON.stringify(body, null, 2);
  if (body.roles.length === 0) return 'no roles: no enabled grant names this caller';
  const windowed = body.roles.some((r) => r.notBefore !== undefined || r.notAfter !== undefined);
  const rows = [
    [
      'GRANT',
      'ROLE ARN',
      'MAX DURATION',
      'SCOPED',
      'CHAINED',
      ...(windowed ? ['NOT BEFORE', 'NOT AFTER'] : []),
    ],
    ...body.roles.map((r) => [
      r.grant,
      r.roleArn,
      `${r.maxDurationSeconds}s`,
      r.scoped ? 'yes' : 'no',
      r.chained ? 'yes' : 'no',
      ...(windowed ? [r.notBefore ?? '-', r.notAfter ?? '-'] : []),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

import { describe, expect, it } from 'vitest';
import { parseRevokeTime } from '../../../lib/cli/revoke';
import { revokePolicy } from '../../../lib/cli/revoke-policy';

const NOW = new Date('2026-06-01T12:00:00Z');

describe('revoke-older-sessions', () => {
  it('denies everything to sessions issued before the cut-off', () => {
    expect(JSON.parse(revokePolicy(NOW))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: ['*'],
          Resource: ['*'],
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-06-01T12:00:00.000Z' } },
        },
      ],
    });
  });

  it.each([
    ['2026-06-01T11:00:00Z', '2026-06-01T11:00:00.000Z'],
    ['2026-06-01T13:30:00+02:00', '2026-06-01T11:30:00.000Z'],
    ['2026-06-01T12:00:30.5Z', '2026-06-01T12:00:30.500Z'],
  ])('reads --before %s', (value, iso) => {
    expect(parseRevokeTime(value, NOW).toISOString()).toBe(iso);
  });

  it('defaults to now', () => {
    expect(parseRevokeTime(undefined, NOW)).toBe(NOW);
  });

  it.each([
    'yesterday',
    '2026-06-01',
    '2026-06-01T12:00:00',
    '2026-13-01T12:00:00Z',
    '2026-06-01T12:05:00Z',
  ])('refuses --before %s', (value) => {
    expect(() => parseRevokeTime(value, NOW)).toThrow(/--before/);
  });
});

/**
 * Grants stored with hostile or broken windows (issue 13), seeded beside the demo grants by
 * the fixture (runner.ts) and asked for by name in both auth modes (hostile-input.test.ts).
 * Each is for the demo caller and the seeded one-hop role. The invalid ones would be open now
 * if misread (a past start, a future end), so accepting one would issue credentials; the
 * valid ones are outside their window. Every one must be the ordinary 403.
 */
import { ARNS, EXTERNAL_IDS } from '../../../scripts/seed';

export interface WindowCase {
  name: string;
  /** The grant's notBefore / notAfter as stored (any JSON). */
  window: Record<string, unknown>;
}

const PAST = '2020-01-01T00:00:00Z';
const FUTURE = '2099-12-31T00:00:00Z';

export const WINDOW_CASES: WindowCase[] = [
  { name: 'a date without a time', window: { notBefore: PAST, notAfter: '2099-12-31' } },
  { name: 'a time without a zone', window: { notBefore: '2020-01-01T00:00:00' } },
  { name: 'a time without seconds', window: { notAfter: '2099-12-31T23:59Z' } },
  { name: 'a space for the T', window: { notAfter: '2099-12-31 00:00:00Z' } },
  { name: 'a day that does not exist', window: { notAfter: '2099-02-30T00:00:00Z' } },
  { name: 'hour 24', window: { notAfter: '2099-12-31T24:00:00Z' } },
  { name: 'a zone offset of 24 hours', window: { notAfter: '2099-12-31T00:00:00+24:00' } },
  { name: 'a week date', window: { notAfter: '2099-W52-1T00:00:00Z' } },
  { name: 'an extended year', window: { notAfter: '+002099-12-31T00:00:00Z' } },
  { name: 'fullwidth digits', window: { notAfter: '２０９９-12-31T00:00:00Z' } },
  { name: 'a trailing NUL', window: { notAfter: `${FUTURE}\u0000` } },
  { name: 'a leading space', window: { notAfter: ` ${FUTURE}` } },
  { name: 'the word now', window: { notBefore: 'now' } },
  { name: 'Infinity as a string', window: { notAfter: 'Infinity' } },
  { name: 'epoch seconds as a number', window: { notAfter: 4_102_444_800 } },
  { name: 'epoch milliseconds as a string', window: { notAfter: '4102444800000' } },
  { name: 'null', window: { notAfter: null } },
  { name: 'an object', window: { notAfter: { $date: FUTURE } } },
  { name: 'an array', window: { notAfter: [FUTURE] } },
  { name: 'a boolean', window: { notBefore: false } },
  { name: 'a 3000-character value', window: { notAfter: `${FUTURE}${'9'.repeat(3000)}` } },
  { name: 'notAfter before notBefore', window: { notBefore: FUTURE, notAfter: PAST } },
  { name: 'notAfter equal to notBefore', window: { notBefore: PAST, notAfter: PAST } },
  // Valid, but not open now.
  {
    name: 'a window that has closed',
    window: { notBefore: PAST, notAfter: '2020-01-02T00:00:00Z' },
  },
  { name: 'a window not open yet', window: { notBefore: FUTURE } },
];

/** The grant name each case is stored under. */
export const windowGrantName = (i: number) => `window-case-${i}`;

/** The SSM parameters (name → value) the fixture seeds. */
export const WINDOW_PARAMETERS = Object.fromEntries(
  WINDOW_CASES.map((c, i) => [
    windowGrantName(i),
    {
      value: JSON.stringify({
        roleArn: ARNS.localTarget,
        externalId: EXTERNAL_IDS.local,
        principals: [ARNS.demoCaller],
        ...c.window,
      }),
    },
  ]),
);

import { parseRfc3339DateTimeWithOffset } from '@smithy/core/serde';
import type { Json, Problems } from '../validation';

/** RFC 3339 offsets are 00:00..23:59; the SDK's parser below does not bound them. */
const ZONE = /(?:[zZ]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * A timestamp field, as epoch milliseconds; absent → undefined. It must be RFC 3339 (the
 * ISO 8601 profile with seconds and an explicit zone, `Z` or `+hh:mm`/`-hh:mm`): a date
 * alone, a time without a zone or a day that does not exist is a problem. Parsed by the AWS
 * SDK's own RFC 3339 parser (@smithy/core), already in every Lambda bundle (kept out of
 * lib/validation.ts, which the CLI's startup path loads without the SDK).
 */
export function optionalInstant(doc: Json, field: string, problems: Problems): number | undefined {
  const value = doc[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    problems.add(field, 'expected string');
    return undefined;
  }
  let ms = Number.NaN;
  try {
    if (ZONE.test(value)) ms = parseRfc3339DateTimeWithOffset(value)?.getTime() ?? Number.NaN;
  } catch {
    // not RFC 3339: reported below
  }
  if (Number.isNaN(ms)) {
    problems.add(
      field,
      'must be an ISO 8601 time with seconds and a zone (Z or +hh:mm), e.g. 2026-05-01T09:00:00Z',
    );
    return undefined;
  }
  return ms;
}

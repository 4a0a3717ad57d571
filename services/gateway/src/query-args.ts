import { invalid, type RequestProblem } from './instruments.js';

/** Year 9999: anything later is a unit mistake (µs or ns instead of ms). */
const MAX_TS_MS = 253_402_300_799_999;

export type Resolved<T> = { ok: true; value: T } | { ok: false; problem: RequestProblem };

export function fail<T>(problem: RequestProblem): Resolved<T> {
  return { ok: false, problem };
}

/** A request's `limit`: 0 = the default, else 1..max. */
export function resolveLimit(limit: number, max: number, defaultRows: number): Resolved<number> {
  if (!Number.isInteger(limit) || limit < 0) return fail(invalid(`limit must be >= 0, got ${limit}`));
  if (limit > max) return fail(invalid(`limit ${limit} exceeds the maximum of ${max}`));
  return { ok: true, value: limit === 0 ? defaultRows : limit };
}

/** from_ts and to_ts as sent: non-negative ms timestamps (0 = "use the default"). */
export function checkTimestamps(req: { fromTs: number; toTs: number }): RequestProblem | undefined {
  for (const [name, v] of [['from_ts', req.fromTs], ['to_ts', req.toTs]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) return invalid(`${name} must be a non-negative ms timestamp, got ${v}`);
    if (v > MAX_TS_MS) return invalid(`${name} ${v} is beyond year 9999: timestamps are in milliseconds`);
  }
  return undefined;
}

/** The resolved [fromTs, toTs) range: not empty, not wider than the gateway allows. */
export function checkRange(fromTs: number, toTs: number, maxRangeMs: number): RequestProblem | undefined {
  if (fromTs >= toTs) return invalid(`from_ts (${fromTs}) must be before to_ts (${toTs})`);
  if (toTs - fromTs > maxRangeMs) {
    return invalid(`range of ${toTs - fromTs} ms exceeds the maximum of ${maxRangeMs} ms: narrow from_ts/to_ts`);
  }
  return undefined;
}

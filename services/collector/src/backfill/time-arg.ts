const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A point in time given by a person: an ISO date (`2024-01-01`, UTC midnight) or date-time
 * (`2024-01-01T12:00:00Z`, UTC when no zone is given), epoch ms (`1704067200000`), or an age back
 * from `now` (`30d`, `12h`, `90m`, `2w`). Throws a RangeError naming the text otherwise.
 */
export function parseTimeArg(text: string, now: number, what = 'time'): number {
  const t = String(text).trim();
  const age = /^(\d+)([mhdw])$/.exec(t);
  if (age) return now - Number(age[1]) * UNIT_MS[age[2]!]!;
  if (/^\d{10,}$/.test(t)) return checked(Number(t), text, what);
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return checked(Date.parse(`${t}T00:00:00Z`), text, what);
  const dt = /^(\d{4}-\d{2}-\d{2})[T ]([0-9:.]+)(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (dt) return checked(Date.parse(`${dt[1]}T${dt[2]}${dt[3] ?? 'Z'}`), text, what);
  throw new RangeError(`${what}: cannot read ${JSON.stringify(text)} (an ISO date, epoch ms or an age like 30d)`);
}

function checked(ms: number, text: string, what: string): number {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`${what}: ${JSON.stringify(text)} is not a valid time`);
  return ms;
}

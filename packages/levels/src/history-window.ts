import { TIMEFRAME_MS, type Bar, type LevelTimeframe, type TimeframeBars } from './bars.js';

/** How much history the live detector reads per timeframe, in days. */
export interface HistoryDays {
  d1: number;
  h4: number;
  h1: number;
}

/** Five years of days, a year of 4h bars, 90 days of hours. */
export const DEFAULT_HISTORY_DAYS: HistoryDays = { d1: 5 * 365, h4: 365, h1: 90 };

const DAY_MS = 86_400_000;

/** Index of the first bar opened at or after t (bars oldest first). */
function firstOpenedFrom(bars: readonly Bar[], t: number): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bars[mid]!.openTime < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * What the live detector would have read at the moment these bars end: per timeframe, the bars opened
 * within its history window before the last close. A walk-forward evaluation hands the detector every
 * bar closed by a step; this keeps each step's input (and cost) what it is live.
 */
export function withDetectorHistory(bars: TimeframeBars, days: HistoryDays = DEFAULT_HISTORY_DAYS): TimeframeBars {
  const lastClose = (s: readonly Bar[], tf: LevelTimeframe) => (s.length === 0 ? -Infinity : s[s.length - 1]!.openTime + TIMEFRAME_MS[tf]);
  const asOf = Math.max(lastClose(bars.d1, '1d'), lastClose(bars.h4, '4h'), lastClose(bars.h1, '1h'));
  const cut = (s: readonly Bar[], d: number) => s.slice(firstOpenedFrom(s, asOf - d * DAY_MS));
  return { d1: cut(bars.d1, days.d1), h4: cut(bars.h4, days.h4), h1: cut(bars.h1, days.h1) };
}

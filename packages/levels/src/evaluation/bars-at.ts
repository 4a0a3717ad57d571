import { TIMEFRAME_MS, type Bar, type LevelTimeframe, type TimeframeBars } from '../bars.js';

/** Number of bars of a series (oldest first) closed at or before `t` (close = openTime + tfMs). */
export function closedCount(bars: readonly Bar[], tfMs: number, t: number): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bars[mid]!.openTime + tfMs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The three series cut to the bars closed at or before `t`: what a detector running at time `t`
 * could have seen. `historyMs` also drops the bars opened before t − historyMs (bounds the detector's cost).
 */
export function barsClosedBy(bars: TimeframeBars, t: number, historyMs?: number): TimeframeBars {
  // Times are integer ms: "opened before t − historyMs" is "opened at or before t − historyMs − 1".
  const cut = (series: readonly Bar[], tf: LevelTimeframe): readonly Bar[] => {
    const end = closedCount(series, TIMEFRAME_MS[tf], t);
    const start = historyMs === undefined ? 0 : closedCount(series, 0, t - historyMs - 1);
    return series.slice(Math.min(start, end), end);
  };
  return { d1: cut(bars.d1, '1d'), h4: cut(bars.h4, '4h'), h1: cut(bars.h1, '1h') };
}

/** The series a stepped evaluation walks through. */
export function seriesOf(bars: TimeframeBars, interval: LevelTimeframe): readonly Bar[] {
  return interval === '1d' ? bars.d1 : interval === '4h' ? bars.h4 : bars.h1;
}

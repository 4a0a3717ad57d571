import type { AtrMethod } from './config.js';
import type { Bar } from './bars.js';
import { toColumns, type BarColumns } from './columns.js';

/**
 * Average true range of the bars at their last bar. True range = max(high − low, |high − prev close|,
 * |low − prev close|); the first bar has no previous close and uses high − low.
 * 'wilder': seeded with the mean of the first `period` true ranges, then atr = (atr × (period − 1) + tr) / period.
 * 'simple': mean of the last `period` true ranges. Fewer bars than `period`: the mean of those there are; none: 0.
 */
export function averageTrueRange(bars: BarColumns, period: number, method: AtrMethod): number {
  const n = bars.n;
  if (n === 0) return 0;
  const tr = (i: number): number => {
    const h = bars.high[i]!;
    const l = bars.low[i]!;
    if (i === 0) return h - l;
    const pc = bars.close[i - 1]!;
    return Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
  };
  if (n <= period || method === 'simple') {
    const from = Math.max(0, n - period);
    let sum = 0;
    for (let i = from; i < n; i++) sum += tr(i);
    return sum / (n - from);
  }
  let atr = 0;
  for (let i = 0; i < period; i++) atr += tr(i);
  atr /= period;
  for (let i = period; i < n; i++) atr = (atr * (period - 1) + tr(i)) / period;
  return atr;
}

/** {@link averageTrueRange} of daily bars given as objects (oldest first). */
export function dailyAtr(bars: readonly Bar[], period = 7, method: AtrMethod = 'wilder'): number {
  return averageTrueRange(toColumns(bars), period, method);
}

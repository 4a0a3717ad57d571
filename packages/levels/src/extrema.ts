import type { BarColumns } from './columns.js';
import type { LevelTimeframe } from './bars.js';

/** A confirmed swing high or low: the extreme of its bar's ±window neighbourhood. */
export interface Extremum {
  price: number;
  time: number; // open time of the bar, ms
  high: boolean;
  timeframe: LevelTimeframe;
}

/**
 * Local highs and lows with a full window on both sides, so an extremum needs `window` later bars to be
 * confirmed (the last `window` bars never are: no look-ahead). Ties go to the earliest bar: strict against
 * earlier bars, non-strict against later ones, so a plateau yields one extremum and a flat series none.
 */
export function localExtrema(bars: BarColumns, window: number, timeframe: LevelTimeframe, out: Extremum[] = []): Extremum[] {
  const { n, high, low, time } = bars;
  for (let i = window; i + window < n; i++) {
    const h = high[i]!;
    const l = low[i]!;
    let isHigh = true;
    let isLow = true;
    for (let j = i - window; j < i && (isHigh || isLow); j++) {
      if (high[j]! >= h) isHigh = false;
      if (low[j]! <= l) isLow = false;
    }
    for (let j = i + 1; j <= i + window && (isHigh || isLow); j++) {
      if (high[j]! > h) isHigh = false;
      if (low[j]! < l) isLow = false;
    }
    if (isHigh) out.push({ price: h, time: time[i]!, high: true, timeframe });
    if (isLow) out.push({ price: l, time: time[i]!, high: false, timeframe });
  }
  return out;
}

/**
 * 4h extrema that are not the same swing as a 1d extremum (same side, same price, inside that day), so a
 * daily swing point found again on 4h counts once in the clustering.
 */
export function withoutDailyDuplicates(h4: readonly Extremum[], d1: readonly Extremum[], dayMs: number): Extremum[] {
  const daily = new Map<string, number>();
  for (const e of d1) daily.set(`${e.high ? 'h' : 'l'}${Math.floor(e.time / dayMs)}`, e.price);
  return h4.filter((e) => daily.get(`${e.high ? 'h' : 'l'}${Math.floor(e.time / dayMs)}`) !== e.price);
}

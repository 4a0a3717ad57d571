import { Level } from '@pricelevel/contracts';
import { TIMEFRAME_MS, type Bar, type LevelTimeframe, type TimeframeBars } from '../src/bars.js';
import type { LevelDetectFn, LevelSnapshot } from '../src/evaluation/types.js';

export const DAY = TIMEFRAME_MS['1d'];
export const T0 = Date.UTC(2021, 0, 1);

/** Bars from [high, low, close] triples (open = previous close), one per `tf`, from T0. */
export function barsOf(hlc: readonly (readonly [number, number, number])[], tf: LevelTimeframe = '1d', start = T0): Bar[] {
  return hlc.map(([high, low, close], i) => ({
    openTime: start + i * TIMEFRAME_MS[tf],
    open: i === 0 ? close : hlc[i - 1]![2],
    high,
    low,
    close,
    volume: 1,
  }));
}

export const dailyOnly = (d1: Bar[]): TimeframeBars => ({ d1, h4: [], h1: [] });

export function level(low: number, high: number, extra: Partial<Level> = {}): Level {
  return Level.fromPartial({ price: (low + high) / 2, zoneLow: low, zoneHigh: high, score: 0.5, ...extra });
}

/** A detector that always returns the same levels. */
export const fixedDetector = (levels: Level[], atr = 1): LevelDetectFn => (bars) => snapshot(bars, levels, atr);

function snapshot(bars: TimeframeBars, levels: Level[], atr: number): LevelSnapshot {
  return { currentPrice: bars.d1[bars.d1.length - 1]?.close ?? Number.NaN, atr, levels };
}

/**
 * A seeded ranging market: a noisy walk pulled back into [lo, hi] (so zones at lo and hi hold more
 * often than zones in between), with intrabar ranges around each close.
 */
export function rangingSeries(n: number, seed: number, lo = 90, hi = 110, tf: LevelTimeframe = '1d'): Bar[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 4_294_967_296;
  };
  const triples: [number, number, number][] = [];
  let c = (lo + hi) / 2;
  for (let i = 0; i < n; i++) {
    let next = c + (rand() - 0.5) * 4;
    if (next < lo) next = lo + (lo - next) + 1;
    if (next > hi) next = hi - (next - hi) - 1;
    const top = Math.max(c, next) + rand() * 1.5;
    const bottom = Math.min(c, next) - rand() * 1.5;
    triples.push([Math.min(top, hi + 0.8), Math.max(bottom, lo - 0.8), next]);
    c = next;
  }
  return barsOf(triples, tf);
}

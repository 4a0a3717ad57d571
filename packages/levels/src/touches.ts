import type { BarColumns } from './columns.js';

/** How price treated a zone on one timeframe. */
export interface TouchStats {
  touches: number;
  bounces: number;
  breaks: number;
  falseBreakouts: number;
  /** Open time of the first touch's bar; 0 when there is none. */
  firstTouch: number;
  /** Open time of the last bar whose range was in the zone; 0 when there is none. */
  lastInZone: number;
  /** Index of each touch bar (for the volume at touches). */
  touchBars: number[];
}

/**
 * Touches of the zone [low, high]. A touch is a bar whose low–high range enters the zone while the previous
 * bar closed outside it: the previous close gives the approach side, and consecutive bars that close inside
 * the zone belong to the same touch (price resting in a zone tests it once, not once a bar). The touch is
 * resolved by the first close outside the zone from the touch bar on: on the approach side it bounced, on the
 * other side it broke. A break is also a false breakout when a close within `falseBreakoutBars` bars returns
 * beyond the zone on the approach side; the bars up to that return belong to the same touch (the return is not a
 * new touch from the other side). A touch still inside the zone at the last bar is unresolved.
 */
export function touchStats(bars: BarColumns, low: number, high: number, falseBreakoutBars: number, withBars = false): TouchStats {
  const s: TouchStats = { touches: 0, bounces: 0, breaks: 0, falseBreakouts: 0, firstTouch: 0, lastInZone: 0, touchBars: [] };
  const { n, close } = bars;
  const bh = bars.high;
  const bl = bars.low;
  for (let i = 0; i < n; i++) {
    if (bl[i]! > high || bh[i]! < low) continue;
    s.lastInZone = bars.time[i]!;
    if (i === 0) continue;
    const pc = close[i - 1]!;
    if (pc >= low && pc <= high) continue;
    const fromAbove = pc > high;
    s.touches++;
    if (s.touches === 1) s.firstTouch = bars.time[i]!;
    if (withBars) s.touchBars.push(i);
    let j = i;
    while (j < n && close[j]! >= low && close[j]! <= high) j++;
    if (j === n) continue;
    if (close[j]! > high === fromAbove) {
      s.bounces++;
      continue;
    }
    s.breaks++;
    for (let k = j + 1; k <= j + falseBreakoutBars && k < n; k++) {
      if (fromAbove ? close[k]! > high : close[k]! < low) {
        s.falseBreakouts++;
        // The return belongs to the false breakout, not a new touch from the other side.
        for (let m = j + 1; m <= k; m++) if (bl[m]! <= high && bh[m]! >= low) s.lastInZone = bars.time[m]!;
        i = k;
        break;
      }
    }
  }
  return s;
}

/**
 * Mean over touch bars of max(volume of the touch bar, of the next bar) / mean volume of the `avgBars` bars before it (bars with no history or a zero
 * average are skipped); 0 when no touch could be measured.
 */
export function touchVolumeRatio(bars: BarColumns, touchBars: readonly number[], avgBars: number, prefix: Float64Array): number {
  let sum = 0;
  let count = 0;
  for (const i of touchBars) {
    const from = Math.max(0, i - avgBars);
    if (i - from < 1) continue;
    const avg = (prefix[i]! - prefix[from]!) / (i - from);
    if (!(avg > 0)) continue;
    // The reaction often carries the volume: the touch bar or the bar after it, whichever traded more.
    const v = i + 1 < bars.n ? Math.max(bars.volume[i]!, bars.volume[i + 1]!) : bars.volume[i]!;
    sum += v / avg;
    count++;
  }
  return count ? sum / count : 0;
}

/** prefix[i] = sum of volume[0..i-1]. */
export function volumePrefix(bars: BarColumns): Float64Array {
  const p = new Float64Array(bars.n + 1);
  for (let i = 0; i < bars.n; i++) p[i + 1] = p[i]! + bars.volume[i]!;
  return p;
}

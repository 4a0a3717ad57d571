import type { Bar } from './bars.js';

/** Bars as typed columns: the detector scans them many times, and flat arrays keep those scans cheap. */
export interface BarColumns {
  n: number;
  time: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

export function toColumns(bars: readonly Bar[]): BarColumns {
  const n = bars.length;
  const cols: BarColumns = {
    n,
    time: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const b = bars[i]!;
    cols.time[i] = b.openTime;
    cols.high[i] = b.high;
    cols.low[i] = b.low;
    cols.close[i] = b.close;
    cols.volume[i] = b.volume;
  }
  return cols;
}

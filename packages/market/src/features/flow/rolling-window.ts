import { MIN_HISTORY_S } from './flow-options.js';

/** Mean and population std of a series over the window; NaN with fewer than MIN_HISTORY_S samples. */
export interface WindowStats {
  mean: number;
  std: number;
}

/**
 * Per-second series over the last `size` seconds of time (not of calls: seconds the engine never
 * closed are missing, not zero). Statistics are recomputed from the stored values each second, so
 * they depend only on the window's contents, never on the history of running sums.
 */
export class RollingWindow {
  private readonly seconds: Float64Array;
  private readonly values: Float64Array[];

  constructor(
    private readonly size: number,
    series: number,
  ) {
    this.seconds = new Float64Array(size).fill(-Infinity);
    this.values = Array.from({ length: series }, () => new Float64Array(size));
  }

  /** Statistics of series `k` over the seconds [second − size, second − 1]; NaN values are skipped. */
  stats(second: number, k: number): WindowStats {
    const v = this.values[k] as Float64Array;
    const from = second - this.size;
    let n = 0;
    let sum = 0;
    for (let i = 0; i < this.size; i++) {
      const s = this.seconds[i] as number;
      const x = v[i] as number;
      if (s >= from && s < second && !Number.isNaN(x)) {
        n++;
        sum += x;
      }
    }
    if (n < MIN_HISTORY_S) return { mean: NaN, std: NaN };
    const mean = sum / n;
    let ss = 0;
    for (let i = 0; i < this.size; i++) {
      const s = this.seconds[i] as number;
      const x = v[i] as number;
      if (s >= from && s < second && !Number.isNaN(x)) ss += (x - mean) * (x - mean);
    }
    return { mean, std: Math.sqrt(ss / n) };
  }

  /** Records second's values (one per series), replacing the value `size` seconds older. */
  push(second: number, ...xs: number[]): void {
    const slot = ((second % this.size) + this.size) % this.size;
    this.seconds[slot] = second;
    for (let k = 0; k < this.values.length; k++) (this.values[k] as Float64Array)[slot] = xs[k] ?? NaN;
  }
}

/** (x − mean) / std; NaN when the window is too short or flat. */
export function zScore(x: number, w: WindowStats): number {
  return w.std > 0 ? (x - w.mean) / w.std : NaN;
}

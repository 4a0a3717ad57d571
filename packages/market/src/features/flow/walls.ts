import type { FlowTotals } from './flow-totals.js';

/** The walls of one side of a snapshot. */
export interface SideWalls {
  /** Prices of the levels with size ≥ wallMultiple × the side's median level size. */
  prices: number[];
  nearestPrice: number;
  nearestSize: number;
  /** The deepest price the snapshot shows on this side (NaN for an empty side). */
  farthest: number;
}

/** Median of a[0..n), sorted in the reused scratch. */
function median(a: readonly number[], n: number, scratch: Float64Array): number {
  const s = n <= scratch.length ? scratch.subarray(0, n) : new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = a[i] as number;
  s.sort();
  const h = n >> 1;
  return n % 2 === 1 ? (s[h] as number) : ((s[h - 1] as number) + (s[h] as number)) / 2;
}

/**
 * A wall is a level at least `multiple` × the median level size of its side in the snapshot; the
 * nearest is the one closest to the mid (the highest bid, the lowest ask).
 */
export function findWalls(
  prices: readonly number[],
  sizes: readonly number[],
  isBid: boolean,
  multiple: number,
  scratch: Float64Array,
): SideWalls {
  const n = Math.min(prices.length, sizes.length);
  const out: SideWalls = { prices: [], nearestPrice: NaN, nearestSize: NaN, farthest: NaN };
  if (n === 0) return out;
  const threshold = multiple * median(sizes, n, scratch);
  let farthest = prices[0] as number;
  for (let i = 0; i < n; i++) {
    const p = prices[i] as number;
    const q = sizes[i] as number;
    if (isBid ? p < farthest : p > farthest) farthest = p;
    if (!(threshold > 0 && q >= threshold)) continue;
    out.prices.push(p);
    if (Number.isNaN(out.nearestPrice) || (isBid ? p > out.nearestPrice : p < out.nearestPrice)) {
      out.nearestPrice = p;
      out.nearestSize = q;
    }
  }
  out.farthest = farthest;
  return out;
}

/**
 * The walls of one side followed across seconds by price. A wall that is gone (no level, or below the
 * threshold) ends: consumed if the second traded at or through its price, else pulled; one whose price
 * is now beyond the deepest level shown just leaves the view and is forgotten.
 */
export class WallTracker {
  /** price → ts of the snapshot that first showed the wall */
  private readonly born = new Map<number, number>();

  constructor(private readonly isBid: boolean) {}

  clear(): void {
    this.born.clear();
  }

  /**
   * `reached` is the second's lowest aggressive sell price (bids) or highest aggressive buy price (asks),
   * ±Infinity without such trades.
   */
  update(ts: number, walls: SideWalls, reached: number, totals: FlowTotals): void {
    for (const [price, born] of this.born) {
      if (walls.prices.includes(price)) continue;
      this.born.delete(price);
      const inView = this.isBid ? price >= walls.farthest : price <= walls.farthest;
      if (!inView) continue;
      if (this.isBid ? reached <= price : reached >= price) totals.wallsConsumed++;
      else totals.wallsPulled++;
      totals.wallLifetimeSumS += (ts - born) / 1000;
    }
    for (const p of walls.prices) if (!this.born.has(p)) this.born.set(p, ts);
  }
}

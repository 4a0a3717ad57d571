/** Within this many levels of the top, inserts and deletes shift by hand; deeper, splice's memmove wins. */
const SHIFT_LIMIT = 64;

/**
 * One side of a price-level book as two parallel sorted arrays, best price LAST: most updates
 * touch the top of the book, so inserts and deletes there are push/pop with no shifting.
 * Bids are stored ascending, asks descending.
 */
export class BookSide {
  readonly prices: number[] = [];
  readonly sizes: number[] = [];

  constructor(readonly isBid: boolean) {}

  get length(): number {
    return this.prices.length;
  }

  clear(): void {
    this.prices.length = 0;
    this.sizes.length = 0;
  }

  /** Best price, or NaN when the side is empty. */
  best(): number {
    const n = this.prices.length;
    return n === 0 ? NaN : (this.prices[n - 1] as number);
  }

  bestSize(): number {
    const n = this.sizes.length;
    return n === 0 ? NaN : (this.sizes[n - 1] as number);
  }

  /** Absolute size at a price; 0 deletes (deleting an absent level is normal). */
  set(price: number, size: number): void {
    const prices = this.prices;
    const sizes = this.sizes;
    const n = prices.length;
    // Fast paths at the top of the book.
    if (n === 0 || this.beyondBest(price, prices[n - 1] as number)) {
      if (size !== 0) {
        prices.push(price);
        sizes.push(size);
      }
      return;
    }
    const i = this.search(price);
    if (i < n && prices[i] === price) {
      if (size !== 0) sizes[i] = size;
      else if (n - i <= SHIFT_LIMIT) {
        // Near the top: shift the few better levels down by hand (splice allocates its result).
        for (let j = i + 1; j < n; j++) {
          prices[j - 1] = prices[j] as number;
          sizes[j - 1] = sizes[j] as number;
        }
        prices.pop();
        sizes.pop();
      } else {
        prices.splice(i, 1);
        sizes.splice(i, 1);
      }
    } else if (size !== 0) {
      if (n - i <= SHIFT_LIMIT) {
        prices.push(prices[n - 1] as number);
        sizes.push(sizes[n - 1] as number);
        for (let j = n - 1; j > i; j--) {
          prices[j] = prices[j - 1] as number;
          sizes[j] = sizes[j - 1] as number;
        }
        prices[i] = price;
        sizes[i] = size;
      } else {
        prices.splice(i, 0, price);
        sizes.splice(i, 0, size);
      }
    }
  }

  get(price: number): number {
    const i = this.search(price);
    return i < this.prices.length && this.prices[i] === price ? (this.sizes[i] as number) : 0;
  }

  /** Replaces the side with the given levels (any order; zero sizes ignored). */
  load(levels: ReadonlyArray<readonly [number, number]>): void {
    const sorted = levels.filter((l) => l[1] !== 0).sort((a, b) => (this.isBid ? a[0] - b[0] : b[0] - a[0]));
    this.clear();
    for (const [p, s] of sorted) {
      if (this.prices.length && this.prices[this.prices.length - 1] === p) this.sizes[this.sizes.length - 1] = s;
      else {
        this.prices.push(p);
        this.sizes.push(s);
      }
    }
  }

  /**
   * Copies the best `n` levels into `outPrices`/`outSizes` from index 0 (best first);
   * returns how many were written. No allocation.
   */
  top(n: number, outPrices: Float64Array | number[], outSizes: Float64Array | number[]): number {
    const len = this.prices.length;
    const k = n < len ? n : len;
    for (let j = 0; j < k; j++) {
      outPrices[j] = this.prices[len - 1 - j] as number;
      outSizes[j] = this.sizes[len - 1 - j] as number;
    }
    return k;
  }

  /** Levels best first, as [price, size] pairs. */
  levels(n = Infinity): [number, number][] {
    const out: [number, number][] = [];
    for (let j = this.prices.length - 1; j >= 0 && out.length < n; j--) out.push([this.prices[j] as number, this.sizes[j] as number]);
    return out;
  }

  /** True when `price` would sort after `best` (a better price than the current best). */
  private beyondBest(price: number, best: number): boolean {
    return this.isBid ? price > best : price < best;
  }

  /**
   * First index whose price is not "before" `price` in storage order. Gallops down from the top
   * first (most updates land near the best price), then bisects the bracket it found.
   */
  private search(price: number): number {
    const prices = this.prices;
    const n = prices.length;
    let hi = n;
    let step = 1;
    let lo = n - 1;
    if (this.isBid) {
      while (lo > 0 && (prices[lo] as number) >= price) {
        hi = lo;
        step += step;
        lo = n - step;
      }
      if (lo < 0) lo = 0;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((prices[mid] as number) < price) lo = mid + 1;
        else hi = mid;
      }
    } else {
      while (lo > 0 && (prices[lo] as number) <= price) {
        hi = lo;
        step += step;
        lo = n - step;
      }
      if (lo < 0) lo = 0;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((prices[mid] as number) > price) lo = mid + 1;
        else hi = mid;
      }
    }
    return lo;
  }
}

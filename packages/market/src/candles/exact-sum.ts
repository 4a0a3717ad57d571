// Error-free transformations: a candle's volumes are sums of price × size over many trades, and a
// venue's kline holds the exact decimal sum. Carrying each operation's rounding error makes the total
// the correctly rounded value of the exact sum of the (double) terms; since each price and size is
// itself the nearest double to its decimal, the result stays within one unit in the last place of the
// venue's decimal sum, where plain summation drifts by many.

const SPLIT = 134_217_729; // 2^27 + 1 (Veltkamp splitting)

/** Exact rounding error of p = fl(a × b): a × b = p + error exactly (Dekker's TwoProduct). */
export function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** Exact rounding error of s = fl(a + b): a + b = s + error exactly (Knuth's TwoSum). */
export function sumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/** A running sum with its rounding error carried alongside; `value` is the compensated total. */
export class CompensatedSum {
  private hi = 0;
  private lo = 0;

  add(x: number, error = 0): void {
    const s = this.hi + x;
    this.lo += sumError(this.hi, x, s) + error;
    this.hi = s;
  }

  /** Adds a × b exactly (up to the final rounding). */
  addProduct(a: number, b: number): void {
    const p = a * b;
    this.add(p, productError(a, b, p));
  }

  get value(): number {
    return this.hi + this.lo;
  }
}

import type { FootprintLevel } from '@pricelevel/contracts';

// Footprint buckets are integer indices, never float prices: a second's trades are indexed in units of
// its base step 10^(e − 4) (e = floor(log10 first price), five significant digits), and a coarser grid
// takes floor(index / integer ratio), so any rollup re-buckets exactly.

/** 10^n for an integer n: the decimal literal parses to the double nearest the exact power. */
function pow10(n: number): number {
  return Number(`1e${n}`);
}

/** floor(log10(price)), exact at powers of ten, for a finite price > 0. */
export function priceExponent(price: number): number {
  let e = Math.floor(Math.log10(price));
  if (pow10(e) > price) e--;
  else if (pow10(e + 1) <= price) e++;
  return e;
}

/**
 * floor(x) for x = a decimal price times a power of ten: a product that lands within rounding error of
 * an integer (1.005 × 1000 = 1004.9999999999999) is that integer.
 */
function snapFloor(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) <= 1e-12 * x ? r : Math.floor(x);
}

export interface FootprintCell {
  buy: number;
  sell: number;
}

/** Aggressive volume by price bucket: index b covers [b, b + 1) × multiplier × 10^(exponent − 4). */
export class FootprintGrid {
  /** NaN while empty; set by the first trade (a second) or the first merged grid (a rollup). */
  exponent = NaN;
  readonly cells = new Map<number, FootprintCell>();
  // price × scaleUp / scaleDown = price in base steps; one of the two is 1.
  private scaleUp = 1;
  private scaleDown = 1;

  constructor(readonly multiplier: number) {}

  get empty(): boolean {
    return Number.isNaN(this.exponent);
  }

  /** Fixes the base step from the bucket's first trade price, if not fixed yet. */
  start(price: number): void {
    if (this.empty) this.setExponent(priceExponent(price));
  }

  /** Adds one aggressive trade; the first one fixes the base step unless start() did. */
  add(price: number, size: number, isBuy: boolean): void {
    this.start(price);
    const b = Math.floor(snapFloor((price * this.scaleUp) / this.scaleDown) / this.multiplier);
    const c = this.cell(b);
    if (isBuy) c.buy += size;
    else c.sell += size;
  }

  /** Folds a finer grid in; the larger of the two base steps wins (re-bucketing this one if needed). */
  merge(o: FootprintGrid): void {
    if (o.empty) return;
    if (this.empty) this.setExponent(o.exponent);
    else if (o.exponent > this.exponent) this.rescale(o.exponent);
    // o's bucket b covers base units [b·m, b·m + m) at its exponent; here a unit is 10^(Δe) of those.
    const divisor = pow10(this.exponent - o.exponent) * this.multiplier;
    for (const [b, c] of o.cells) {
      const t = this.cell(Math.floor((b * o.multiplier) / divisor));
      t.buy += c.buy;
      t.sell += c.sell;
    }
  }

  /** Bucket width in price. */
  get step(): number {
    if (this.empty) return NaN;
    const k = 4 - this.exponent;
    return k > 0 ? this.multiplier / pow10(k) : this.multiplier * pow10(-k);
  }

  /** Floor price of bucket b, rounded once from the exact decimal. */
  priceOf(b: number): number {
    const k = 4 - this.exponent;
    return k > 0 ? (b * this.multiplier) / pow10(k) : b * this.multiplier * pow10(-k);
  }

  private cell(b: number): FootprintCell {
    let c = this.cells.get(b);
    if (c === undefined) {
      c = { buy: 0, sell: 0 };
      this.cells.set(b, c);
    }
    return c;
  }

  private setExponent(e: number): void {
    this.exponent = e;
    const k = 4 - e;
    this.scaleUp = k > 0 ? pow10(k) : 1;
    this.scaleDown = k > 0 ? 1 : pow10(-k);
  }

  private rescale(e: number): void {
    const factor = pow10(e - this.exponent);
    const old = [...this.cells];
    this.cells.clear();
    this.setExponent(e);
    // Bucket b at the finer step lies entirely inside bucket floor(b / 10^Δe) at the coarser one.
    for (const [b, c] of old) {
      const t = this.cell(Math.floor(b / factor));
      t.buy += c.buy;
      t.sell += c.sell;
    }
  }
}

export interface FootprintSummary {
  step: number;
  levels: FootprintLevel[];
  stackedBuy: number;
  stackedSell: number;
}

/**
 * The footprint message levels (ascending, buckets with volume only) with diagonal imbalances:
 * buy at b against sell at b − 1, sell at b against buy at b + 1; a side facing an empty diagonal is
 * imbalanced with ratio 0. Stacks are runs of ≥ stackMin adjacent bucket indices imbalanced on one side.
 */
export function summarizeFootprint(grid: FootprintGrid, imbalanceRatio: number, stackMin: number): FootprintSummary {
  const keys = [...grid.cells.keys()].sort((a, b) => a - b);
  const levels: FootprintLevel[] = [];
  let stackedBuy = 0;
  let stackedSell = 0;
  let buyRun = 0;
  let sellRun = 0;
  let prev = NaN;
  for (const b of keys) {
    const c = grid.cells.get(b) as FootprintCell;
    if (c.buy === 0 && c.sell === 0) continue;
    const sellBelow = grid.cells.get(b - 1)?.sell ?? 0;
    const buyAbove = grid.cells.get(b + 1)?.buy ?? 0;
    const buyRatio = c.buy > 0 && sellBelow > 0 ? c.buy / sellBelow : 0;
    const sellRatio = c.sell > 0 && buyAbove > 0 ? c.sell / buyAbove : 0;
    const buyImbalance = c.buy > 0 && (sellBelow === 0 || buyRatio >= imbalanceRatio);
    const sellImbalance = c.sell > 0 && (buyAbove === 0 || sellRatio >= imbalanceRatio);
    const adjacent = b === prev + 1;
    buyRun = buyImbalance ? (adjacent ? buyRun + 1 : 1) : 0;
    sellRun = sellImbalance ? (adjacent ? sellRun + 1 : 1) : 0;
    // Count a run once, when it reaches the minimum length.
    if (buyRun === stackMin) stackedBuy++;
    if (sellRun === stackMin) stackedSell++;
    prev = b;
    levels.push({
      price: grid.priceOf(b),
      buyVolume: c.buy,
      sellVolume: c.sell,
      buyImbalanceRatio: buyRatio,
      sellImbalanceRatio: sellRatio,
      buyImbalance,
      sellImbalance,
    });
  }
  return { step: grid.step, levels, stackedBuy, stackedSell };
}

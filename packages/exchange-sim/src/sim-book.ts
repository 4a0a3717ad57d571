/**
 * The simulator's own full order book for one instrument: integer prices/quantities, best-first price
 * arrays per side, and a record of every level changed since the last `takeChanges()` (latest wins),
 * which is exactly what a venue depth event carries.
 */
export type BookSideName = 'bid' | 'ask';

class Side {
  readonly qty = new Map<number, number>();
  /** Prices best first: bids descending, asks ascending. */
  readonly prices: number[] = [];
  constructor(private readonly descending: boolean) {}

  private before(a: number, b: number): boolean {
    return this.descending ? a > b : a < b;
  }

  private indexOf(price: number): number {
    let lo = 0;
    let hi = this.prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.before(this.prices[mid]!, price)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  set(price: number, qty: number): void {
    const had = this.qty.has(price);
    if (qty <= 0) {
      if (!had) return;
      this.qty.delete(price);
      this.prices.splice(this.indexOf(price), 1);
      return;
    }
    this.qty.set(price, qty);
    if (!had) this.prices.splice(this.indexOf(price), 0, price);
  }
}

export class SimBook {
  readonly bids = new Side(true);
  readonly asks = new Side(false);
  private changed = { bid: new Map<number, number>(), ask: new Map<number, number>() };

  side(name: BookSideName): Side {
    return name === 'bid' ? this.bids : this.asks;
  }

  bestBid(): number | undefined {
    return this.bids.prices[0];
  }

  bestAsk(): number | undefined {
    return this.asks.prices[0];
  }

  qty(side: BookSideName, price: number): number {
    return this.side(side).qty.get(price) ?? 0;
  }

  /** Set an absolute level size (0 deletes). Refuses to cross the book: that would be a simulator bug. */
  set(side: BookSideName, price: number, qty: number): void {
    if (qty > 0) {
      const opp = side === 'bid' ? this.bestAsk() : this.bestBid();
      if (opp !== undefined && (side === 'bid' ? price >= opp : price <= opp)) {
        throw new Error(`level ${side} ${price} would cross the book (best opposite ${opp})`);
      }
    }
    const prev = this.qty(side, price);
    if (prev === qty) return;
    this.side(side).set(price, qty);
    this.changed[side].set(price, qty);
  }

  hasChanges(): boolean {
    return this.changed.bid.size > 0 || this.changed.ask.size > 0;
  }

  /** Levels changed since the last call, ascending by price, as [price, qty] (qty 0 = removed). */
  takeChanges(): { bids: [number, number][]; asks: [number, number][] } {
    const sorted = (m: Map<number, number>) => [...m.entries()].sort((a, b) => a[0] - b[0]);
    const out = { bids: sorted(this.changed.bid), asks: sorted(this.changed.ask) };
    this.changed = { bid: new Map(), ask: new Map() };
    return out;
  }

  /** Best-first levels of one side, at most `limit`. */
  levels(side: BookSideName, limit = Infinity): [number, number][] {
    const s = this.side(side);
    const n = Math.min(limit, s.prices.length);
    const out: [number, number][] = new Array(n);
    for (let i = 0; i < n; i++) {
      const p = s.prices[i]!;
      out[i] = [p, s.qty.get(p)!];
    }
    return out;
  }
}

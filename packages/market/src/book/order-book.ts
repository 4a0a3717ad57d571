import { BookSide } from './book-side.js';

export type Level = readonly [price: number, size: number];

/** A price-level order book with absolute sizes (size 0 deletes). No sequence logic: see the venue sync. */
export class OrderBook {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);

  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }

  loadSnapshot(bids: ReadonlyArray<Level>, asks: ReadonlyArray<Level>): void {
    this.bids.load(bids);
    this.asks.load(asks);
  }

  bestBid(): number {
    return this.bids.best();
  }

  bestAsk(): number {
    return this.asks.best();
  }

  /** True when both sides exist and do not cross (a crossed book means a broken sync). */
  isConsistent(): boolean {
    const b = this.bids.best();
    const a = this.asks.best();
    return Number.isNaN(b) || Number.isNaN(a) || b < a;
  }

  /** Best-first copy of up to n levels per side. */
  snapshot(n = Infinity): { bids: [number, number][]; asks: [number, number][] } {
    return { bids: this.bids.levels(n), asks: this.asks.levels(n) };
  }
}

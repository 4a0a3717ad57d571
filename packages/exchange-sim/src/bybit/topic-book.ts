/**
 * One `orderbook.<depth>.<SYMBOL>` topic: the top-N view subscribers hold, its update id `u` (+1 per
 * message, as observed on the venue) and the delta between the last pushed view and the live book.
 * Levels that fall out of the top N are sent as deletions and levels that move into it as inserts, so
 * snapshot + deltas reproduce exactly the top N of the live book.
 */
import type { SimBook } from '../sim-book.js';

export type Levels = [number, number][];

export interface TopicDelta {
  bids: Levels;
  asks: Levels;
}

function topMap(book: SimBook, side: 'bid' | 'ask', depth: number): Map<number, number> {
  return new Map(book.levels(side, depth));
}

function diff(prev: Map<number, number>, next: Map<number, number>, desc: boolean): Levels {
  const out: Levels = [];
  for (const [p, q] of next) if (prev.get(p) !== q) out.push([p, q]);
  for (const p of prev.keys()) if (!next.has(p)) out.push([p, 0]);
  return out.sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));
}

export class TopicBook {
  u: number;
  private bids: Map<number, number> | null = null;
  private asks: Map<number, number> | null = null;
  /** Ticks since the last push (level 1 re-sends an unchanged snapshot every 3 s). */
  idleMs = 0;

  constructor(
    readonly depth: number,
    readonly name: string,
    startU: number,
  ) {
    this.u = startU;
  }

  get live(): boolean {
    return this.bids !== null;
  }

  /** Best-first view subscribers hold (initialises it from the live book when nobody held one). */
  view(book: SimBook): { bids: Levels; asks: Levels } {
    if (!this.bids || !this.asks) this.reload(book);
    const desc = (m: Map<number, number>) => [...m.entries()].sort((a, b) => b[0] - a[0]);
    const asc = (m: Map<number, number>) => [...m.entries()].sort((a, b) => a[0] - b[0]);
    return { bids: desc(this.bids!), asks: asc(this.asks!) };
  }

  reload(book: SimBook): void {
    this.bids = topMap(book, 'bid', this.depth);
    this.asks = topMap(book, 'ask', this.depth);
  }

  /** Nobody subscribed any more: stop tracking (the next subscriber gets a fresh view). */
  drop(): void {
    this.bids = null;
    this.asks = null;
  }

  /** Changes since the last push, applied to the held view; null when nothing changed. */
  advance(book: SimBook): TopicDelta | null {
    if (!this.bids || !this.asks) {
      this.reload(book);
      return null;
    }
    const nb = topMap(book, 'bid', this.depth);
    const na = topMap(book, 'ask', this.depth);
    const bids = diff(this.bids, nb, true);
    const asks = diff(this.asks, na, false);
    if (!bids.length && !asks.length) return null;
    this.bids = nb;
    this.asks = na;
    return { bids, asks };
  }
}

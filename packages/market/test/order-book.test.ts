import { describe, expect, it } from 'vitest';
import { OrderBook } from '../src/index.js';

/** Reference model: a Map, sorted on read. */
function reference(ops: [boolean, number, number][]) {
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  for (const [isBid, p, s] of ops) {
    const m = isBid ? bids : asks;
    if (s === 0) m.delete(p);
    else m.set(p, s);
  }
  return {
    bids: [...bids].sort((a, b) => b[0] - a[0]),
    asks: [...asks].sort((a, b) => a[0] - b[0]),
  };
}

describe('OrderBook', () => {
  it('keeps bids descending and asks ascending with absolute sizes and deletes', () => {
    const b = new OrderBook();
    b.loadSnapshot([[100, 1], [99, 2], [101, 3]], [[102, 1], [104, 2], [103, 0]]);
    expect(b.bestBid()).toBe(101);
    expect(b.bestAsk()).toBe(102);
    b.bids.set(101, 0);
    b.bids.set(98.5, 4);
    b.asks.set(101.5, 7);
    b.asks.set(250, 0); // deleting an absent level is normal
    expect(b.snapshot()).toEqual({ bids: [[100, 1], [99, 2], [98.5, 4]], asks: [[101.5, 7], [102, 1], [104, 2]] });
    expect(b.isConsistent()).toBe(true);
  });

  it('matches a reference model over random operations', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const ops: [boolean, number, number][] = [];
    const book = new OrderBook();
    for (let i = 0; i < 20_000; i++) {
      const isBid = rnd() < 0.5;
      const price = Math.round((isBid ? 900 + rnd() * 100 : 1000 + rnd() * 100) * 10) / 10;
      const size = rnd() < 0.3 ? 0 : Math.round(rnd() * 1000) / 100;
      ops.push([isBid, price, size]);
      (isBid ? book.bids : book.asks).set(price, size);
    }
    expect(book.snapshot()).toEqual(reference(ops));
    const p = new Float64Array(100);
    const s = new Float64Array(100);
    const k = book.asks.top(100, p, s);
    expect(k).toBe(Math.min(100, book.asks.length));
    expect(Array.from(p.slice(0, k))).toEqual(reference(ops).asks.slice(0, k).map((l) => l[0]));
  });

  it('reports a crossed book as inconsistent', () => {
    const b = new OrderBook();
    b.loadSnapshot([[10, 1]], [[9, 1]]);
    expect(b.isConsistent()).toBe(false);
  });
});

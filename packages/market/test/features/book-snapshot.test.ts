import { describe, expect, it } from 'vitest';
import { BOOK_SNAPSHOT_MAX_DEPTH, emptyBookSnapshot, takeBookSnapshot } from '../../src/index.js';
import { T0, fixtureBook, meta, restDepth } from './book-test-helpers.js';

// Binance spot REST depth, limit 1000: 609 bids and 1000 asks.
const DEEP = 'spot_rest_depth_limit1000.real.json';

describe('takeBookSnapshot', () => {
  it('takes the best 100 levels per side of a real book, best first, with the meta', () => {
    const d = restDepth(DEEP);
    const book = fixtureBook(DEEP);
    expect([book.bids.length, book.asks.length]).toEqual([609, 1000]);
    const s = takeBookSnapshot(book, meta(T0));
    expect(BOOK_SNAPSHOT_MAX_DEPTH).toBe(100);
    expect(s.bidPrices).toHaveLength(100);
    expect(s.askPrices).toHaveLength(100);
    // Independent of the fixture's own order: sort its levels, best first.
    const bids = [...d.bids].sort((a, b) => b[0] - a[0]).slice(0, 100);
    const asks = [...d.asks].sort((a, b) => a[0] - b[0]).slice(0, 100);
    expect(s.bidPrices).toEqual(bids.map((l) => l[0]));
    expect(s.bidSizes).toEqual(bids.map((l) => l[1]));
    expect(s.askPrices).toEqual(asks.map((l) => l[0]));
    expect(s.askSizes).toEqual(asks.map((l) => l[1]));
    expect([s.bidPrices[0], s.askPrices[0]]).toEqual([0.3521, 0.3525]);
    expect(s).toMatchObject({ ...meta(T0) });
  });

  it('caps at the requested depth and takes what a shallower book has', () => {
    const s5 = takeBookSnapshot(fixtureBook(DEEP), meta(T0), 5);
    expect(s5.bidPrices).toEqual([0.3521, 0.352, 0.3519, 0.3518, 0.3516]);
    expect(s5.askSizes).toEqual([3959, 3199, 4201, 703, 6718]);
    const shallow = takeBookSnapshot(fixtureBook('spot_rest_depth_btcusdt.real.json'), meta(T0)); // 10 per side
    expect([shallow.bidPrices.length, shallow.bidSizes.length, shallow.askPrices.length, shallow.askSizes.length]).toEqual([10, 10, 10, 10]);
    expect([shallow.bidPrices[0], shallow.askPrices[0], shallow.askPrices[9]]).toEqual([60650, 60650.01, 60659.94]);
    expect(takeBookSnapshot(fixtureBook(DEEP), meta(T0), 0).bidPrices).toEqual([]);
  });

  it('copies the levels: later book updates do not reach the snapshot', () => {
    const book = fixtureBook(DEEP);
    const s = takeBookSnapshot(book, meta(T0), 3);
    book.bids.set(0.3521, 0);
    book.asks.set(0.3524, 10);
    expect(s.bidPrices).toEqual([0.3521, 0.352, 0.3519]);
    expect(s.askPrices).toEqual([0.3525, 0.3526, 0.3527]);
  });

  it('rejects a depth outside 0..100', () => {
    const book = fixtureBook(DEEP);
    for (const depth of [101, -1, 2.5, NaN]) expect(() => takeBookSnapshot(book, meta(T0), depth)).toThrow(RangeError);
  });
});

describe('emptyBookSnapshot', () => {
  it('carries the meta and no levels', () => {
    const s = emptyBookSnapshot(meta(T0, true));
    expect(s).toEqual({ ...meta(T0, true), bidPrices: [], bidSizes: [], askPrices: [], askSizes: [] });
  });
});

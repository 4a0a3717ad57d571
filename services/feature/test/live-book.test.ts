import { describe, expect, it } from 'vitest';
import { QualityKind, type BookUpdate, type QualityEvent } from '@pricelevel/contracts';
import { LiveBook } from '../src/index.js';

const REF = { exchange: 'bybit', market: 'perp', symbol: 'BTCUSDT' };
const update = (over: Partial<BookUpdate>): BookUpdate => ({
  ...REF, snapshot: false, bids: [], asks: [], firstUpdateId: 0, lastUpdateId: 0, prevUpdateId: 0, bookEpoch: 1, exchangeTs: 0, receivedTs: 0, ...over,
});
const gap = (bookEpoch: number): QualityEvent => ({
  ...REF, kind: QualityKind.QUALITY_KIND_SEQUENCE_GAP, bookEpoch, expectedId: 0, receivedId: 0, detail: '', ts: 0,
});

describe('LiveBook', () => {
  it('has no book and is resyncing until the first snapshot', () => {
    const b = new LiveBook();
    b.apply(update({ bids: [{ price: 1, size: 1 }] }));
    expect(b.hasBook).toBe(false);
    expect(b.resyncing).toBe(true);
    expect(b.ignoredUpdates).toBe(1);
    b.apply(update({ snapshot: true, bids: [{ price: 100, size: 2 }], asks: [{ price: 101, size: 3 }], lastUpdateId: 7, exchangeTs: 5 }));
    expect([b.hasBook, b.resyncing, b.lastUpdateId, b.bookTs]).toEqual([true, false, 7, 5]);
  });

  it('applies absolute sizes, deletes on 0, and replaces the book on a snapshot', () => {
    const b = new LiveBook();
    b.apply(update({ snapshot: true, bids: [{ price: 100, size: 2 }, { price: 99, size: 1 }], asks: [{ price: 101, size: 3 }] }));
    b.apply(update({ bids: [{ price: 100, size: 0 }, { price: 98, size: 4 }], asks: [{ price: 101, size: 5 }] }));
    expect(b.book.snapshot()).toEqual({ bids: [[99, 1], [98, 4]], asks: [[101, 5]] });
    b.apply(update({ snapshot: true, bookEpoch: 2, bids: [{ price: 50, size: 1 }], asks: [] }));
    expect(b.book.snapshot()).toEqual({ bids: [[50, 1]], asks: [] });
  });

  it('is resyncing from a gap of a newer epoch until that epoch’s snapshot, ignoring deltas in between', () => {
    const b = new LiveBook();
    b.apply(update({ snapshot: true, bids: [{ price: 100, size: 2 }] }));
    b.onQuality(gap(2));
    expect(b.resyncing).toBe(true);
    b.apply(update({ bookEpoch: 2, bids: [{ price: 100, size: 9 }] })); // no snapshot of epoch 2 yet
    expect(b.book.bids.get(100)).toBe(2);
    b.onQuality(gap(1)); // an old event redelivered: no effect
    b.apply(update({ snapshot: true, bookEpoch: 2, bids: [{ price: 100, size: 3 }] }));
    expect(b.resyncing).toBe(false);
    b.apply(update({ snapshot: true, bookEpoch: 1, bids: [{ price: 1, size: 1 }] })); // older snapshot redelivered
    expect(b.book.bids.get(100)).toBe(3);
    expect(b.ignoredUpdates).toBe(2);
  });
});

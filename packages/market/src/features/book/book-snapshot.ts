import type { BookSnapshot } from '@pricelevel/contracts';
import type { OrderBook } from '../../book/order-book.js';

/** The proto caps a snapshot at this many levels per side. */
export const BOOK_SNAPSHOT_MAX_DEPTH = 100;

/** Everything in a snapshot but its levels. */
export type BookSnapshotMeta = Pick<
  BookSnapshot,
  'exchange' | 'market' | 'symbol' | 'ts' | 'resyncing' | 'bookEpoch' | 'lastUpdateId' | 'bookTs'
>;

/** The best `depth` levels per side of `book`, best first on both sides. */
export function takeBookSnapshot(book: OrderBook, meta: BookSnapshotMeta, depth = BOOK_SNAPSHOT_MAX_DEPTH): BookSnapshot {
  if (!Number.isInteger(depth) || depth < 0 || depth > BOOK_SNAPSHOT_MAX_DEPTH) {
    throw new RangeError(`snapshot depth must be an integer in 0..${BOOK_SNAPSHOT_MAX_DEPTH}, got ${depth}`);
  }
  const s = emptyBookSnapshot(meta);
  // top() fills from index 0 upwards, so the empty arrays grow packed.
  book.bids.top(depth, s.bidPrices, s.bidSizes);
  book.asks.top(depth, s.askPrices, s.askSizes);
  return s;
}

/** A snapshot without levels, for an instrument whose book does not exist yet. */
export function emptyBookSnapshot(meta: BookSnapshotMeta): BookSnapshot {
  return {
    exchange: meta.exchange,
    market: meta.market,
    symbol: meta.symbol,
    ts: meta.ts,
    resyncing: meta.resyncing,
    bookEpoch: meta.bookEpoch,
    lastUpdateId: meta.lastUpdateId,
    bookTs: meta.bookTs,
    bidPrices: [],
    bidSizes: [],
    askPrices: [],
    askSizes: [],
  };
}

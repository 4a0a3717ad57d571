import { QualityKind, type BookUpdate, type QualityEvent } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { BingxBookSync } from '../src/exchanges/bingx/book-sync.js';
import { BingxParser, type IncrDepth } from '../src/exchanges/bingx/parsers.js';
import { fixtureLines } from './helpers/fixtures.js';

/**
 * BingX publishes no captured incrDepth sequence; the full book here is the real ETH-USDT depth20
 * capture (asks listed highest first, as the venue sends them) and the updates follow the documented
 * incrDepth rules: absolute sizes, "0.00" deletes, lastUpdateId + 1 per push.
 */
const REAL = JSON.parse(fixtureLines('bingx/ws_swap_depth20.real.jsonl')[0]!) as { data: { bids: string[][]; asks: string[][] } };
const parser = new BingxParser('perp', [{ symbol: 'ETHUSDT', native: 'ETH-USDT' }]);

function depth(action: 'all' | 'update', id: number, bids: string[][], asks: string[][], rx = 1): IncrDepth {
  const e = parser.parseText(JSON.stringify({ code: 0, dataType: 'ETH-USDT@incrDepth', data: { action, lastUpdateId: id, time: 1714650397486 + id, bids, asks } }), rx);
  if (e.kind !== 'depth') throw new Error(`not a depth event: ${JSON.stringify(e)}`);
  return e.depth;
}

function setup() {
  const books: BookUpdate[] = [];
  const quality: QualityEvent[] = [];
  const resubscribes: string[] = [];
  const sync = new BingxBookSync('ETHUSDT', 'perp', { book: (u) => books.push(u), quality: (q) => quality.push(q), resubscribe: (s) => resubscribes.push(s) });
  return { sync, books, quality, resubscribes };
}

const num = (l: string[][]) => l.map(([p, q]) => [Number(p), Number(q)] as [number, number]);

describe('BingxBookSync', () => {
  it('loads the full book (real capture) best first and publishes it as a snapshot', () => {
    const { sync, books } = setup();
    expect(sync.state).toBe('awaiting-snapshot');
    sync.onDepth(depth('all', 100, REAL.data.bids, REAL.data.asks));
    expect(sync.state).toBe('synced');
    expect(sync.lastUpdateId).toBe(100);
    expect(sync.book.snapshot()).toEqual({ bids: num(REAL.data.bids), asks: num([...REAL.data.asks].reverse()) });
    expect(books).toHaveLength(1);
    expect(books[0]).toMatchObject({ exchange: 'bingx', market: 'perp', symbol: 'ETHUSDT', snapshot: true, lastUpdateId: 100, bookEpoch: 1 });
  });

  it('applies chained updates: add, replace, delete ("0.00")', () => {
    const { sync, books, quality } = setup();
    sync.onDepth(depth('all', 100, REAL.data.bids, REAL.data.asks));
    sync.onDepth(depth('update', 101, [['2990.65', '1.50'], ['2990.64', '0.00']], [['2990.71', '3.33']]));
    sync.onDepth(depth('update', 102, [['2990.61', '7.00']], [['2990.71', '0.00'], ['2990.70', '0.40']]));
    const snap = sync.book.snapshot(3);
    expect(snap.bids).toEqual([[2990.65, 1.5], [2990.61, 7], [2990.58, 0.3]]);
    expect(snap.asks).toEqual([[2990.7, 0.4], [2990.74, 17.57], [2990.77, 19.12]]);
    expect(sync.lastUpdateId).toBe(102);
    expect(books.map((b) => [b.snapshot, b.firstUpdateId, b.lastUpdateId, b.prevUpdateId])).toEqual([[true, 100, 100, 0], [false, 101, 101, 100], [false, 102, 102, 101]]);
    expect(quality).toEqual([]);
    expect(sync.counters.applied).toBe(2);
  });

  it('ignores duplicates and old updates', () => {
    const { sync, quality } = setup();
    sync.onDepth(depth('all', 100, REAL.data.bids, REAL.data.asks));
    sync.onDepth(depth('update', 101, [['2990.65', '1.50']], []));
    sync.onDepth(depth('update', 101, [['2990.65', '9.99']], []));
    sync.onDepth(depth('update', 99, [], []));
    expect(sync.book.bids.get(2990.65)).toBe(1.5);
    expect(sync.counters.duplicates).toBe(2);
    expect(quality).toEqual([]);
  });

  it('a lastUpdateId break: SEQUENCE_GAP, new epoch, resubscribe; the next `all` rebuilds it with RESYNC', () => {
    const { sync, books, quality, resubscribes } = setup();
    sync.onDepth(depth('all', 100, REAL.data.bids, REAL.data.asks));
    sync.onDepth(depth('update', 102, [['2990.65', '1.50']], [], 77));
    expect(sync.state).toBe('awaiting-snapshot');
    expect(sync.epoch).toBe(2);
    expect(sync.book.snapshot()).toEqual({ bids: [], asks: [] });
    expect(resubscribes).toEqual(['ETHUSDT']);
    expect(quality).toEqual([expect.objectContaining({ kind: QualityKind.QUALITY_KIND_SEQUENCE_GAP, expectedId: 101, receivedId: 102, bookEpoch: 2, ts: 77, symbol: 'ETHUSDT' })]);
    // In-flight updates of the old subscription are dropped until the new full book.
    sync.onDepth(depth('update', 103, [], []));
    expect(sync.counters.droppedUnsynced).toBe(1);
    sync.onDepth(depth('all', 500, REAL.data.bids.slice(0, 5), REAL.data.asks.slice(-5)));
    expect(sync.state).toBe('synced');
    expect(books.at(-1)).toMatchObject({ snapshot: true, lastUpdateId: 500, bookEpoch: 2 });
    expect(quality.map((q) => q.kind)).toEqual([QualityKind.QUALITY_KIND_SEQUENCE_GAP, QualityKind.QUALITY_KIND_RESYNC]);
    expect(sync.counters).toMatchObject({ gaps: 1, resyncs: 1, resubscribes: 1, snapshots: 2 });
  });

  it('an update that crosses the book counts as a gap', () => {
    const { sync, quality, resubscribes } = setup();
    sync.onDepth(depth('all', 100, REAL.data.bids, REAL.data.asks));
    sync.onDepth(depth('update', 101, [['2991.00', '1.00']], []));
    expect(quality[0]).toMatchObject({ kind: QualityKind.QUALITY_KIND_SEQUENCE_GAP });
    expect(quality[0]!.detail).toMatch(/crossed/);
    expect(resubscribes).toHaveLength(1);
  });

  it('reset (connection lost) voids the book; the new subscription`s `all` resyncs with a new epoch', () => {
    const { sync, quality } = setup();
    sync.onDepth(depth('all', 100, REAL.data.bids, REAL.data.asks));
    sync.reset();
    expect(sync.state).toBe('awaiting-snapshot');
    expect(sync.epoch).toBe(2);
    sync.onDepth(depth('all', 900, REAL.data.bids, REAL.data.asks));
    expect(quality.map((q) => q.kind)).toEqual([QualityKind.QUALITY_KIND_RESYNC]);
    expect(sync.lastUpdateId).toBe(900);
  });

  it('an unsolicited `all` while synced replaces the book in a new epoch', () => {
    const { sync, quality, books } = setup();
    sync.onDepth(depth('all', 100, REAL.data.bids, REAL.data.asks));
    sync.onDepth(depth('all', 200, REAL.data.bids.slice(0, 2), REAL.data.asks.slice(-2)));
    expect(sync.epoch).toBe(2);
    expect(sync.book.snapshot()).toEqual({ bids: num(REAL.data.bids.slice(0, 2)), asks: num(REAL.data.asks.slice(-2).reverse()) });
    expect(books.at(-1)).toMatchObject({ snapshot: true, bookEpoch: 2 });
    expect(quality.map((q) => q.kind)).toEqual([QualityKind.QUALITY_KIND_RESYNC]);
  });
});

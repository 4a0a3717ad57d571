import { QualityKind, type BookUpdate, type QualityEvent } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { HtxBookSync } from '../src/exchanges/htx/mbp-sync.js';
import { HtxParser, type MbpIncremental, type MbpRefresh } from '../src/exchanges/htx/parsers.js';
import { htxLines } from './helpers/htx-fixtures.js';

function harness() {
  const books: BookUpdate[] = [];
  const quality: QualityEvent[] = [];
  const requests: number[] = [];
  const sync = new HtxBookSync({ symbol: 'BTCUSDT' }, { book: (u) => books.push(u), quality: (q) => quality.push(q), requestRefresh: (_s, t) => requests.push(t) });
  return { sync, books, quality, requests };
}

/** Reference book: a Map per side, applied level by level (independent of OrderBook). */
function applyRef(side: Map<number, number>, levels: { price: number; size: number }[]): void {
  for (const l of levels) {
    if (l.size === 0) side.delete(l.price);
    else side.set(l.price, l.size);
  }
}
const sorted = (m: Map<number, number>, desc: boolean) => [...m].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));

const inc = (seqNum: number, prevSeqNum: number, bids: [number, number][] = [], asks: [number, number][] = []): MbpIncremental => ({
  symbol: 'BTCUSDT', seqNum, prevSeqNum, bids: bids.map(([price, size]) => ({ price, size })), asks: asks.map(([price, size]) => ({ price, size })), ts: 1, receivedTs: 1,
});
const refresh = (seqNum: number, bids: [number, number][], asks: [number, number][]): MbpRefresh => ({
  symbol: 'BTCUSDT', id: 'x', seqNum, bids: bids.map(([price, size]) => ({ price, size })), asks: asks.map(([price, size]) => ({ price, size })), ts: 1, receivedTs: 1,
});

describe('HtxBookSync on the real mbp.150 sequence', () => {
  it('aligns the REQ refresh with the incremental whose prevSeqNum is its seqNum, then detects the real gap', () => {
    const parser = new HtxParser(['BTCUSDT']);
    const events = htxLines('htx_spot_btcusdt_mbp150_sequence.real-trimmed.jsonl').map((l) => parser.parse(l, 5));
    const { sync, books, quality, requests } = harness();
    const incs = events.filter((e) => e.kind === 'mbp').map((e) => (e.kind === 'mbp' ? e.update : null)!);
    const rep = events.find((e) => e.kind === 'mbp-refresh');
    if (rep?.kind !== 'mbp-refresh') throw new Error('no refresh in the capture');
    for (const m of incs.slice(0, 4)) sync.onIncremental(m);
    expect(sync.state).toBe('awaiting-refresh');
    expect(requests).toEqual([1]);
    sync.onRefresh(rep.refresh, 1);
    // Refresh seqNum 109409288160 = prevSeqNum of the 3rd cached message: the 3rd and 4th apply.
    expect(sync.state).toBe('synced');
    expect(sync.lastUpdateId).toBe(incs[3]!.seqNum);
    const bids = new Map(rep.refresh.bids.map((l) => [l.price, l.size]));
    const asks = new Map(rep.refresh.asks.map((l) => [l.price, l.size]));
    for (const m of incs.slice(2, 4)) {
      applyRef(bids, m.bids);
      applyRef(asks, m.asks);
    }
    expect(sync.book.snapshot()).toEqual({ bids: sorted(bids, true), asks: sorted(asks, false) });
    expect(books.map((b) => [b.snapshot, b.lastUpdateId, b.prevUpdateId, b.bookEpoch])).toEqual([
      [true, 109409288160, 0, 1],
      [false, 109409288204, 109409288160, 1],
      [false, 109409288226, 109409288204, 1],
    ]);
    // The capture was trimmed: the last message continues 109409288500, not 109409288226.
    sync.onIncremental(incs[4]!);
    expect(quality.map((q) => [q.kind, q.expectedId, q.receivedId, q.bookEpoch])).toEqual([[QualityKind.QUALITY_KIND_SEQUENCE_GAP, 109409288226, 109409288500, 2]]);
    expect([sync.state, sync.epoch, sync.book.snapshot()]).toEqual(['awaiting-refresh', 2, { bids: [], asks: [] }]);
    expect(requests).toEqual([1, 2]);
  });

  it('the two real mbp.20 messages are not consecutive: a gap once synced', () => {
    const parser = new HtxParser(['BTCUSDT']);
    const [a, b] = htxLines('ws_mbp_incremental.real.jsonl').map((l) => parser.parse(l, 1));
    if (a?.kind !== 'mbp' || b?.kind !== 'mbp') throw new Error('expected mbp');
    const { sync, quality } = harness();
    sync.onIncremental(a.update);
    sync.onRefresh(refresh(a.update.prevSeqNum, [[38760, 1]], [[38770, 1]]), 1);
    expect(sync.state).toBe('synced');
    sync.onIncremental(b.update);
    expect(quality.map((q) => q.kind)).toEqual([QualityKind.QUALITY_KIND_SEQUENCE_GAP]);
  });
});

describe('HtxBookSync rules', () => {
  it('empty no-change frames advance the sequence without publishing', () => {
    const { sync, books } = harness();
    sync.onIncremental(inc(11, 10, [[99, 1]]));
    sync.onRefresh(refresh(10, [[99, 2]], [[101, 2]]), 1);
    sync.onIncremental(inc(12, 11));
    sync.onIncremental(inc(13, 12, [], [[101, 0], [102, 3]]));
    expect(sync.lastUpdateId).toBe(13);
    expect(sync.counters.empty).toBe(1);
    expect(books.map((b) => b.lastUpdateId)).toEqual([10, 11, 13]);
    expect(sync.book.snapshot()).toEqual({ bids: [[99, 1]], asks: [[102, 3]] });
  });

  it('a refresh newer than the cache waits for the incremental that continues it', () => {
    const { sync } = harness();
    sync.onIncremental(inc(11, 10));
    sync.onRefresh(refresh(12, [[99, 1]], [[101, 1]]), 1);
    expect(sync.state).toBe('awaiting-refresh');
    sync.onIncremental(inc(12, 11));
    expect(sync.state).toBe('awaiting-refresh');
    sync.onIncremental(inc(13, 12, [[100, 5]]));
    expect([sync.state, sync.lastUpdateId]).toEqual(['synced', 13]);
    expect(sync.book.snapshot().bids).toEqual([[100, 5], [99, 1]]);
  });

  it('a refresh older than every cached incremental is asked again (no gap reported)', () => {
    const { sync, quality, requests } = harness();
    sync.onIncremental(inc(21, 20));
    sync.onRefresh(refresh(15, [], []), 1);
    expect([sync.state, requests, quality, sync.counters.refreshRefetches]).toEqual(['awaiting-refresh', [1, 2], [], 1]);
    sync.onRefresh(refresh(20, [[1, 1]], [[2, 1]]), 1); // the superseded answer is ignored
    expect(sync.counters.staleRefreshes).toBe(1);
    sync.onRefresh(refresh(20, [[1, 1]], [[2, 1]]), 2);
    expect([sync.state, sync.lastUpdateId]).toEqual(['synced', 21]);
  });

  it('ignores duplicates, follows a reordered cache, and resyncs only on a real break', () => {
    const { sync, quality } = harness();
    sync.onIncremental(inc(12, 11, [[98, 1]]));
    sync.onIncremental(inc(11, 10, [[99, 1]])); // arrived out of order while waiting
    sync.onRefresh(refresh(10, [], [[101, 1]]), 1);
    expect([sync.state, sync.lastUpdateId]).toEqual(['synced', 12]);
    sync.onIncremental(inc(12, 11, [[98, 7]]));
    expect(sync.counters.duplicates).toBe(1);
    expect(sync.book.snapshot().bids).toEqual([[99, 1], [98, 1]]);
    sync.onIncremental(inc(14, 13));
    expect(quality.map((q) => q.kind)).toEqual([QualityKind.QUALITY_KIND_SEQUENCE_GAP]);
  });

  it('a crossed book is a broken sync', () => {
    const { sync, quality } = harness();
    sync.onIncremental(inc(11, 10));
    sync.onRefresh(refresh(10, [[99, 1]], [[101, 1]]), 1);
    sync.onIncremental(inc(12, 11, [[102, 1]]));
    expect(quality.map((q) => q.kind)).toEqual([QualityKind.QUALITY_KIND_SEQUENCE_GAP]);
    expect(sync.epoch).toBe(2);
  });

  it('after a reset the rebuilt book is announced with RESYNC in a new epoch', () => {
    const { sync, quality, books, requests } = harness();
    sync.onIncremental(inc(11, 10));
    sync.onRefresh(refresh(10, [[99, 1]], [[101, 1]]), 1);
    sync.reset();
    expect([sync.state, sync.epoch]).toEqual(['idle', 2]);
    sync.onIncremental(inc(31, 30));
    sync.onRefresh(refresh(30, [[98, 1]], [[101, 1]]), 1); // answer to a request made before the reset
    expect(sync.counters.staleRefreshes).toBe(1);
    sync.onRefresh(refresh(30, [[98, 1]], [[101, 1]]), requests[requests.length - 1]!);
    expect(quality.map((q) => [q.kind, q.bookEpoch])).toEqual([[QualityKind.QUALITY_KIND_RESYNC, 2]]);
    expect(books.filter((b) => b.snapshot).map((b) => b.bookEpoch)).toEqual([1, 2]);
  });
});

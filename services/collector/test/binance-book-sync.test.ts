import { QualityKind, type BookUpdate, type QualityEvent } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { BinanceBookSync, type BookSyncSink } from '../src/exchanges/binance/book-sync.js';
import { BinanceParser, parseDepthSnapshot, type DepthDiff, type DepthSnapshot } from '../src/exchanges/binance/parsers.js';
import { binanceSequences, depthCsv, type SequenceRecord } from './helpers/fixtures.js';

/** Records what the state machine asks for; `port` is the sink handed to it. */
class RecordingSink {
  updates: BookUpdate[] = [];
  quality: QualityEvent[] = [];
  requests: number[] = [];
  get lastToken(): number {
    return this.requests[this.requests.length - 1] ?? 0;
  }
  kinds(): QualityKind[] {
    return this.quality.map((q) => q.kind);
  }
}
function makeSink(): { s: RecordingSink; port: BookSyncSink } {
  const s = new RecordingSink();
  return {
    s,
    port: { book: (u) => s.updates.push(u), quality: (q) => s.quality.push(q), requestSnapshot: (_sym, t) => s.requests.push(t) },
  };
}

/** Naive reference book: plain maps, absolute sizes, 0 deletes. */
class ReferenceBook {
  bids = new Map<number, number>();
  asks = new Map<number, number>();
  load(s: DepthSnapshot): void {
    this.bids = new Map(s.bids.map((l) => [l.price, l.size]));
    this.asks = new Map(s.asks.map((l) => [l.price, l.size]));
  }
  apply(d: DepthDiff): void {
    for (const [side, levels] of [[this.bids, d.bids], [this.asks, d.asks]] as const) {
      for (const l of levels) {
        if (l.size === 0) side.delete(l.price);
        else side.set(l.price, l.size);
      }
    }
  }
  levels(): { bids: [number, number][]; asks: [number, number][] } {
    return {
      bids: [...this.bids].sort((a, b) => b[0] - a[0]),
      asks: [...this.asks].sort((a, b) => a[0] - b[0]),
    };
  }
  toSnapshot(lastUpdateId: number, receivedTs: number): DepthSnapshot {
    const { bids, asks } = this.levels();
    return {
      lastUpdateId, receivedTs, E: undefined, T: undefined,
      bids: bids.map(([price, size]) => ({ price, size })), asks: asks.map(([price, size]) => ({ price, size })),
    };
  }
}

function diffOf(parser: BinanceParser, r: SequenceRecord): DepthDiff {
  const e = parser.parse(r.raw, r.recvTs);
  if (e.kind !== 'depth') throw new Error(`expected a depth event, got ${JSON.stringify(e)}`);
  return e.depth;
}

const sequences = binanceSequences();

describe('replay of every real Binance sequence (orderbook/binance_*.jsonl)', () => {
  it('finds the fixtures', () => {
    expect(sequences.filter((s) => s.market === 'spot').length).toBeGreaterThanOrEqual(4);
    expect(sequences.filter((s) => s.market === 'perp').length).toBeGreaterThanOrEqual(4);
  });

  for (const seq of sequences) {
    it(`${seq.file}: syncs with no false gap and ends equal to a naive replay`, () => {
      const parser = new BinanceParser(seq.market, [seq.symbol]);
      const { s, port } = makeSink();
      const sync = new BinanceBookSync({ market: seq.market, symbol: seq.symbol }, port);
      const ref = new ReferenceBook();
      let lid = -1;
      let expectedApplied = 0;
      for (const r of seq.records) {
        if (r.source === 'rest') {
          const snap = parseDepthSnapshot(r.msg, r.recvTs);
          expect(s.requests.length).toBeGreaterThan(0); // requested after the first diff, as documented
          sync.onSnapshot(snap, s.lastToken);
          ref.load(snap);
          lid = snap.lastUpdateId;
          // Buffered diffs newer than the snapshot are applied right away.
          for (const rr of seq.records.slice(0, seq.records.indexOf(r))) {
            if (rr.source !== 'ws') continue;
            const d = diffOf(parser, rr);
            if (seq.market === 'spot' ? d.u > lid : d.u >= lid) {
              ref.apply(d);
              expectedApplied++;
            }
          }
          continue;
        }
        const d = diffOf(parser, r);
        sync.onDiff(d);
        if (lid >= 0 && (seq.market === 'spot' ? d.u > lid : d.u >= lid)) {
          ref.apply(d);
          expectedApplied++;
        }
      }
      expect(s.quality).toEqual([]);
      expect(sync.counters.gaps).toBe(0);
      expect(sync.state).toBe('synced');
      expect(s.requests).toHaveLength(1);
      const snaps = s.updates.filter((u) => u.snapshot);
      expect(snaps).toHaveLength(1);
      expect(snaps[0]!.lastUpdateId).toBe(lid);
      const diffs = s.updates.filter((u) => !u.snapshot);
      expect(diffs).toHaveLength(expectedApplied);
      expect(expectedApplied).toBeGreaterThan(0);
      // Each published diff continues the previous one by the venue's rule.
      for (let i = 1; i < diffs.length; i++) {
        if (seq.market === 'spot') expect(diffs[i]!.firstUpdateId).toBe(diffs[i - 1]!.lastUpdateId + 1);
        else expect(diffs[i]!.prevUpdateId).toBe(diffs[i - 1]!.lastUpdateId);
      }
      expect(diffs.every((u) => u.bookEpoch === snaps[0]!.bookEpoch)).toBe(true);
      expect(sync.lastUpdateId).toBe(diffs[diffs.length - 1]!.lastUpdateId);
      expect(sync.book.snapshot()).toEqual(ref.levels());
      expect(sync.book.isConsistent()).toBe(true);
    });

    it(`${seq.file}: a deleted diff is detected as a gap, and the book recovers from a new snapshot`, () => {
      const parser = new BinanceParser(seq.market, [seq.symbol]);
      const restAt = seq.records.findIndex((r) => r.source === 'rest');
      const snap = parseDepthSnapshot(seq.records[restAt]!.msg, seq.records[restAt]!.recvTs);
      const lid = snap.lastUpdateId;
      const all = seq.records.filter((r) => r.source === 'ws').map((r) => diffOf(parser, r));
      const live = all.filter((d) => (seq.market === 'spot' ? d.u > lid : d.u >= lid));
      if (live.length < 3) {
        // RUNEEUR has a single diff after its snapshot: no middle diff to delete, so no gap can exist.
        expect(seq.symbol).toBe('RUNEEUR');
        return;
      }
      const del = Math.floor(live.length / 2);
      const removed = live[del]!;
      const after = live[del + 1]!;

      const { s, port } = makeSink();
      const sync = new BinanceBookSync({ market: seq.market, symbol: seq.symbol }, port);
      const ref = new ReferenceBook();
      ref.load(snap);
      const early = all.filter((d) => !live.includes(d));
      for (const d of [...early, live[0]!]) sync.onDiff(d);
      sync.onSnapshot(snap, s.lastToken);
      ref.apply(live[0]!);
      for (let i = 1; i < del; i++) {
        sync.onDiff(live[i]!);
        ref.apply(live[i]!);
      }
      const epochBefore = sync.epoch;
      ref.apply(removed); // the reference saw it; the sync never will
      sync.onDiff(after);
      ref.apply(after);
      expect(s.kinds()).toEqual([QualityKind.QUALITY_KIND_SEQUENCE_GAP]);
      const gap = s.quality[0]!;
      if (seq.market === 'spot') {
        expect(gap.expectedId).toBe(removed.U);
        expect(gap.receivedId).toBe(after.U);
      } else {
        expect(gap.expectedId).toBe(removed.pu);
        expect(gap.receivedId).toBe(after.pu);
      }
      expect(sync.epoch).toBe(epochBefore + 1);
      expect(gap.bookEpoch).toBe(sync.epoch);
      expect(sync.state).toBe('awaiting-snapshot');
      expect(s.requests).toHaveLength(2);

      // A fresh snapshot taken at `after` (built from the full reference replay) rebuilds it.
      sync.onSnapshot(ref.toSnapshot(after.u, after.receivedTs + 1), s.lastToken);
      expect(sync.state).toBe('synced');
      expect(s.kinds()).toEqual([QualityKind.QUALITY_KIND_SEQUENCE_GAP, QualityKind.QUALITY_KIND_RESYNC]);
      const resnap = s.updates.filter((u) => u.snapshot).pop()!;
      expect(resnap).toMatchObject({ lastUpdateId: after.u, bookEpoch: sync.epoch });
      expect(resnap.bookEpoch).toBe(epochBefore + 1);
      for (const d of live.slice(del + 2)) {
        sync.onDiff(d);
        ref.apply(d);
      }
      expect(sync.counters.gaps).toBe(1);
      expect(sync.book.snapshot()).toEqual(ref.levels());
    });
  }
});

describe('the data.binance.vision CSV pair (USDⓈ-M BTCUSDT)', () => {
  const snapRows = depthCsv('orderbook/binance_futures_BTCUSDT_depth_snap_2022-11-01.real.csv');
  const updRows = depthCsv('orderbook/binance_futures_BTCUSDT_depth_update_2022-11-01.real.csv');
  const levels = (rows: typeof snapRows, side: 'a' | 'b') => rows.filter((r) => r.side === side).map((r) => ({ price: r.price, size: r.qty }));
  const snapshot = (lastUpdateId: number): DepthSnapshot => ({
    lastUpdateId, bids: levels(snapRows, 'b'), asks: levels(snapRows, 'a'), E: undefined, T: snapRows[0]!.ts, receivedTs: snapRows[0]!.ts,
  });
  const u0 = updRows[0]!;
  const diff: DepthDiff = {
    symbol: 'BTCUSDT', U: u0.first, u: u0.last, pu: u0.pu, E: u0.ts, T: u0.ts, bids: levels(updRows, 'b'), asks: levels(updRows, 'a'), receivedTs: u0.ts,
  };

  it('the real (10 minutes older) snapshot does not join: it is refetched, not reported as a gap', () => {
    const { s, port } = makeSink();
    const sync = new BinanceBookSync({ market: 'perp', symbol: 'BTCUSDT' }, port);
    sync.onDiff(diff);
    sync.onSnapshot(snapshot(snapRows[0]!.last), s.lastToken);
    expect(sync.state).toBe('awaiting-snapshot');
    expect(s.requests).toHaveLength(2);
    expect(sync.counters.snapshotRefetches).toBe(1);
    expect(s.quality).toEqual([]);
    expect(s.updates).toEqual([]);
  });

  it('a snapshot at the update\'s pu joins through pu == lastUpdateId and applies it', () => {
    const { s, port } = makeSink();
    const sync = new BinanceBookSync({ market: 'perp', symbol: 'BTCUSDT' }, port);
    sync.onDiff(diff);
    sync.onSnapshot(snapshot(u0.pu), s.lastToken);
    expect(s.quality).toEqual([]);
    expect(s.updates.map((u) => [u.snapshot, u.lastUpdateId])).toEqual([[true, u0.pu], [false, u0.last]]);
    expect(sync.lastUpdateId).toBe(u0.last);
  });
});

describe('sequence rules on small hand-made streams', () => {
  const lv = (price: number, size: number) => ({ price, size });
  const spotDiff = (U: number, u: number, bids = [lv(100, 1)], asks = [lv(101, 1)]): DepthDiff => ({
    symbol: 'BTCUSDT', U, u, pu: undefined, E: u, T: undefined, bids, asks, receivedTs: u,
  });
  const perpDiff = (U: number, u: number, pu: number, bids = [lv(100, 1)], asks = [lv(101, 1)]): DepthDiff => ({
    symbol: 'BTCUSDT', U, u, pu, E: u, T: u, bids, asks, receivedTs: u,
  });
  const snap = (lastUpdateId: number): DepthSnapshot => ({
    lastUpdateId, bids: [lv(99, 5)], asks: [lv(102, 5)], E: undefined, T: undefined, receivedTs: lastUpdateId,
  });

  it('spot: a snapshot older than the first buffered U is refetched', () => {
    const { s, port } = makeSink();
    const sync = new BinanceBookSync({ market: 'spot', symbol: 'BTCUSDT' }, port);
    sync.onDiff(spotDiff(100, 105));
    sync.onSnapshot(snap(99), s.lastToken);
    expect(sync.state).toBe('awaiting-snapshot');
    expect(s.requests).toHaveLength(2);
    sync.onDiff(spotDiff(106, 110));
    sync.onSnapshot(snap(107), s.lastToken);
    expect(s.updates.map((u) => [u.snapshot, u.firstUpdateId, u.lastUpdateId])).toEqual([[true, 107, 107], [false, 106, 110]]);
    expect(s.quality).toEqual([]);
  });

  it('spot: first applied must straddle lastUpdateId+1; later U must be prev u + 1', () => {
    const { s, port } = makeSink();
    const sync = new BinanceBookSync({ market: 'spot', symbol: 'BTCUSDT' }, port);
    sync.onDiff(spotDiff(10, 12));
    sync.onSnapshot(snap(11), s.lastToken); // 10 ≤ 12 ≤ 12: joins
    sync.onDiff(spotDiff(13, 14));
    sync.onDiff(spotDiff(13, 14)); // duplicate: ignored, not a gap
    sync.onDiff(spotDiff(12, 13)); // older: ignored
    expect(sync.counters.duplicates).toBe(2);
    expect(s.quality).toEqual([]);
    sync.onDiff(spotDiff(14, 16)); // overlaps the book id: not prev u + 1 ⇒ gap
    expect(s.quality[0]).toMatchObject({ kind: QualityKind.QUALITY_KIND_SEQUENCE_GAP, expectedId: 15, receivedId: 14 });
  });

  it('spot: buffered diffs that do not join the snapshot are a gap', () => {
    const { s, port } = makeSink();
    const sync = new BinanceBookSync({ market: 'spot', symbol: 'BTCUSDT' }, port);
    sync.onDiff(spotDiff(10, 12));
    sync.onDiff(spotDiff(20, 22)); // hole 13..19 inside the buffer
    sync.onSnapshot(snap(15), s.lastToken);
    expect(s.kinds()).toEqual([QualityKind.QUALITY_KIND_SEQUENCE_GAP]);
    expect(s.quality[0]).toMatchObject({ expectedId: 16, receivedId: 20 });
    expect(s.updates).toEqual([]);
    sync.onSnapshot(snap(21), s.lastToken);
    expect(s.kinds()).toEqual([QualityKind.QUALITY_KIND_SEQUENCE_GAP, QualityKind.QUALITY_KIND_RESYNC]);
    expect(s.updates.map((u) => u.lastUpdateId)).toEqual([21, 22]);
  });

  it('perp: drops u < lastUpdateId, joins U ≤ id ≤ u, then requires pu == prev u', () => {
    const { s, port } = makeSink();
    const sync = new BinanceBookSync({ market: 'perp', symbol: 'BTCUSDT' }, port);
    sync.onDiff(perpDiff(1, 5, 0));
    sync.onDiff(perpDiff(6, 9, 5));
    sync.onDiff(perpDiff(10, 12, 9));
    sync.onSnapshot(snap(9), s.lastToken); // drops u=5; u=9 ≥ 9 joins (U 6 ≤ 9 ≤ 9)
    expect(s.updates.map((u) => [u.snapshot, u.lastUpdateId])).toEqual([[true, 9], [false, 9], [false, 12]]);
    sync.onDiff(perpDiff(13, 15, 11)); // pu 11 ≠ 12
    expect(s.quality[0]).toMatchObject({ kind: QualityKind.QUALITY_KIND_SEQUENCE_GAP, expectedId: 12, receivedId: 11 });
  });

  it('a reordered pair is a gap, a crossed book is a gap', () => {
    const { s, port } = makeSink();
    const sync = new BinanceBookSync({ market: 'perp', symbol: 'BTCUSDT' }, port);
    sync.onDiff(perpDiff(1, 10, 0));
    sync.onSnapshot(snap(10), s.lastToken);
    sync.onDiff(perpDiff(13, 15, 12)); // arrived before 11..12
    expect(s.quality).toHaveLength(1);
    sync.onSnapshot(snap(15), s.lastToken);
    expect(s.kinds()).toEqual([QualityKind.QUALITY_KIND_SEQUENCE_GAP, QualityKind.QUALITY_KIND_RESYNC]);
    const epoch = sync.epoch;
    sync.onDiff(perpDiff(16, 17, 15, [lv(103, 1)], [])); // bid 103 ≥ ask 102
    expect(s.quality[2]).toMatchObject({ kind: QualityKind.QUALITY_KIND_SEQUENCE_GAP, receivedId: 17 });
    expect(s.quality[2]!.detail).toMatch(/crossed/);
    expect(sync.epoch).toBe(epoch + 1);
    expect(sync.book.bids.length).toBe(0);
  });

  it('reset() voids the book, ignores answers to old requests, and announces RESYNC once rebuilt', () => {
    const { s, port } = makeSink();
    const sync = new BinanceBookSync({ market: 'perp', symbol: 'BTCUSDT' }, port);
    sync.onDiff(perpDiff(1, 10, 0));
    sync.onSnapshot(snap(10), s.lastToken);
    const epoch = sync.epoch;
    sync.onDiff(perpDiff(11, 12, 10));
    sync.reset();
    expect(sync.state).toBe('idle');
    expect(sync.epoch).toBe(epoch + 1);
    expect(sync.lastUpdateId).toBe(0);
    const oldToken = s.lastToken;
    sync.onDiff(perpDiff(20, 25, 19));
    sync.onSnapshot(snap(22), oldToken); // requested before the reset
    expect(sync.counters.staleSnapshots).toBe(1);
    expect(sync.state).toBe('awaiting-snapshot');
    sync.onSnapshot(snap(22), s.lastToken);
    expect(sync.state).toBe('synced');
    expect(s.kinds()).toEqual([QualityKind.QUALITY_KIND_RESYNC]);
    expect(s.updates[s.updates.length - 1]!.bookEpoch).toBe(epoch + 1);
  });

  it('a reset before the first sync is not announced as a resync', () => {
    const { s, port } = makeSink();
    const sync = new BinanceBookSync({ market: 'spot', symbol: 'BTCUSDT' }, port);
    sync.reset(); // idle: nothing to do
    sync.onDiff(spotDiff(1, 2));
    sync.reset();
    sync.onDiff(spotDiff(3, 4));
    sync.onSnapshot(snap(3), s.lastToken);
    expect(s.quality).toEqual([]);
    expect(s.updates).toHaveLength(2);
  });
});

import { QualityKind, type BookUpdate, type Market, type PriceLevel, type QualityEvent } from '@pricelevel/contracts';
import { OrderBook } from '@pricelevel/market';
import type { DepthDiff, DepthSnapshot } from './parsers.js';
import { BINANCE } from './symbols.js';

/**
 * Which documented procedure applies: `spot` chains `U == prev u + 1`; `perp` (USDⓈ-M) chains
 * `pu == prev u` and joins the snapshot with `U ≤ lastUpdateId ≤ u` (or `pu == lastUpdateId`).
 */
export type BookVariant = 'spot' | 'perp';

export type SyncState = 'idle' | 'awaiting-snapshot' | 'synced';

/** Where the state machine's outputs go. It performs no I/O itself. */
export interface BookSyncSink {
  book(update: BookUpdate): void;
  quality(event: QualityEvent): void;
  /** Fetch a REST snapshot for `symbol` and pass it to `onSnapshot(snapshot, token)`. */
  requestSnapshot(symbol: string, token: number): void;
}

export interface BookSyncOptions {
  market: Market;
  symbol: string;
  variant?: BookVariant;
  exchange?: string;
  /** Diffs kept while waiting for a snapshot; beyond it the oldest are dropped (and counted). */
  maxBuffer?: number;
}

export interface BookSyncCounters {
  applied: number;
  duplicates: number;
  gaps: number;
  resyncs: number;
  snapshotRequests: number;
  snapshotRefetches: number;
  staleSnapshots: number;
  bufferDropped: number;
}

function levelsToTuples(levels: PriceLevel[]): [number, number][] {
  const out: [number, number][] = new Array(levels.length);
  for (let i = 0; i < levels.length; i++) out[i] = [levels[i]!.price, levels[i]!.size];
  return out;
}

/**
 * One symbol's Binance diff-depth synchronisation (spot or USDⓈ-M), as the venue documents it:
 * buffer diffs from the first one received, ask for a snapshot, align the buffer to it, then
 * validate every diff's sequence ids (and that the book never crosses). Any break discards the
 * book, bumps `epoch`, reports a SEQUENCE_GAP and starts over for this symbol only; the rebuilt
 * book is announced with a `snapshot: true` BookUpdate and a RESYNC event.
 */
export class BinanceBookSync {
  readonly symbol: string;
  readonly market: Market;
  readonly variant: BookVariant;
  readonly book = new OrderBook();
  readonly counters: BookSyncCounters = {
    applied: 0,
    duplicates: 0,
    gaps: 0,
    resyncs: 0,
    snapshotRequests: 0,
    snapshotRefetches: 0,
    staleSnapshots: 0,
    bufferDropped: 0,
  };

  private readonly exchange: string;
  private readonly maxBuffer: number;
  private _state: SyncState = 'idle';
  private _epoch = 1;
  private id = 0;
  /** Whether the first diff after the snapshot has been applied (the join rule differs). */
  private joined = false;
  private buffer: DepthDiff[] = [];
  private firstU = 0;
  private token = 0;
  /** A book existed before and was discarded: announce RESYNC once rebuilt. */
  private resyncPending = false;
  private everSynced = false;

  constructor(
    options: BookSyncOptions,
    private readonly sink: BookSyncSink,
  ) {
    this.symbol = options.symbol;
    this.market = options.market;
    this.variant = options.variant ?? (options.market === 'spot' ? 'spot' : 'perp');
    this.exchange = options.exchange ?? BINANCE;
    this.maxBuffer = options.maxBuffer ?? 10_000;
  }

  get state(): SyncState {
    return this._state;
  }

  /** Increments whenever the book is discarded; every book a consumer sees belongs to one epoch. */
  get epoch(): number {
    return this._epoch;
  }

  /** Venue update id the book reflects (0 before the first snapshot). */
  get lastUpdateId(): number {
    return this._state === 'synced' ? this.id : 0;
  }

  onDiff(d: DepthDiff): void {
    switch (this._state) {
      case 'idle':
        this.buffer = [d];
        this.firstU = d.U;
        this._state = 'awaiting-snapshot';
        this.request();
        return;
      case 'awaiting-snapshot':
        this.buffer.push(d);
        if (this.buffer.length > this.maxBuffer) {
          this.buffer.shift();
          this.firstU = this.buffer[0]!.U;
          this.counters.bufferDropped++;
        }
        return;
      case 'synced':
        this.apply(d);
        return;
    }
  }

  /** A snapshot fetched for request `token`; answers to superseded requests are ignored. */
  onSnapshot(snap: DepthSnapshot, token: number): void {
    if (this._state !== 'awaiting-snapshot' || token !== this.token) {
      this.counters.staleSnapshots++;
      return;
    }
    const lid = snap.lastUpdateId;
    // Spot (2025-11-12 procedure): a snapshot older than the first buffered event cannot be joined.
    if (this.variant === 'spot' && lid < this.firstU) {
      this.counters.snapshotRefetches++;
      this.request();
      return;
    }
    const before = this.buffer.length;
    // Spot drops u <= lastUpdateId, USDⓈ-M drops u < lastUpdateId.
    const remaining = this.buffer.filter((d) => (this.variant === 'spot' ? d.u > lid : d.u >= lid));
    const first = remaining[0];
    if (first && !this.joins(first, lid)) {
      const tooOld = this.variant === 'perp' && remaining.length === before && first.U > lid;
      this.buffer = remaining;
      this.firstU = first.U;
      if (tooOld) {
        this.counters.snapshotRefetches++;
      } else {
        // The buffered stream itself has a hole right after the snapshot point.
        this.counters.gaps++;
        this.resyncPending = true;
        this.emitQuality(QualityKind.QUALITY_KIND_SEQUENCE_GAP, this.expectedAfter(lid), this.receivedOf(first), 'buffered diffs do not join the snapshot', first.receivedTs);
      }
      this.request();
      return;
    }

    this.book.loadSnapshot(levelsToTuples(snap.bids), levelsToTuples(snap.asks));
    this.id = lid;
    this.joined = false;
    this.buffer = [];
    this._state = 'synced';
    this.everSynced = true;
    this.sink.book({
      exchange: this.exchange,
      market: this.market,
      symbol: this.symbol,
      snapshot: true,
      bids: snap.bids,
      asks: snap.asks,
      firstUpdateId: lid,
      lastUpdateId: lid,
      prevUpdateId: 0,
      bookEpoch: this._epoch,
      exchangeTs: snap.T ?? snap.E ?? snap.receivedTs,
      receivedTs: snap.receivedTs,
    });
    if (this.resyncPending) {
      this.resyncPending = false;
      this.counters.resyncs++;
      this.emitQuality(QualityKind.QUALITY_KIND_RESYNC, 0, lid, 'book rebuilt from snapshot', snap.receivedTs);
    }
    for (const d of remaining) {
      if (this._state !== 'synced') {
        this.onDiff(d); // a gap inside the buffer restarted the sync: keep buffering
      } else this.apply(d);
    }
  }

  /** The connection was replaced: everything known about the book is void; the next diff restarts the sync. */
  reset(): void {
    if (this._state === 'idle') return;
    if (this._state === 'synced' || this.everSynced) this.resyncPending = true;
    this.discard();
    this.token++; // answers to requests made before the reset are stale
    this._state = 'idle';
    this.buffer = [];
  }

  private apply(d: DepthDiff): void {
    const id = this.id;
    if (this.joined) {
      if (d.u <= id) {
        this.counters.duplicates++;
        return;
      }
      const chained = this.variant === 'spot' ? d.U === id + 1 : d.pu === id;
      if (!chained) return this.gap(d, this.expectedAfter(id), this.receivedOf(d), 'sequence break');
    } else {
      // Before the join, spot ignores u <= id and USDⓈ-M ignores u < id.
      if (this.variant === 'spot' ? d.u <= id : d.u < id) {
        this.counters.duplicates++;
        return;
      }
      if (!this.joins(d, id)) return this.gap(d, this.expectedAfter(id), this.receivedOf(d), 'first diff does not join the snapshot');
    }
    const book = this.book;
    for (const l of d.bids) book.bids.set(l.price, l.size);
    for (const l of d.asks) book.asks.set(l.price, l.size);
    if (!book.isConsistent()) {
      return this.gap(d, id, d.u, `crossed book after update (bid ${book.bestBid()} >= ask ${book.bestAsk()})`);
    }
    this.id = d.u;
    this.joined = true;
    this.counters.applied++;
    this.sink.book({
      exchange: this.exchange,
      market: this.market,
      symbol: this.symbol,
      snapshot: false,
      bids: d.bids,
      asks: d.asks,
      firstUpdateId: d.U,
      lastUpdateId: d.u,
      prevUpdateId: d.pu ?? 0,
      bookEpoch: this._epoch,
      exchangeTs: d.T ?? d.E,
      receivedTs: d.receivedTs,
    });
  }

  /** First diff after a snapshot (or book id) `lid`: does it continue it? */
  private joins(d: DepthDiff, lid: number): boolean {
    if (this.variant === 'spot') return d.U <= lid + 1 && lid + 1 <= d.u;
    return (d.U <= lid && lid <= d.u) || d.pu === lid;
  }

  private expectedAfter(id: number): number {
    return this.variant === 'spot' ? id + 1 : id;
  }

  private receivedOf(d: DepthDiff): number {
    return this.variant === 'spot' ? d.U : (d.pu ?? d.U);
  }

  private gap(d: DepthDiff, expected: number, received: number, detail: string): void {
    this.counters.gaps++;
    this.discard();
    this.emitQuality(QualityKind.QUALITY_KIND_SEQUENCE_GAP, expected, received, detail, d.receivedTs);
    this.resyncPending = true;
    // The diff that revealed the gap is the first event of the new sync.
    this.buffer = [d];
    this.firstU = d.U;
    this._state = 'awaiting-snapshot';
    this.request();
  }

  private discard(): void {
    this.book.clear();
    this.id = 0;
    this.joined = false;
    this._epoch++;
  }

  private request(): void {
    this.counters.snapshotRequests++;
    this.sink.requestSnapshot(this.symbol, ++this.token);
  }

  private emitQuality(kind: QualityKind, expectedId: number, receivedId: number, detail: string, ts: number): void {
    this.sink.quality({
      exchange: this.exchange,
      market: this.market,
      symbol: this.symbol,
      kind,
      bookEpoch: this._epoch,
      expectedId,
      receivedId,
      detail,
      ts,
    });
  }
}

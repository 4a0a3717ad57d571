import { QualityKind, type BookUpdate, type Market, type PriceLevel, type QualityEvent } from '@pricelevel/contracts';
import { OrderBook } from '@pricelevel/market';
import type { IncrDepth } from './parsers.js';
import { BINGX } from './symbols.js';

export type BingxSyncState = 'awaiting-snapshot' | 'synced';

/** Where the state machine's outputs go. It performs no I/O itself. */
export interface BingxBookSyncSink {
  book(update: BookUpdate): void;
  quality(event: QualityEvent): void;
  /** Unsubscribe and subscribe `<native>@incrDepth` again: the venue answers with a fresh `all`. */
  resubscribe(symbol: string): void;
}

export interface BingxBookSyncCounters {
  applied: number;
  snapshots: number;
  duplicates: number;
  gaps: number;
  resyncs: number;
  resubscribes: number;
  /** Updates received while waiting for a full book (in flight before the resubscription took effect). */
  droppedUnsynced: number;
}

function tuples(levels: PriceLevel[]): [number, number][] {
  const out: [number, number][] = new Array(levels.length);
  for (let i = 0; i < levels.length; i++) out[i] = [levels[i]!.price, levels[i]!.size];
  return out;
}

/**
 * One symbol's BingX incrDepth synchronisation, as the venue documents it: the first push after
 * subscribing is the full book (`action: "all"`) with a `lastUpdateId`; every `update` must carry exactly
 * the previous lastUpdateId + 1. A break (or a book that crosses) discards the book, bumps `epoch`,
 * reports SEQUENCE_GAP and asks for that one topic to be resubscribed; the fresh `all` rebuilds the book,
 * announced as a `snapshot: true` BookUpdate followed by a RESYNC event.
 */
export class BingxBookSync {
  readonly book = new OrderBook();
  readonly counters: BingxBookSyncCounters = {
    applied: 0,
    snapshots: 0,
    duplicates: 0,
    gaps: 0,
    resyncs: 0,
    resubscribes: 0,
    droppedUnsynced: 0,
  };
  private _state: BingxSyncState = 'awaiting-snapshot';
  private _epoch = 1;
  private id = 0;
  private resyncPending = false;
  private everSynced = false;

  constructor(
    readonly symbol: string,
    readonly market: Market,
    private readonly sink: BingxBookSyncSink,
  ) {}

  get state(): BingxSyncState {
    return this._state;
  }

  /** Increments whenever the book is discarded; every book a consumer sees belongs to one epoch. */
  get epoch(): number {
    return this._epoch;
  }

  /** lastUpdateId the book reflects (0 while waiting for a full book). */
  get lastUpdateId(): number {
    return this._state === 'synced' ? this.id : 0;
  }

  onDepth(d: IncrDepth): void {
    if (d.action === 'all') return this.onSnapshot(d);
    if (this._state !== 'synced') {
      this.counters.droppedUnsynced++;
      return;
    }
    const id = this.id;
    if (d.lastUpdateId <= id) {
      this.counters.duplicates++;
      return;
    }
    if (d.lastUpdateId !== id + 1) return this.gap(d, id + 1, d.lastUpdateId, 'lastUpdateId is not the previous + 1');
    const book = this.book;
    for (const l of d.bids) book.bids.set(l.price, l.size);
    for (const l of d.asks) book.asks.set(l.price, l.size);
    if (!book.isConsistent()) {
      return this.gap(d, id + 1, d.lastUpdateId, `crossed book after update (bid ${book.bestBid()} >= ask ${book.bestAsk()})`);
    }
    this.id = d.lastUpdateId;
    this.counters.applied++;
    this.sink.book({
      exchange: BINGX,
      market: this.market,
      symbol: this.symbol,
      snapshot: false,
      bids: d.bids,
      asks: d.asks,
      firstUpdateId: d.lastUpdateId,
      lastUpdateId: d.lastUpdateId,
      prevUpdateId: id,
      bookEpoch: this._epoch,
      exchangeTs: d.time,
      receivedTs: d.receivedTs,
    });
  }

  /** The connection was replaced: the book is void until the new subscription's `all` arrives. */
  reset(): void {
    if (this._state === 'synced' || this.everSynced) this.resyncPending = true;
    if (this._state === 'synced') this.discard();
    this._state = 'awaiting-snapshot';
  }

  private onSnapshot(d: IncrDepth): void {
    if (this._state === 'synced') {
      // A full book nobody asked for (e.g. the venue re-sent it): the old book ends here.
      this.discard();
      this.resyncPending = true;
    }
    this.book.loadSnapshot(tuples(d.bids), tuples(d.asks));
    if (!this.book.isConsistent()) {
      this.book.clear();
      this.counters.gaps++;
      this.resyncPending = true;
      this._epoch++;
      this.emitQuality(QualityKind.QUALITY_KIND_SEQUENCE_GAP, 0, d.lastUpdateId, 'full depth is crossed', d.receivedTs);
      this.requestResubscribe();
      return;
    }
    this.id = d.lastUpdateId;
    this._state = 'synced';
    this.everSynced = true;
    this.counters.snapshots++;
    this.sink.book({
      exchange: BINGX,
      market: this.market,
      symbol: this.symbol,
      snapshot: true,
      bids: d.bids,
      asks: d.asks,
      firstUpdateId: d.lastUpdateId,
      lastUpdateId: d.lastUpdateId,
      prevUpdateId: 0,
      bookEpoch: this._epoch,
      exchangeTs: d.time,
      receivedTs: d.receivedTs,
    });
    if (this.resyncPending) {
      this.resyncPending = false;
      this.counters.resyncs++;
      this.emitQuality(QualityKind.QUALITY_KIND_RESYNC, 0, d.lastUpdateId, 'book rebuilt from a full depth', d.receivedTs);
    }
  }

  private gap(d: IncrDepth, expected: number, received: number, detail: string): void {
    this.counters.gaps++;
    this.discard();
    this.resyncPending = true;
    this._state = 'awaiting-snapshot';
    this.emitQuality(QualityKind.QUALITY_KIND_SEQUENCE_GAP, expected, received, detail, d.receivedTs);
    this.requestResubscribe();
  }

  private requestResubscribe(): void {
    this._state = 'awaiting-snapshot';
    this.counters.resubscribes++;
    this.sink.resubscribe(this.symbol);
  }

  private discard(): void {
    this.book.clear();
    this.id = 0;
    this._epoch++;
  }

  private emitQuality(kind: QualityKind, expectedId: number, receivedId: number, detail: string, ts: number): void {
    this.sink.quality({ exchange: BINGX, market: this.market, symbol: this.symbol, kind, bookEpoch: this._epoch, expectedId, receivedId, detail, ts });
  }
}

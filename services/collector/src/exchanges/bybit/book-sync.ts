import { QualityKind, type BookUpdate, type Market, type PriceLevel, type QualityEvent } from '@pricelevel/contracts';
import { OrderBook } from '@pricelevel/market';
import type { BookMessage } from './parsers.js';
import { BYBIT } from './symbols.js';

export type BybitSyncState = 'idle' | 'awaiting-snapshot' | 'synced';

/** Where the state machine's outputs go. It performs no I/O itself. */
export interface BybitBookSyncSink {
  book(update: BookUpdate): void;
  quality(event: QualityEvent): void;
  /** Unsubscribe + subscribe the symbol's orderbook topic: the venue answers with a fresh snapshot. */
  resubscribe(symbol: string): void;
}

export interface BybitBookSyncCounters {
  snapshots: number;
  applied: number;
  duplicates: number;
  gaps: number;
  resyncs: number;
  venueResets: number;
  venueSnapshots: number;
  ignoredBeforeSnapshot: number;
  resubscribes: number;
}

function tuples(levels: PriceLevel[]): [number, number][] {
  const out: [number, number][] = new Array(levels.length);
  for (let i = 0; i < levels.length; i++) out[i] = [levels[i]!.price, levels[i]!.size];
  return out;
}

/**
 * One symbol's Bybit `orderbook.<depth>` book: a snapshot (or any message with `u=1`, the venue's
 * service-restart marker) replaces the book; each delta must carry `u` = previous + 1 (observed
 * invariant, see exchange-protocols.md §3). A duplicate (u ≤ current) is ignored; any other break
 * discards the book, bumps `epoch`, reports SEQUENCE_GAP and resubscribes the topic; the snapshot
 * that follows is announced with a `snapshot: true` BookUpdate and a RESYNC event. A snapshot the venue
 * sends mid-stream (restart or "a problem on Bybit's end") also starts a new epoch with a RESYNC.
 */
export class BybitBookSync {
  readonly book = new OrderBook();
  readonly counters: BybitBookSyncCounters = {
    snapshots: 0, applied: 0, duplicates: 0, gaps: 0, resyncs: 0, venueResets: 0, venueSnapshots: 0, ignoredBeforeSnapshot: 0, resubscribes: 0,
  };
  private _state: BybitSyncState = 'idle';
  private _epoch = 1;
  private u = 0;
  private resyncPending = false;
  private everSynced = false;
  /** When the last resubscribe was asked (for the adapter's retry of unanswered ones). */
  awaitingSince = 0;

  constructor(
    readonly market: Market,
    readonly symbol: string,
    private readonly sink: BybitBookSyncSink,
  ) {}

  get state(): BybitSyncState {
    return this._state;
  }

  get epoch(): number {
    return this._epoch;
  }

  /** Venue update id the book reflects (0 when not synced). */
  get lastUpdateId(): number {
    return this._state === 'synced' ? this.u : 0;
  }

  /** The subscription was (re)sent: the next snapshot is expected. */
  subscribed(now: number): void {
    if (this._state === 'idle') this._state = 'awaiting-snapshot';
    this.awaitingSince = now;
  }

  onMessage(m: BookMessage): void {
    if (m.type === 'snapshot' || m.u === 1) return this.snapshot(m);
    if (this._state !== 'synced') {
      this.counters.ignoredBeforeSnapshot++;
      return;
    }
    if (m.u <= this.u) {
      this.counters.duplicates++;
      return;
    }
    if (m.u !== this.u + 1) return this.gap(m, `u jumped from ${this.u} to ${m.u}`);
    const book = this.book;
    for (const l of m.bids) book.bids.set(l.price, l.size);
    for (const l of m.asks) book.asks.set(l.price, l.size);
    if (!book.isConsistent()) return this.gap(m, `crossed book after update (bid ${book.bestBid()} >= ask ${book.bestAsk()})`);
    const prev = this.u;
    this.u = m.u;
    this.counters.applied++;
    this.sink.book(this.update(m, false, prev));
  }

  /** The connection was replaced: the book is void until the new subscription's snapshot. */
  reset(): void {
    if (this._state === 'idle') return;
    if (this.everSynced) this.resyncPending = true;
    this.discard();
    this._state = 'idle';
  }

  private snapshot(m: BookMessage): void {
    const midStream = this._state === 'synced';
    if (midStream) {
      // The venue replaced the book under us: consumers must start over too.
      this._epoch++;
      this.resyncPending = true;
      if (m.u === 1) this.counters.venueResets++;
      else this.counters.venueSnapshots++;
    }
    this.book.loadSnapshot(tuples(m.bids), tuples(m.asks));
    this.u = m.u;
    this._state = 'synced';
    this.everSynced = true;
    this.counters.snapshots++;
    this.sink.book(this.update(m, true, 0));
    if (this.resyncPending) {
      this.resyncPending = false;
      this.counters.resyncs++;
      const why = midStream ? (m.u === 1 ? 'venue restarted the stream (u=1 snapshot)' : 'venue re-sent a snapshot') : 'book rebuilt from snapshot';
      this.emitQuality(QualityKind.QUALITY_KIND_RESYNC, 0, m.u, why, m.receivedTs);
    }
  }

  private gap(m: BookMessage, detail: string): void {
    this.counters.gaps++;
    const expected = this.u + 1;
    this.discard();
    this.emitQuality(QualityKind.QUALITY_KIND_SEQUENCE_GAP, expected, m.u, detail, m.receivedTs);
    this.resyncPending = true;
    this._state = 'awaiting-snapshot';
    this.awaitingSince = m.receivedTs;
    this.counters.resubscribes++;
    this.sink.resubscribe(this.symbol);
  }

  private discard(): void {
    this.book.clear();
    this.u = 0;
    this._epoch++;
  }

  private update(m: BookMessage, snapshot: boolean, prev: number): BookUpdate {
    return {
      exchange: BYBIT,
      market: this.market,
      symbol: this.symbol,
      snapshot,
      bids: m.bids,
      asks: m.asks,
      firstUpdateId: m.u,
      lastUpdateId: m.u,
      prevUpdateId: prev,
      bookEpoch: this._epoch,
      exchangeTs: m.cts ?? m.ts,
      receivedTs: m.receivedTs,
    };
  }

  private emitQuality(kind: QualityKind, expectedId: number, receivedId: number, detail: string, ts: number): void {
    this.sink.quality({ exchange: BYBIT, market: this.market, symbol: this.symbol, kind, bookEpoch: this._epoch, expectedId, receivedId, detail, ts });
  }
}

import { QualityKind, type BookUpdate, type PriceLevel, type QualityEvent } from '@pricelevel/contracts';
import { OrderBook } from '@pricelevel/market';
import type { MbpIncremental, MbpRefresh } from './parsers.js';
import { HTX } from './symbols.js';

export type MbpSyncState = 'idle' | 'awaiting-refresh' | 'synced';

/** Where the state machine's outputs go. It performs no I/O itself. */
export interface MbpSyncSink {
  book(update: BookUpdate): void;
  quality(event: QualityEvent): void;
  /** Send a REQ for the full image on the SAME connection as the SUB; pass the answer to `onRefresh(refresh, token)`. */
  requestRefresh(symbol: string, token: number): void;
}

export interface MbpSyncCounters {
  applied: number;
  /** No-change frames (both sides empty): they still advance the sequence. */
  empty: number;
  duplicates: number;
  gaps: number;
  resyncs: number;
  refreshRequests: number;
  staleRefreshes: number;
  /** A refresh older than every cached incremental: asked again. */
  refreshRefetches: number;
  bufferDropped: number;
}

export interface MbpSyncOptions {
  symbol: string;
  /** Incrementals cached while waiting for the refresh; beyond it the oldest are dropped (counted). */
  maxBuffer?: number;
}

const tuples = (levels: PriceLevel[]): [number, number][] => levels.map((l) => [l.price, l.size]);

/**
 * One symbol's HTX MBP incremental book, as the venue documents it: cache incrementals from the SUB,
 * REQ the full image, align it with the cached incremental whose `prevSeqNum` equals its `seqNum`, then
 * require every incremental's `prevSeqNum` to equal the previous `seqNum` (empty no-change frames
 * included). A break discards the book, bumps `epoch`, reports SEQUENCE_GAP and starts a new round of
 * refresh + alignment for this symbol only; the rebuilt book is announced with a `snapshot: true`
 * BookUpdate and a RESYNC event.
 */
export class HtxBookSync {
  readonly symbol: string;
  readonly book = new OrderBook();
  readonly counters: MbpSyncCounters = {
    applied: 0,
    empty: 0,
    duplicates: 0,
    gaps: 0,
    resyncs: 0,
    refreshRequests: 0,
    staleRefreshes: 0,
    refreshRefetches: 0,
    bufferDropped: 0,
  };
  private readonly maxBuffer: number;
  private _state: MbpSyncState = 'idle';
  private _epoch = 1;
  private seq = 0;
  private cache: MbpIncremental[] = [];
  /** A refresh newer than the cache: wait for the incremental that continues it. */
  private pending: MbpRefresh | null = null;
  private token = 0;
  private resyncPending = false;
  private everSynced = false;

  constructor(
    options: MbpSyncOptions,
    private readonly sink: MbpSyncSink,
  ) {
    this.symbol = options.symbol;
    this.maxBuffer = options.maxBuffer ?? 2_000;
  }

  get state(): MbpSyncState {
    return this._state;
  }

  get epoch(): number {
    return this._epoch;
  }

  /** seqNum the book reflects (0 while not synced). */
  get lastUpdateId(): number {
    return this._state === 'synced' ? this.seq : 0;
  }

  /** Token of the outstanding refresh request (0 when none is wanted). */
  get wantedToken(): number {
    return this._state === 'awaiting-refresh' ? this.token : 0;
  }

  onIncremental(m: MbpIncremental): void {
    switch (this._state) {
      case 'idle':
        this.cache = [m];
        this._state = 'awaiting-refresh';
        this.request();
        return;
      case 'awaiting-refresh':
        this.cache.push(m);
        if (this.cache.length > this.maxBuffer) {
          this.cache.shift();
          this.counters.bufferDropped++;
        }
        if (this.pending) this.tryAlign(this.pending);
        return;
      case 'synced':
        this.apply(m);
        return;
    }
  }

  /** The REQ answer for request `token`; answers to superseded requests are ignored. */
  onRefresh(r: MbpRefresh, token: number): void {
    if (this._state !== 'awaiting-refresh' || token !== this.token) {
      this.counters.staleRefreshes++;
      return;
    }
    this.pending = r;
    this.tryAlign(r);
  }

  /** Ask again for the current round (the answer was lost or rejected). */
  retryRefresh(): void {
    if (this._state !== 'awaiting-refresh') return;
    this.pending = null;
    this.request();
  }

  /** The connection was replaced: the next incremental starts a new round. */
  reset(): void {
    if (this._state === 'idle') return;
    if (this._state === 'synced' || this.everSynced) this.resyncPending = true;
    if (this._state === 'synced') this.discard();
    this.token++;
    this.pending = null;
    this.cache = [];
    this._state = 'idle';
  }

  private tryAlign(r: MbpRefresh): void {
    const byPrev = new Map<number, MbpIncremental>();
    for (const m of this.cache) byPrev.set(m.prevSeqNum, m);
    if (!byPrev.has(r.seqNum)) {
      const newest = this.cache.reduce((mx, m) => Math.max(mx, m.seqNum), 0);
      // Every cached message is already older than the refresh: keep waiting for its successor.
      if (newest <= r.seqNum) return;
      // The refresh falls before the cache or between messages we never saw: another round.
      const oldestPrev = this.cache.reduce((mn, m) => Math.min(mn, m.prevSeqNum), Infinity);
      if (r.seqNum < oldestPrev) this.counters.refreshRefetches++;
      else {
        this.counters.gaps++;
        this.resyncPending = true;
        this.emitQuality(QualityKind.QUALITY_KIND_SEQUENCE_GAP, r.seqNum, newest, 'refresh does not align with the cached incrementals', r.receivedTs);
      }
      this.pending = null;
      this.cache = this.cache.filter((m) => m.seqNum > r.seqNum);
      this.request();
      return;
    }
    // Aligned: load the image, then follow the chain through the cache (tolerates reordered arrival).
    this.book.loadSnapshot(tuples(r.bids), tuples(r.asks));
    this.seq = r.seqNum;
    this._state = 'synced';
    this.everSynced = true;
    this.pending = null;
    const rest = this.cache;
    this.cache = [];
    this.sink.book({
      exchange: HTX,
      market: 'spot',
      symbol: this.symbol,
      snapshot: true,
      bids: r.bids,
      asks: r.asks,
      firstUpdateId: r.seqNum,
      lastUpdateId: r.seqNum,
      prevUpdateId: 0,
      bookEpoch: this._epoch,
      exchangeTs: r.ts,
      receivedTs: r.receivedTs,
    });
    if (this.resyncPending) {
      this.resyncPending = false;
      this.counters.resyncs++;
      this.emitQuality(QualityKind.QUALITY_KIND_RESYNC, 0, r.seqNum, 'book rebuilt from REQ refresh', r.receivedTs);
    }
    let next = byPrev.get(this.seq);
    while (next && this._state === 'synced') {
      this.apply(next);
      next = byPrev.get(this.seq);
    }
    // Anything newer left over means a hole after the chain: replay it through the rules (a gap).
    for (const m of rest) {
      if (m.seqNum > this.seq) this.onIncremental(m);
    }
  }

  private apply(m: MbpIncremental): void {
    if (m.seqNum <= this.seq) {
      this.counters.duplicates++;
      return;
    }
    if (m.prevSeqNum !== this.seq) return this.gap(m, 'prevSeqNum does not continue the book');
    this.seq = m.seqNum;
    if (m.bids.length === 0 && m.asks.length === 0) {
      // No change in this 100 ms, but the sequence moved: nothing to publish.
      this.counters.empty++;
      return;
    }
    const book = this.book;
    for (const l of m.bids) book.bids.set(l.price, l.size);
    for (const l of m.asks) book.asks.set(l.price, l.size);
    if (!book.isConsistent()) return this.gap(m, `crossed book after update (bid ${book.bestBid()} >= ask ${book.bestAsk()})`);
    this.counters.applied++;
    this.sink.book({
      exchange: HTX,
      market: 'spot',
      symbol: this.symbol,
      snapshot: false,
      bids: m.bids,
      asks: m.asks,
      firstUpdateId: m.seqNum,
      lastUpdateId: m.seqNum,
      prevUpdateId: m.prevSeqNum,
      bookEpoch: this._epoch,
      exchangeTs: m.ts,
      receivedTs: m.receivedTs,
    });
  }

  private gap(m: MbpIncremental, detail: string): void {
    const expected = this.seq;
    this.counters.gaps++;
    this.discard();
    this.emitQuality(QualityKind.QUALITY_KIND_SEQUENCE_GAP, expected, m.prevSeqNum, detail, m.receivedTs);
    this.resyncPending = true;
    // The message that revealed the gap is the first of the new round.
    this.cache = [m];
    this.pending = null;
    this._state = 'awaiting-refresh';
    this.request();
  }

  private discard(): void {
    this.book.clear();
    this.seq = 0;
    this._epoch++;
  }

  private request(): void {
    this.counters.refreshRequests++;
    this.sink.requestRefresh(this.symbol, ++this.token);
  }

  private emitQuality(kind: QualityKind, expectedId: number, receivedId: number, detail: string, ts: number): void {
    this.sink.quality({ exchange: HTX, market: 'spot', symbol: this.symbol, kind, bookEpoch: this._epoch, expectedId, receivedId, detail, ts });
  }
}

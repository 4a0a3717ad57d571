import type { BookUpdate, QualityEvent } from '@pricelevel/contracts';
import { QualityKind } from '@pricelevel/contracts';
import { OrderBook } from '@pricelevel/market';

/**
 * One instrument's book as the collector publishes it on md.book.v1: a `snapshot` replaces it, other
 * updates apply absolute sizes, and `book_epoch` changes on every resync. The book is `resyncing` from
 * the moment the collector reports a sequence gap (its event carries the new epoch) until a snapshot of
 * that epoch or later arrives; before the first snapshot there is no book at all. Deltas of an epoch
 * this book has no snapshot for are ignored (counted): applying them to another epoch's book would mix
 * two books.
 */
export class LiveBook {
  readonly book = new OrderBook();
  private epoch = 0;
  private synced = false;
  /** Highest epoch a gap event announced: the book is behind until it reaches it. */
  private announcedEpoch = 0;
  private _lastUpdateId = 0;
  private _bookTs = 0;
  ignoredUpdates = 0;

  get bookEpoch(): number {
    return this.epoch;
  }

  get lastUpdateId(): number {
    return this._lastUpdateId;
  }

  get bookTs(): number {
    return this._bookTs;
  }

  /** True once a snapshot was loaded: the book has levels worth snapshotting (maybe stale, see resyncing). */
  get hasBook(): boolean {
    return this.synced;
  }

  get resyncing(): boolean {
    return !this.synced || this.announcedEpoch > this.epoch;
  }

  apply(u: BookUpdate): void {
    if (u.snapshot) {
      if (u.bookEpoch < this.epoch) {
        this.ignoredUpdates++; // an older epoch's snapshot redelivered after a newer one
        return;
      }
      this.book.clear();
      this.epoch = u.bookEpoch;
      this.synced = true;
    } else if (!this.synced || u.bookEpoch !== this.epoch) {
      this.ignoredUpdates++;
      if (u.bookEpoch > this.announcedEpoch) this.announcedEpoch = u.bookEpoch;
      return;
    }
    for (const l of u.bids) this.book.bids.set(l.price, l.size);
    for (const l of u.asks) this.book.asks.set(l.price, l.size);
    this._lastUpdateId = u.lastUpdateId;
    if (u.exchangeTs > 0) this._bookTs = u.exchangeTs;
  }

  onQuality(e: QualityEvent): void {
    if (e.kind === QualityKind.QUALITY_KIND_SEQUENCE_GAP && e.bookEpoch > this.announcedEpoch) {
      this.announcedEpoch = e.bookEpoch;
    }
  }
}

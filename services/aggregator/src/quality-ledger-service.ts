import { instrumentKey, type QualityMinute } from '@pricelevel/contracts';
import { QualityLedger, type QualityLedgerStats } from '@pricelevel/market';
import type { Bus, Clock, Logger, Store, Subscription, TimerHandle } from '@pricelevel/platform';

export interface QualityLedgerServiceOptions {
  bus: Bus;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** A minute closes this long after its end (the candles' lateness, so a candle and its quality close together). */
  allowedLatenessMs: number;
  /** How often the clock is checked for minutes to close (default 1000 ms). */
  tickMs?: number;
  /** Consumer groups are `<prefix>.trade`, `.book`, `.ticker`, `.quality` (default prefix "quality-ledger"). */
  groupPrefix?: string;
  /**
   * Read each topic from its oldest retained message when the group is new (default false: the
   * ledger measures the live feed; replayed history would only land in closed minutes, as late drops).
   */
  fromBeginning?: boolean;
  /** Closed minutes kept for retry while the store or bus refuses them, oldest dropped first (default 100 000). */
  maxPending?: number;
}

export interface QualityLedgerServiceStats extends QualityLedgerStats {
  /** Closed minutes written to the store and published. */
  written: number;
  writeErrors: number;
  /** Closed minutes dropped (logged) because too many were waiting for a write. */
  pendingDropped: number;
}

/**
 * The data-quality ledger as a service: md.trade.v1, md.book.v1, md.ticker.v1 and md.quality.v1 (its own
 * consumer groups) → QualityLedger → closed minutes → store (quality_minutes) and md.quality.minute.v1.
 * Folding is synchronous and acknowledges each batch at once; closed minutes are written on the clock
 * tick and retried in order until written. A crash loses the open minutes' counts so far: the
 * restarted ledger starts those minutes afresh (it cannot tell what it saw before).
 */
export class QualityLedgerService {
  private readonly ledger: QualityLedger;
  private readonly log: Logger;
  private readonly subs: Subscription[] = [];
  private timer: TimerHandle | undefined;
  private pending: QualityMinute[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly st = { written: 0, writeErrors: 0, pendingDropped: 0 };

  constructor(private readonly o: QualityLedgerServiceOptions) {
    this.ledger = new QualityLedger({ clock: o.clock, allowedLatenessMs: o.allowedLatenessMs });
    this.log = o.logger.child({ component: 'quality-ledger' });
  }

  async start(): Promise<void> {
    const prefix = this.o.groupPrefix ?? 'quality-ledger';
    const fromBeginning = this.o.fromBeginning ?? false;
    const { bus } = this.o;
    this.subs.push(
      await bus.subscribe({ topic: 'md.trade.v1', group: `${prefix}.trade`, fromBeginning }, async (batch) => {
        for (const d of batch) this.ledger.onTrade(d.value);
      }),
      await bus.subscribe({ topic: 'md.book.v1', group: `${prefix}.book`, fromBeginning }, async (batch) => {
        for (const d of batch) this.ledger.onBookUpdate(d.value);
      }),
      await bus.subscribe({ topic: 'md.ticker.v1', group: `${prefix}.ticker`, fromBeginning }, async (batch) => {
        for (const d of batch) this.ledger.onTicker(d.value);
      }),
      await bus.subscribe({ topic: 'md.quality.v1', group: `${prefix}.quality`, fromBeginning }, async (batch) => {
        for (const d of batch) this.ledger.onQualityEvent(d.value);
      }),
    );
    this.timer = this.o.clock.setInterval(() => {
      this.advance();
      // Errors are logged and counted inside; the next tick retries what is pending.
      void this.flush().catch(() => undefined);
    }, this.o.tickMs ?? 1000);
    this.log.info('quality ledger started');
  }

  /** Closes the minutes the clock has passed; they wait in `pending` for flush(). */
  advance(): void {
    const closed = this.ledger.advance();
    if (closed.length === 0) return;
    this.pending.push(...closed);
    const max = this.o.maxPending ?? 100_000;
    if (this.pending.length > max) {
      const drop = this.pending.length - max;
      this.pending.splice(0, drop);
      this.st.pendingDropped += drop;
      this.log.error({ dropped: drop, max }, 'quality minutes dropped: the store/bus has refused writes for too long');
    }
  }

  /** Writes pending minutes to the store, then publishes them; serialized, retried in order on failure. */
  flush(): Promise<void> {
    const next = this.writing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await this.o.store.insertQualityMinutes(batch);
        await this.o.bus.publish('md.quality.minute.v1', batch.map((m) => ({ key: instrumentKey(m), value: m })));
        this.st.written += batch.length;
      } catch (err) {
        // A retry may store or publish a minute twice: the store keeps one row per minute, and
        // consumers key on (instrument, window_start).
        this.st.writeErrors++;
        this.pending = batch.concat(this.pending);
        this.log.error({ err, minutes: batch.length }, 'quality minute write failed; will retry');
        throw err;
      }
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    await Promise.all(this.subs.splice(0).map((s) => s.close()));
    this.advance();
    await this.flush().catch(() => undefined);
    this.log.info(this.stats(), 'quality ledger stopped');
  }

  stats(): QualityLedgerServiceStats {
    return { ...this.ledger.stats(), ...this.st };
  }
}

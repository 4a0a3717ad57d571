import { instrumentKey, type Candle, type Trade } from '@pricelevel/contracts';
import { CandleBuilder, RecentIds } from '@pricelevel/market';
import { GroupCommit, type Bus, type Clock, type Logger, type Store, type Subscription, type TimerHandle } from '@pricelevel/platform';

export interface AggregatorOptions {
  bus: Bus;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The clock closes a candle this long after its bucket ends. */
  allowedLatenessMs: number;
  /** Open candles go out at most this often (live charts). */
  partialEveryMs?: number;
  /** How often the clock is checked for candles to close. */
  tickMs?: number;
  /** Consumer group on md.trade.v1. */
  group?: string;
  /**
   * Trades are stored in one insert per this long at most (every partition's batches together); the
   * candles do not wait for it. 0 = each write starts at once.
   */
  tradeWriteLingerMs?: number;
}

export interface AggregatorStats {
  trades: number;
  /** Redelivered trades recognised by id and not folded again. */
  duplicates: number;
  candles: number;
  instruments: number;
  lateDropped: number;
  invalidDropped: number;
  writeErrors: number;
}

/**
 * Trades → candles on every timeframe → `agg.candle.v1` and the store.
 * One CandleBuilder per instrument. A batch of trades is acknowledged to the bus only after its trades
 * and the candles they closed are written and published, so a crash replays it; the store dedups
 * (trades by id, candles by version), so replays never double-count.
 */
export class Aggregator {
  private readonly builders = new Map<string, { builder: CandleBuilder; ids: RecentIds }>();
  private pending: Candle[] = [];
  private writing: Promise<void> = Promise.resolve();
  private sub: Subscription | undefined;
  private timer: TimerHandle | undefined;
  private readonly st = { trades: 0, duplicates: 0, candles: 0, writeErrors: 0 };
  private readonly log: Logger;
  /** The batches of every partition's handler, written one insert at a time. */
  private readonly tradeWrites: GroupCommit<Trade>;

  constructor(private readonly o: AggregatorOptions) {
    this.tradeWrites = new GroupCommit((rows) => o.store.insertTrades(rows), { ms: o.tradeWriteLingerMs ?? 0, clock: o.clock });
    this.log = o.logger.child({ component: 'aggregator' });
  }

  async start(): Promise<void> {
    this.sub = await this.o.bus.subscribe(
      { topic: 'md.trade.v1', group: this.o.group ?? 'aggregator', fromBeginning: true },
      (batch) => this.onTrades(batch.map((d) => d.value)),
    );
    this.timer = this.o.clock.setInterval(() => {
      this.advance();
      // Errors are logged and counted inside; the next tick retries what is pending.
      void this.flush().catch(() => undefined);
    }, this.o.tickMs ?? 250);
    this.log.info('aggregator started');
  }

  /**
   * Folds a batch and publishes what it changed, then stores the trades: the store's write time stays
   * off the candles' path. A failed trade write throws, so the bus redelivers the batch: its trades are
   * stored again and recognised by id in the builders, not folded twice. A failed candle write keeps the
   * candles pending for the next tick.
   */
  async onTrades(trades: readonly Trade[]): Promise<void> {
    for (const t of trades) {
      const e = this.entryFor(t);
      if (e.ids.add(t.tradeId)) e.builder.onTrade(t);
      else this.st.duplicates++;
    }
    const flushed = this.flush().catch(() => undefined);
    await this.tradeWrites.add(trades);
    this.st.trades += trades.length;
    await flushed;
  }

  /** Moves every builder to the clock: closes due candles, emits open ones. */
  advance(): void {
    const now = this.o.clock.now();
    for (const e of this.builders.values()) e.builder.advanceTime(now);
  }

  /** Writes pending candles; serialized so candle versions reach the bus in order. */
  flush(): Promise<void> {
    const next = this.writing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await this.o.bus.publish('agg.candle.v1', batch.map((c) => ({ key: instrumentKey(c), value: c })));
        await this.o.store.insertCandles(batch);
        this.st.candles += batch.length;
      } catch (err) {
        this.st.writeErrors++;
        this.pending = batch.concat(this.pending); // keep order; retried by the next flush
        this.log.error({ err, candles: batch.length }, 'candle write failed; will retry');
        throw err;
      }
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    await this.sub?.close();
    this.advance();
    await this.flush().catch(() => undefined);
    this.log.info(this.stats(), 'aggregator stopped');
  }

  stats(): AggregatorStats {
    let lateDropped = 0;
    let invalidDropped = 0;
    for (const e of this.builders.values()) {
      const s = e.builder.stats();
      lateDropped += s.lateDropped;
      invalidDropped += s.invalidDropped + s.futureDropped;
    }
    return { ...this.st, instruments: this.builders.size, lateDropped, invalidDropped };
  }

  private entryFor(t: Trade): { builder: CandleBuilder; ids: RecentIds } {
    const key = instrumentKey(t);
    let e = this.builders.get(key);
    if (!e) {
      const b = new CandleBuilder({
        exchange: t.exchange,
        market: t.market,
        symbol: t.symbol,
        allowedLatenessMs: this.o.allowedLatenessMs,
        partialEveryMs: this.o.partialEveryMs ?? 1000,
        onCandle: (c) => this.pending.push(c),
      });
      b.advanceTime(this.o.clock.now());
      e = { builder: b, ids: new RecentIds(100_000) };
      this.builders.set(key, e);
    }
    return e;
  }
}

import type {
  BookFeatures, BookSnapshot, Candle, LevelSet, Liquidation, OrderFlow, QualityEvent, QualityMinute, Trade,
} from '@pricelevel/contracts';
import type {
  CandleQuery, CandleSeriesKey, CandleSpan, OrderFlowQuery, QualityMinuteQuery, SeriesQuery, Store, TradeQuery,
} from '@pricelevel/platform';

/** Test double of the Store port: candles in an array, queries filtered like the real store, failures on demand. */
export class MemoryStore implements Store {
  candles: Candle[] = [];
  queries: CandleQuery[] = [];
  /** When set, queryCandles rejects with it. */
  queryError: Error | undefined;
  /** When set, queryCandles waits for this before answering. */
  queryGate: Promise<void> | undefined;
  pingError: Error | undefined;

  async migrate(): Promise<void> {}
  async insertTrades(_trades: readonly Trade[]): Promise<void> {}
  async insertQualityEvents(_events: readonly QualityEvent[]): Promise<void> {}

  async insertCandles(candles: readonly Candle[]): Promise<void> {
    this.candles.push(...candles);
  }

  async queryCandles(q: CandleQuery): Promise<Candle[]> {
    this.queries.push(q);
    if (this.queryGate) await this.queryGate;
    if (this.queryError) throw this.queryError;
    return this.candles
      .filter(
        (c) =>
          c.exchange === q.exchange &&
          c.market === q.market &&
          c.symbol === q.symbol &&
          c.interval === q.interval &&
          c.source === q.source &&
          c.openTime >= q.fromTs &&
          c.openTime < q.toTs,
      )
      .sort((a, b) => a.openTime - b.openTime)
      .slice(0, q.limit);
  }

  async candleSpan(key: CandleSeriesKey): Promise<CandleSpan | undefined> {
    const times = this.candles
      .filter((c) => c.exchange === key.exchange && c.market === key.market && c.symbol === key.symbol && c.interval === key.interval && c.source === key.source)
      .map((c) => c.openTime);
    return times.length === 0 ? undefined : { firstOpenTime: Math.min(...times), lastOpenTime: Math.max(...times) };
  }

  async queryTrades(_q: TradeQuery): Promise<Trade[]> {
    return [];
  }

  async queryQualityEvents(): Promise<QualityEvent[]> {
    return [];
  }

  /** Rows queryQualityMinutes answers with (as the store's aggregation would have made them). */
  qualityRows: QualityMinute[] = [];
  qualityQueries: QualityMinuteQuery[] = [];
  /** When set, queryQualityMinutes rejects with it. */
  qualityError: Error | undefined;

  async insertQualityMinutes(_minutes: readonly QualityMinute[]): Promise<void> {}

  async queryQualityMinutes(q: QualityMinuteQuery): Promise<QualityMinute[]> {
    this.qualityQueries.push(q);
    if (this.qualityError) throw this.qualityError;
    return this.qualityRows;
  }

  /** Feature series as inserted; queries keep the last write of each key, like the real store. */
  bookSnapshots: BookSnapshot[] = [];
  bookFeatures: BookFeatures[] = [];
  orderFlows: OrderFlow[] = [];
  liquidations: Liquidation[] = [];

  async insertBookSnapshots(snapshots: readonly BookSnapshot[]): Promise<void> {
    this.bookSnapshots.push(...snapshots);
  }

  async queryBookSnapshots(q: SeriesQuery): Promise<BookSnapshot[]> {
    return latestInRange(this.bookSnapshots, q, (s) => s.ts, (s) => String(s.ts));
  }

  async insertBookFeatures(features: readonly BookFeatures[]): Promise<void> {
    this.bookFeatures.push(...features);
  }

  async queryBookFeatures(q: SeriesQuery): Promise<BookFeatures[]> {
    return latestInRange(this.bookFeatures, q, (f) => f.ts, (f) => String(f.ts));
  }

  async insertOrderFlows(flows: readonly OrderFlow[]): Promise<void> {
    this.orderFlows.push(...flows);
  }

  async queryOrderFlows(q: OrderFlowQuery): Promise<OrderFlow[]> {
    const flows = this.orderFlows.filter((f) => f.interval === q.interval);
    return latestInRange(flows, q, (f) => f.openTime, (f) => String(f.openTime));
  }

  async insertLiquidations(liquidations: readonly Liquidation[]): Promise<void> {
    this.liquidations.push(...liquidations);
  }

  async queryLiquidations(q: SeriesQuery): Promise<Liquidation[]> {
    const key = (l: Liquidation) => `${l.exchangeTs}|${l.side}|${l.price}|${l.size}`;
    const rows = latestInRange(this.liquidations, q, (l) => l.exchangeTs, key);
    // The real store orders one instant's liquidations by side, price, size.
    return rows.sort((a, b) => a.exchangeTs - b.exchangeTs || a.side - b.side || a.price - b.price || a.size - b.size);
  }

  /** Level sets as inserted; queries keep the last write of each version, by computed_at, like the real store. */
  levelSets: LevelSet[] = [];

  async insertLevelSets(sets: readonly LevelSet[]): Promise<void> {
    this.levelSets.push(...sets);
  }

  async queryLevelSets(q: SeriesQuery): Promise<LevelSet[]> {
    const rows = latestInRange(this.levelSets, q, (s) => s.computedAt, (s) => String(s.version));
    return rows.sort((a, b) => a.computedAt - b.computedAt || a.version - b.version);
  }

  async ping(): Promise<void> {
    if (this.pingError) throw this.pingError;
  }

  async close(): Promise<void> {}
}

/** Rows of q's instrument in [fromTs, toTs), the last write per key, oldest first; `tail` keeps the newest `limit`. */
function latestInRange<T extends { exchange: string; market: string; symbol: string }>(
  rows: readonly T[],
  q: SeriesQuery,
  time: (row: T) => number,
  key: (row: T) => string,
): T[] {
  const latest = new Map<string, T>();
  for (const r of rows) {
    const t = time(r);
    if (r.exchange === q.exchange && r.market === q.market && r.symbol === q.symbol && t >= q.fromTs && t < q.toTs) latest.set(key(r), r);
  }
  const sorted = [...latest.values()].sort((a, b) => time(a) - time(b));
  return q.tail ? sorted.slice(-q.limit) : sorted.slice(0, q.limit);
}

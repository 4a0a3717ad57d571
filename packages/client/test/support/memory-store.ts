import type {
  BookFeatures, BookSnapshot, Candle, LevelSet, Liquidation, OrderFlow, QualityEvent, QualityMinute, Trade,
} from '@pricelevel/contracts';
import type { CandleQuery, CandleSeriesKey, CandleSpan, OrderFlowQuery, SeriesQuery, Store } from '@pricelevel/platform';

type Row = { exchange: string; market: string; symbol: string };

/** The Store port in memory, filtered like the real store (range, instrument, tail); `gate` holds queries back. */
export class MemoryStore implements Store {
  candles: Candle[] = [];
  bookFeatures: BookFeatures[] = [];
  orderFlows: OrderFlow[] = [];
  bookSnapshots: BookSnapshot[] = [];
  levelSets: LevelSet[] = [];
  /** When set, candle queries wait for it (a slow store, for deadlines). */
  gate: Promise<void> | undefined;

  async migrate(): Promise<void> {}
  async insertTrades(_trades: readonly Trade[]): Promise<void> {}
  async insertQualityEvents(_events: readonly QualityEvent[]): Promise<void> {}
  async insertQualityMinutes(_minutes: readonly QualityMinute[]): Promise<void> {}
  async insertLiquidations(_rows: readonly Liquidation[]): Promise<void> {}
  async queryTrades(): Promise<Trade[]> {
    return [];
  }
  async queryQualityEvents(): Promise<QualityEvent[]> {
    return [];
  }
  async queryQualityMinutes(): Promise<QualityMinute[]> {
    return [];
  }
  async queryLiquidations(): Promise<Liquidation[]> {
    return [];
  }

  async insertCandles(candles: readonly Candle[]): Promise<void> {
    this.candles.push(...candles);
  }

  async queryCandles(q: CandleQuery): Promise<Candle[]> {
    if (this.gate) await this.gate;
    const rows = this.candles.filter((c) => c.interval === q.interval && c.source === q.source);
    return inRange(rows, q, (c) => c.openTime);
  }

  async candleSpan(key: CandleSeriesKey): Promise<CandleSpan | undefined> {
    const times = this.candles
      .filter((c) => c.exchange === key.exchange && c.market === key.market && c.symbol === key.symbol && c.interval === key.interval && c.source === key.source)
      .map((c) => c.openTime);
    return times.length === 0 ? undefined : { firstOpenTime: Math.min(...times), lastOpenTime: Math.max(...times) };
  }

  async insertBookSnapshots(rows: readonly BookSnapshot[]): Promise<void> {
    this.bookSnapshots.push(...rows);
  }
  async queryBookSnapshots(q: SeriesQuery): Promise<BookSnapshot[]> {
    return inRange(this.bookSnapshots, q, (s) => s.ts);
  }
  async insertBookFeatures(rows: readonly BookFeatures[]): Promise<void> {
    this.bookFeatures.push(...rows);
  }
  async queryBookFeatures(q: SeriesQuery): Promise<BookFeatures[]> {
    return inRange(this.bookFeatures, q, (f) => f.ts);
  }
  async insertOrderFlows(rows: readonly OrderFlow[]): Promise<void> {
    this.orderFlows.push(...rows);
  }
  async queryOrderFlows(q: OrderFlowQuery): Promise<OrderFlow[]> {
    return inRange(this.orderFlows.filter((f) => f.interval === q.interval), q, (f) => f.openTime);
  }
  async insertLevelSets(sets: readonly LevelSet[]): Promise<void> {
    this.levelSets.push(...sets);
  }
  async queryLevelSets(q: SeriesQuery): Promise<LevelSet[]> {
    return inRange(this.levelSets, q, (s) => s.computedAt);
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

/** q's instrument in [fromTs, toTs), oldest first; `tail` keeps the newest `limit`. */
function inRange<T extends Row>(rows: readonly T[], q: SeriesQuery, time: (row: T) => number): T[] {
  const sorted = rows
    .filter((r) => r.exchange === q.exchange && r.market === q.market && r.symbol === q.symbol && time(r) >= q.fromTs && time(r) < q.toTs)
    .sort((a, b) => time(a) - time(b));
  return q.tail ? sorted.slice(-q.limit) : sorted.slice(0, q.limit);
}

import type { Candle, QualityEvent, QualityMinute, Trade } from '@pricelevel/contracts';
import type { CandleQuery, QualityMinuteQuery, Store, TradeQuery } from '@pricelevel/platform';

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

  async ping(): Promise<void> {
    if (this.pingError) throw this.pingError;
  }

  async close(): Promise<void> {}
}

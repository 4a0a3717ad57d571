import type {
  BookFeatures, BookSnapshot, Candle, LevelSet, Liquidation, OrderFlow, QualityEvent, QualityMinute, Trade,
} from '@pricelevel/contracts';

export interface CandleQuery {
  exchange: string;
  market: string;
  symbol: string;
  interval: string;
  /** ms inclusive */
  fromTs: number;
  /** ms exclusive */
  toTs: number;
  limit: number;
  /** "trades" (built here) or "exchange" (venue klines) */
  source: string;
  /** Take the newest `limit` candles of the range instead of the oldest (still returned oldest first). */
  tail?: boolean;
}

export interface TradeQuery {
  exchange: string;
  market: string;
  symbol: string;
  fromTs: number;
  toTs: number;
  limit: number;
}

export interface QualityEventQuery {
  exchange: string;
  market: string;
  /** "" selects events about a whole connection. */
  symbol: string;
  /** ms inclusive */
  fromTs: number;
  /** ms exclusive */
  toTs: number;
  /** Default (and maximum): 1,000,000. */
  limit?: number;
}

/** One candle series: an instrument's candles of one interval from one source. */
export interface CandleSeriesKey {
  exchange: string;
  market: string;
  symbol: string;
  interval: string;
  /** "trades" (built here) or "exchange" (venue klines) */
  source: string;
}

/** First and last stored open time of a candle series (ms). */
export interface CandleSpan {
  firstOpenTime: number;
  lastOpenTime: number;
}

/** Stored data-quality ledger minutes of one instrument. */
export interface QualityMinuteQuery {
  exchange: string;
  market: string;
  symbol: string;
  /** ms inclusive (window start) */
  fromTs: number;
  /** ms exclusive */
  toTs: number;
  /** Default (and maximum): 1,000,000 rows. */
  limit?: number;
  /**
   * Aggregate per bucket of this many ms (a multiple of 60 000, epoch-aligned like candles): counts
   * summed, histograms merged, p50/p99 read from the merged histogram, `minutes` = minutes found.
   */
  bucketMs?: number;
}

/** A time range of one instrument's per-second series (snapshots, book features, liquidations). */
export interface SeriesQuery {
  exchange: string;
  market: string;
  symbol: string;
  /** ms inclusive (ts, open_time or exchange_ts) */
  fromTs: number;
  /** ms exclusive */
  toTs: number;
  limit: number;
  /** Take the newest `limit` rows of the range instead of the oldest (still returned oldest first). */
  tail?: boolean;
}

/** Order flow of one bucket interval ("1s", "1m", …). */
export interface OrderFlowQuery extends SeriesQuery {
  interval: string;
}

/**
 * Store port: ClickHouse through @clickhouse/client, on chDB in-process (embedded) or on a
 * ClickHouse server over HTTP. One repository code path and one schema for both.
 * Writes are idempotent: tables are ReplacingMergeTree on natural keys (+ version for candles),
 * and reads return the latest version of each row.
 */
export interface Store {
  /** Applies pending schema migrations; safe to call at every start. */
  migrate(): Promise<void>;
  insertTrades(trades: readonly Trade[]): Promise<void>;
  insertCandles(candles: readonly Candle[]): Promise<void>;
  insertQualityEvents(events: readonly QualityEvent[]): Promise<void>;
  /** Latest version of each candle in range, oldest first. */
  queryCandles(q: CandleQuery): Promise<Candle[]>;
  /** First and last open time stored for a series, or undefined when it has none (backfill resumes after the last). */
  candleSpan(key: CandleSeriesKey): Promise<CandleSpan | undefined>;
  /** Distinct trades (by exchange, market, symbol, trade id) in range, by time then id. */
  queryTrades(q: TradeQuery): Promise<Trade[]>;
  /** Quality events in range, by time. */
  queryQualityEvents(q: QualityEventQuery): Promise<QualityEvent[]>;
  /** Data-quality ledger minutes; a minute closed again (after a restart) replaces the earlier row. */
  insertQualityMinutes(minutes: readonly QualityMinute[]): Promise<void>;
  /** Latest close of each ledger minute in range (or per bucket, see bucketMs), oldest first. */
  queryQualityMinutes(q: QualityMinuteQuery): Promise<QualityMinute[]>;
  /** Top-of-book snapshots (one per instrument and second; a rewrite replaces the row). */
  insertBookSnapshots(snapshots: readonly BookSnapshot[]): Promise<void>;
  queryBookSnapshots(q: SeriesQuery): Promise<BookSnapshot[]>;
  /** Per-second book features (one per instrument and ts). */
  insertBookFeatures(features: readonly BookFeatures[]): Promise<void>;
  queryBookFeatures(q: SeriesQuery): Promise<BookFeatures[]>;
  /** Order flow per bucket (one per instrument, interval and open_time). */
  insertOrderFlows(flows: readonly OrderFlow[]): Promise<void>;
  queryOrderFlows(q: OrderFlowQuery): Promise<OrderFlow[]>;
  /** Liquidations as received; identical redeliveries collapse. Oldest first by exchange_ts. */
  insertLiquidations(liquidations: readonly Liquidation[]): Promise<void>;
  queryLiquidations(q: SeriesQuery): Promise<Liquidation[]>;
  /** Level sets as published (one per instrument and version); the history of an instrument's levels. */
  insertLevelSets(sets: readonly LevelSet[]): Promise<void>;
  /** Level sets with computed_at in range, oldest first (tail: the newest `limit`). */
  queryLevelSets(q: SeriesQuery): Promise<LevelSet[]>;
  /** Health check: resolves when the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

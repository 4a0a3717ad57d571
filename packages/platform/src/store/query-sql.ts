import type { RowCodec } from './row-codecs.js';

/** Largest `limit` a query accepts; bigger reads should page. */
export const MAX_QUERY_LIMIT = 1_000_000;

export const INSTRUMENT_WHERE = 'exchange = {exchange:String} AND market = {market:String} AND symbol = {symbol:String}';
export const FROM_TS = "fromUnixTimestamp64Milli({fromTs:Int64}, 'UTC')";
export const TO_TS = "fromUnixTimestamp64Milli({toTs:Int64}, 'UTC')";

/** How a per-instrument series table is read (see seriesSql). */
export interface SeriesTable<T> {
  codec: RowCodec<T>;
  /** The time column the range applies to. */
  time: string;
  /** Key columns after the instrument and time (those that tell rows of one instant apart). */
  key?: readonly string[];
  /** Extra condition, values as `{name:Type}` parameters only. */
  where?: string;
}

/**
 * One row per key (the latest `written_at`) in [fromTs, toTs), oldest first, at most {limit} rows;
 * `tail` takes the newest {limit} instead, still ordered newest first here (the caller reverses).
 * `db` is a quoted identifier; every value is a parameter.
 */
export function seriesSql<T>(db: string, s: SeriesTable<T>, tail: boolean): string {
  const key = [s.time, ...(s.key ?? [])];
  const direction = tail ? 'DESC' : 'ASC';
  return `SELECT ${s.codec.select.join(', ')} FROM ${db}.${s.codec.table}
      WHERE ${INSTRUMENT_WHERE}${s.where ? ` AND ${s.where}` : ''}
        AND ${s.time} >= ${FROM_TS} AND ${s.time} < ${TO_TS}
      ORDER BY ${key.map((c) => `${c} ${direction}`).join(', ')}, written_at DESC
      LIMIT 1 BY ${key.join(', ')}
      LIMIT {limit:UInt64}`;
}

export function instrumentParams(q: { exchange: string; market: string; symbol: string }): Record<string, string> {
  return { exchange: q.exchange, market: q.market, symbol: q.symbol };
}

export function rangeParams(q: { fromTs: number; toTs: number }): Record<string, number> {
  if (!Number.isSafeInteger(q.fromTs) || !Number.isSafeInteger(q.toTs)) {
    throw new RangeError(`fromTs and toTs must be epoch ms integers, got ${q.fromTs} and ${q.toTs}`);
  }
  return { fromTs: q.fromTs, toTs: q.toTs };
}

export function checkInstrument(q: { exchange: unknown; market: unknown; symbol: unknown }): void {
  checkName(q.exchange, 'exchange');
  checkName(q.market, 'market');
  checkName(q.symbol, 'symbol');
}

export function checkName(v: unknown, what: string): void {
  if (typeof v !== 'string' || v.length === 0) throw new TypeError(`${what} must be a non-empty string`);
}

export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
    throw new RangeError(`limit must be an integer in 1..${MAX_QUERY_LIMIT}, got ${limit}`);
  }
  return limit;
}

import type { Candle, QualityEvent, Trade } from '@pricelevel/contracts';
import { isCount, isFiniteNum, isInt64, isName, isText, isTs, ms, num, str, UINT32_MAX } from './row-values.js';

/**
 * Pure mapping between ts-proto messages and positional ClickHouse rows (JSONCompactEachRow).
 * `columns` is the INSERT column list and `select` the matching SELECT list, in the same order,
 * so `decode(encode(x))` is exact. Timestamps travel as epoch-ms integers (a JSON integer for a
 * DateTime64(3) column is epoch ms; reads use toUnixTimestamp64Milli). 64-bit integers may come
 * back quoted (output_format_json_quote_64bit_integers), hence `num()`.
 */
export interface RowCodec<T> {
  table: string;
  columns: readonly [string, ...string[]];
  select: readonly string[];
  /** Why a message cannot be stored, or undefined when it can. Cheap: runs on every row. */
  problem(value: T): string | undefined;
  encode(value: T): unknown[];
  decode(row: readonly unknown[]): T;
  /** Cap on rows per INSERT statement for wide rows (each statement is one JSON string in memory). */
  maxChunkRows?: number;
}

const SIDES = new Set([-1, 0, 1, 2]);
const QUALITY_KINDS = new Set([-1, 0, 1, 2, 3, 4, 5, 6]);

export const tradeCodec: RowCodec<Trade> = {
  table: 'trades',
  columns: ['exchange', 'market', 'symbol', 'trade_id', 'price', 'size', 'side', 'trade_count', 'exchange_ts', 'received_ts'],
  select: ['exchange', 'market', 'symbol', 'trade_id', 'price', 'size', 'CAST(side, \'Int8\')', 'trade_count', ms('exchange_ts'), ms('received_ts')],
  problem(t) {
    if (!isName(t.exchange) || !isName(t.market) || !isName(t.symbol)) return 'exchange, market and symbol must be non-empty strings';
    if (!isName(t.tradeId)) return 'tradeId must be a non-empty string';
    if (!isFiniteNum(t.price) || !isFiniteNum(t.size)) return 'price and size must be finite numbers';
    if (!SIDES.has(t.side)) return `unknown side ${String(t.side)}`;
    if (!isCount(t.tradeCount, UINT32_MAX)) return 'tradeCount must be an integer in 0..2^32-1';
    if (!isTs(t.exchangeTs) || !isTs(t.receivedTs)) return 'exchangeTs and receivedTs must be epoch ms integers';
    return undefined;
  },
  encode: (t) => [t.exchange, t.market, t.symbol, t.tradeId, t.price, t.size, t.side, t.tradeCount, t.exchangeTs, t.receivedTs],
  decode: (r) => ({
    exchange: str(r[0]),
    market: str(r[1]),
    symbol: str(r[2]),
    tradeId: str(r[3]),
    price: num(r[4]),
    size: num(r[5]),
    side: num(r[6]),
    tradeCount: num(r[7]),
    exchangeTs: num(r[8]),
    receivedTs: num(r[9]),
  }),
};

export const candleCodec: RowCodec<Candle> = {
  table: 'candles',
  columns: [
    'exchange', 'market', 'symbol', 'interval', 'source', 'open_time', 'close_time', 'open', 'high', 'low', 'close',
    'volume', 'quote_volume', 'buy_volume', 'buy_quote_volume', 'trade_count', 'version', 'final',
  ],
  select: [
    'exchange', 'market', 'symbol', 'interval', 'source', ms('open_time'), ms('close_time'), 'open', 'high', 'low', 'close',
    'volume', 'quote_volume', 'buy_volume', 'buy_quote_volume', 'trade_count', 'version', 'final',
  ],
  problem(c) {
    if (!isName(c.exchange) || !isName(c.market) || !isName(c.symbol)) return 'exchange, market and symbol must be non-empty strings';
    if (!isName(c.interval) || !isName(c.source)) return 'interval and source must be non-empty strings';
    if (!isTs(c.openTime) || !isTs(c.closeTime)) return 'openTime and closeTime must be epoch ms integers';
    for (const v of [c.open, c.high, c.low, c.close, c.volume, c.quoteVolume, c.buyVolume, c.buyQuoteVolume]) {
      if (!isFiniteNum(v)) return 'prices and volumes must be finite numbers';
    }
    if (!isCount(c.tradeCount, Number.MAX_SAFE_INTEGER) || !isCount(c.version, Number.MAX_SAFE_INTEGER)) {
      return 'tradeCount and version must be non-negative integers';
    }
    if (typeof c.final !== 'boolean') return 'final must be a boolean';
    return undefined;
  },
  encode: (c) => [
    c.exchange, c.market, c.symbol, c.interval, c.source, c.openTime, c.closeTime, c.open, c.high, c.low, c.close,
    c.volume, c.quoteVolume, c.buyVolume, c.buyQuoteVolume, c.tradeCount, c.version, c.final,
  ],
  decode: (r) => ({
    exchange: str(r[0]),
    market: str(r[1]),
    symbol: str(r[2]),
    interval: str(r[3]),
    source: str(r[4]),
    openTime: num(r[5]),
    closeTime: num(r[6]),
    open: num(r[7]),
    high: num(r[8]),
    low: num(r[9]),
    close: num(r[10]),
    volume: num(r[11]),
    quoteVolume: num(r[12]),
    buyVolume: num(r[13]),
    buyQuoteVolume: num(r[14]),
    tradeCount: num(r[15]),
    version: num(r[16]),
    final: r[17] === true || r[17] === 1 || r[17] === 'true',
  }),
};

export const qualityEventCodec: RowCodec<QualityEvent> = {
  table: 'quality_events',
  columns: ['exchange', 'market', 'symbol', 'kind', 'book_epoch', 'expected_id', 'received_id', 'detail', 'ts'],
  select: ['exchange', 'market', 'symbol', 'CAST(kind, \'Int8\')', 'book_epoch', 'expected_id', 'received_id', 'detail', ms('ts')],
  problem(e) {
    if (!isName(e.exchange) || !isName(e.market)) return 'exchange and market must be non-empty strings';
    if (!isText(e.symbol) || !isText(e.detail)) return 'symbol and detail must be strings';
    if (!QUALITY_KINDS.has(e.kind)) return `unknown quality kind ${String(e.kind)}`;
    if (!isInt64(e.bookEpoch) || !isInt64(e.expectedId) || !isInt64(e.receivedId)) return 'bookEpoch, expectedId and receivedId must be 64-bit integers';
    if (!isTs(e.ts)) return 'ts must be an epoch ms integer';
    return undefined;
  },
  encode: (e) => [e.exchange, e.market, e.symbol, e.kind, e.bookEpoch, e.expectedId, e.receivedId, e.detail, e.ts],
  decode: (r) => ({
    exchange: str(r[0]),
    market: str(r[1]),
    symbol: str(r[2]),
    kind: num(r[3]),
    bookEpoch: num(r[4]),
    expectedId: num(r[5]),
    receivedId: num(r[6]),
    detail: str(r[7]),
    ts: num(r[8]),
  }),
};

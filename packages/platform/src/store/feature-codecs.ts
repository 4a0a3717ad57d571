import type { BookFeatures, BookSnapshot, Liquidation } from '@pricelevel/contracts';
import type { RowCodec } from './row-codecs.js';
import {
  bool, camel, decodeF64, decodeF64s, encodeF64, encodeF64s, INT32_MAX, isBool, isCount, isFiniteNum, isFiniteNumbers, isInt64, isName,
  isTs, ms, num, str, type Camel,
} from './row-values.js';

/**
 * Row mappings of the feature tables (migrations 5, 6 and 8; order_flow is in order-flow-codec.ts).
 * Conventions as in row-codecs.ts; every double goes through encodeF64/decodeF64 so NaN (a feature
 * not defined yet), ±Infinity and -0 are stored and read back exactly.
 */

/** More levels than any venue serves on a depth stream: a bigger side is a bug, not a book. */
export const MAX_BOOK_LEVELS = 1000;

const SIDES = new Set([-1, 0, 1, 2]);
const POSITION_SIDES = new Set([-1, 0, 1, 2]);
const COMPLETENESS = new Set([-1, 0, 1, 2, 3]);
const INSTRUMENT_PROBLEM = 'exchange, market and symbol must be non-empty strings';

function levelsProblem(prices: unknown, sizes: unknown, side: string): string | undefined {
  if (!isFiniteNumbers(prices) || !isFiniteNumbers(sizes)) return `${side} prices and sizes must be arrays of finite numbers`;
  if (prices.length !== sizes.length) return `${side} prices and sizes must have one length`;
  if (prices.length > MAX_BOOK_LEVELS) return `${side} has more than ${MAX_BOOK_LEVELS} levels`;
  return undefined;
}

export const bookSnapshotCodec: RowCodec<BookSnapshot> = {
  table: 'book_snapshots',
  columns: [
    'exchange', 'market', 'symbol', 'ts', 'resyncing', 'book_epoch', 'last_update_id', 'book_ts',
    'bid_prices', 'bid_sizes', 'ask_prices', 'ask_sizes',
  ],
  select: [
    'exchange', 'market', 'symbol', ms('ts'), 'resyncing', 'book_epoch', 'last_update_id', ms('book_ts'),
    'bid_prices', 'bid_sizes', 'ask_prices', 'ask_sizes',
  ],
  // ~2 KB of JSON per row at 100 levels a side, ~20 KB at 1000: one statement stays under ~40 MB.
  maxChunkRows: 2000,
  problem(s) {
    if (!isName(s.exchange) || !isName(s.market) || !isName(s.symbol)) return INSTRUMENT_PROBLEM;
    if (!isTs(s.ts) || !isTs(s.bookTs)) return 'ts and bookTs must be epoch ms integers';
    if (!isBool(s.resyncing)) return 'resyncing must be a boolean';
    if (!isInt64(s.bookEpoch) || !isInt64(s.lastUpdateId)) return 'bookEpoch and lastUpdateId must be 64-bit integers';
    return levelsProblem(s.bidPrices, s.bidSizes, 'bid') ?? levelsProblem(s.askPrices, s.askSizes, 'ask');
  },
  encode: (s) => [
    s.exchange, s.market, s.symbol, s.ts, s.resyncing, s.bookEpoch, s.lastUpdateId, s.bookTs,
    encodeF64s(s.bidPrices), encodeF64s(s.bidSizes), encodeF64s(s.askPrices), encodeF64s(s.askSizes),
  ],
  decode: (r) => ({
    exchange: str(r[0]),
    market: str(r[1]),
    symbol: str(r[2]),
    ts: num(r[3]),
    resyncing: bool(r[4]),
    bookEpoch: num(r[5]),
    lastUpdateId: num(r[6]),
    bookTs: num(r[7]),
    bidPrices: decodeF64s(r[8]),
    bidSizes: decodeF64s(r[9]),
    askPrices: decodeF64s(r[10]),
    askSizes: decodeF64s(r[11]),
  }),
};

/** Every double of BookFeatures, as columns (proto field names, proto order). */
export const BOOK_FEATURE_DOUBLES = [
  'mid_price', 'spread', 'spread_pct', 'buy_pressure', 'sell_pressure', 'net_pressure', 'pressure_ratio', 'total_pressure',
  'bid_volume', 'ask_volume', 'volume_imbalance', 'bid_price_mean', 'bid_price_std', 'ask_price_mean', 'ask_price_std',
  'bid_size_mean', 'bid_size_std', 'ask_size_mean', 'ask_size_std', 'bid_top10_concentration', 'ask_top10_concentration',
  'price_change_1s', 'price_change_5s', 'price_change_30s', 'price_volatility_30s', 'spread_change_1s', 'spread_change_5s',
  'spread_volatility_30s', 'imbalance_change_1s', 'imbalance_change_5s', 'imbalance_volatility_30s', 'buy_pressure_change_1s',
  'sell_pressure_change_1s', 'net_pressure_change_1s', 'buy_pressure_volatility_30s', 'sell_pressure_volatility_30s',
  'net_pressure_volatility_30s',
] as const;

type BookFeatureDouble = Camel<(typeof BOOK_FEATURE_DOUBLES)[number]>;
// Compile-time check: every column names a field of the message.
const FEATURE_KEYS: readonly (BookFeatureDouble & keyof BookFeatures)[] = BOOK_FEATURE_DOUBLES.map(camel);
const FEATURE_HEAD = 7; // exchange, market, symbol, ts, resyncing, bid_levels, ask_levels

export const bookFeaturesCodec: RowCodec<BookFeatures> = {
  table: 'book_features',
  columns: ['exchange', 'market', 'symbol', 'ts', 'resyncing', 'bid_levels', 'ask_levels', ...BOOK_FEATURE_DOUBLES],
  select: ['exchange', 'market', 'symbol', ms('ts'), 'resyncing', 'bid_levels', 'ask_levels', ...BOOK_FEATURE_DOUBLES],
  problem(f) {
    if (!isName(f.exchange) || !isName(f.market) || !isName(f.symbol)) return INSTRUMENT_PROBLEM;
    if (!isTs(f.ts)) return 'ts must be an epoch ms integer';
    if (!isBool(f.resyncing)) return 'resyncing must be a boolean';
    if (!isCount(f.bidLevels, INT32_MAX) || !isCount(f.askLevels, INT32_MAX)) return 'bidLevels and askLevels must be non-negative 32-bit integers';
    for (const k of FEATURE_KEYS) if (typeof f[k] !== 'number') return `${k} must be a number (NaN when undefined)`;
    return undefined;
  },
  encode: (f) => {
    const row: unknown[] = [f.exchange, f.market, f.symbol, f.ts, f.resyncing, f.bidLevels, f.askLevels];
    for (const k of FEATURE_KEYS) row.push(encodeF64(f[k]));
    return row;
  },
  decode: (r) => {
    const f = {
      exchange: str(r[0]),
      market: str(r[1]),
      symbol: str(r[2]),
      ts: num(r[3]),
      resyncing: bool(r[4]),
      bidLevels: num(r[5]),
      askLevels: num(r[6]),
    } as BookFeatures;
    FEATURE_KEYS.forEach((k, i) => {
      f[k] = decodeF64(r[FEATURE_HEAD + i]);
    });
    return f;
  },
};

export const liquidationCodec: RowCodec<Liquidation> = {
  table: 'liquidations',
  columns: ['exchange', 'market', 'symbol', 'side', 'liquidated_position', 'price', 'size', 'completeness', 'exchange_ts', 'received_ts'],
  select: [
    'exchange', 'market', 'symbol', "CAST(side, 'Int8')", "CAST(liquidated_position, 'Int8')", 'price', 'size',
    "CAST(completeness, 'Int8')", ms('exchange_ts'), ms('received_ts'),
  ],
  problem(l) {
    if (!isName(l.exchange) || !isName(l.market) || !isName(l.symbol)) return INSTRUMENT_PROBLEM;
    if (!SIDES.has(l.side)) return `unknown side ${String(l.side)}`;
    if (!POSITION_SIDES.has(l.liquidatedPosition)) return `unknown liquidated position ${String(l.liquidatedPosition)}`;
    if (!COMPLETENESS.has(l.completeness)) return `unknown completeness ${String(l.completeness)}`;
    if (!isFiniteNum(l.price) || !isFiniteNum(l.size)) return 'price and size must be finite numbers';
    if (!isTs(l.exchangeTs) || !isTs(l.receivedTs)) return 'exchangeTs and receivedTs must be epoch ms integers';
    return undefined;
  },
  encode: (l) => [
    l.exchange, l.market, l.symbol, l.side, l.liquidatedPosition, encodeF64(l.price), encodeF64(l.size), l.completeness,
    l.exchangeTs, l.receivedTs,
  ],
  decode: (r) => ({
    exchange: str(r[0]),
    market: str(r[1]),
    symbol: str(r[2]),
    side: num(r[3]),
    liquidatedPosition: num(r[4]),
    price: decodeF64(r[5]),
    size: decodeF64(r[6]),
    completeness: num(r[7]),
    exchangeTs: num(r[8]),
    receivedTs: num(r[9]),
  }),
};

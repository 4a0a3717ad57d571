import type { FootprintLevel, OrderFlow } from '@pricelevel/contracts';
import type { RowCodec } from './row-codecs.js';
import {
  bool, camel, decodeF64, decodeF64s, encodeF64, INT32_MAX, isBool, isCount, isName, isTs, ms, num, str, type Camel,
} from './row-values.js';

/**
 * Row mapping of the `order_flow` table (migration 7); conventions as in row-codecs.ts and
 * feature-codecs.ts. The footprint travels as seven parallel arrays, one element per price bucket.
 */

/** A footprint wider than this is a bucket-width bug (a day of BTC at a 1-dollar step is ~5000 buckets). */
export const MAX_FOOTPRINT_LEVELS = 100_000;

/** Scalar columns after the instrument, interval and times, in proto order (footprint excluded). */
const COUNTS_64 = ['trade_count', 'late_trades', 'liquidation_count'] as const;
const COUNTS_32 = ['stacked_buy_imbalances', 'stacked_sell_imbalances', 'bid_walls', 'ask_walls', 'walls_pulled', 'walls_consumed'] as const;
export const ORDER_FLOW_DOUBLES = [
  'buy_volume', 'sell_volume', 'delta', 'cumulative_delta', 'vwap', 'price_change', 'footprint_step', 'absorption',
  'nearest_bid_wall_price', 'nearest_bid_wall_size', 'nearest_bid_wall_distance_pct', 'nearest_ask_wall_price',
  'nearest_ask_wall_size', 'nearest_ask_wall_distance_pct', 'wall_lifetime_mean_s', 'liquidated_long_volume',
  'liquidated_short_volume', 'cascade_intensity', 'cascade_exhaustion', 'volatility_z', 'volume_z', 'panic_index',
] as const;
const FOOTPRINT_DOUBLES = ['price', 'buy_volume', 'sell_volume', 'buy_imbalance_ratio', 'sell_imbalance_ratio'] as const;
const FOOTPRINT_FLAGS = ['buy_imbalance', 'sell_imbalance'] as const;

type Key<C extends readonly string[], M> = Camel<C[number]> & keyof M;
// Compile-time checks: every column names a field of the message.
const COUNT_64_KEYS: readonly Key<typeof COUNTS_64, OrderFlow>[] = COUNTS_64.map(camel);
const COUNT_32_KEYS: readonly Key<typeof COUNTS_32, OrderFlow>[] = COUNTS_32.map(camel);
const DOUBLE_KEYS: readonly Key<typeof ORDER_FLOW_DOUBLES, OrderFlow>[] = ORDER_FLOW_DOUBLES.map(camel);
const LEVEL_DOUBLE_KEYS: readonly Key<typeof FOOTPRINT_DOUBLES, FootprintLevel>[] = FOOTPRINT_DOUBLES.map(camel);
const LEVEL_FLAG_KEYS: readonly Key<typeof FOOTPRINT_FLAGS, FootprintLevel>[] = FOOTPRINT_FLAGS.map(camel);
const COMPLETENESS = new Set([-1, 0, 1, 2, 3]);

const footprintColumns = [...FOOTPRINT_DOUBLES, ...FOOTPRINT_FLAGS].map((c) => `footprint_${c}`);
const head = ['exchange', 'market', 'symbol', 'interval'] as const;
const tail = [...COUNTS_64, ...COUNTS_32, ...ORDER_FLOW_DOUBLES, ...footprintColumns, 'liquidation_completeness'];
// Positions in a row: head, open_time, close_time, then `tail` in order.
const AT_COUNT_64 = head.length + 2;
const AT_COUNT_32 = AT_COUNT_64 + COUNTS_64.length;
const AT_DOUBLE = AT_COUNT_32 + COUNTS_32.length;
const AT_FOOTPRINT = AT_DOUBLE + ORDER_FLOW_DOUBLES.length;
const AT_COMPLETENESS = AT_FOOTPRINT + footprintColumns.length;

function footprintProblem(levels: unknown): string | undefined {
  if (!Array.isArray(levels)) return 'footprint must be an array';
  if (levels.length > MAX_FOOTPRINT_LEVELS) return `footprint has more than ${MAX_FOOTPRINT_LEVELS} levels`;
  for (const l of levels as FootprintLevel[]) {
    if (typeof l !== 'object' || l === null) return 'footprint levels must be objects';
    for (const k of LEVEL_DOUBLE_KEYS) if (typeof l[k] !== 'number') return `footprint ${k} must be a number`;
    for (const k of LEVEL_FLAG_KEYS) if (!isBool(l[k])) return `footprint ${k} must be a boolean`;
  }
  return undefined;
}

export const orderFlowCodec: RowCodec<OrderFlow> = {
  table: 'order_flow',
  columns: [...head, 'open_time', 'close_time', ...tail],
  select: [...head, ms('open_time'), ms('close_time'), ...tail.map((c) => (c === 'liquidation_completeness' ? `CAST(${c}, 'Int8')` : c))],
  // A wide footprint makes a row tens of KB (like book_snapshots).
  maxChunkRows: 2000,
  problem(f) {
    if (!isName(f.exchange) || !isName(f.market) || !isName(f.symbol)) return 'exchange, market and symbol must be non-empty strings';
    if (!isName(f.interval)) return 'interval must be a non-empty string';
    if (!isTs(f.openTime) || !isTs(f.closeTime)) return 'openTime and closeTime must be epoch ms integers';
    for (const k of COUNT_64_KEYS) if (!isCount(f[k], Number.MAX_SAFE_INTEGER)) return `${k} must be a non-negative integer`;
    for (const k of COUNT_32_KEYS) if (!isCount(f[k], INT32_MAX)) return `${k} must be a non-negative 32-bit integer`;
    for (const k of DOUBLE_KEYS) if (typeof f[k] !== 'number') return `${k} must be a number (NaN when undefined)`;
    if (!COMPLETENESS.has(f.liquidationCompleteness)) return `unknown liquidation completeness ${String(f.liquidationCompleteness)}`;
    return footprintProblem(f.footprint);
  },
  encode: (f) => {
    const row: unknown[] = [f.exchange, f.market, f.symbol, f.interval, f.openTime, f.closeTime];
    for (const k of COUNT_64_KEYS) row.push(f[k]);
    for (const k of COUNT_32_KEYS) row.push(f[k]);
    for (const k of DOUBLE_KEYS) row.push(encodeF64(f[k]));
    for (const k of LEVEL_DOUBLE_KEYS) row.push(f.footprint.map((l) => encodeF64(l[k])));
    for (const k of LEVEL_FLAG_KEYS) row.push(f.footprint.map((l) => l[k]));
    row.push(f.liquidationCompleteness);
    return row;
  },
  decode: (r) => {
    const f = {
      exchange: str(r[0]),
      market: str(r[1]),
      symbol: str(r[2]),
      interval: str(r[3]),
      openTime: num(r[4]),
      closeTime: num(r[5]),
      liquidationCompleteness: num(r[AT_COMPLETENESS]),
    } as OrderFlow;
    COUNT_64_KEYS.forEach((k, i) => (f[k] = num(r[AT_COUNT_64 + i])));
    COUNT_32_KEYS.forEach((k, i) => (f[k] = num(r[AT_COUNT_32 + i])));
    DOUBLE_KEYS.forEach((k, i) => (f[k] = decodeF64(r[AT_DOUBLE + i])));
    const doubles = LEVEL_DOUBLE_KEYS.map((_, i) => decodeF64s(r[AT_FOOTPRINT + i]));
    const flags = LEVEL_FLAG_KEYS.map((_, i) => r[AT_FOOTPRINT + LEVEL_DOUBLE_KEYS.length + i]);
    const n = doubles[0]?.length ?? 0;
    f.footprint = Array.from({ length: n }, (_, j) => {
      const level = {} as FootprintLevel;
      LEVEL_DOUBLE_KEYS.forEach((k, i) => (level[k] = doubles[i]![j]!));
      LEVEL_FLAG_KEYS.forEach((k, i) => (level[k] = bool((flags[i] as unknown[])[j])));
      return level;
    });
    return f;
  },
};

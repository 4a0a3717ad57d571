import { completenessToJSON, type BookFeatures, type Completeness, type OrderFlow } from '@pricelevel/contracts';

/** snake_case proto name → the camelCase field ts-proto generates (`price_change_1s` → `priceChange1s`). */
type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;

function camel<S extends string>(snake: S): Camel<S> {
  return snake.replace(/_(.)/g, (_, c: string) => c.toUpperCase()) as Camel<S>;
}

/** BookFeatures columns after the identity (exchange, market, symbol, ts), in proto order. */
export const BOOK_FEATURE_CSV_FIELDS = [
  'resyncing', 'bid_levels', 'ask_levels', 'mid_price', 'spread', 'spread_pct', 'buy_pressure', 'sell_pressure',
  'net_pressure', 'pressure_ratio', 'total_pressure', 'bid_volume', 'ask_volume', 'volume_imbalance',
  'bid_price_mean', 'bid_price_std', 'ask_price_mean', 'ask_price_std', 'bid_size_mean', 'bid_size_std',
  'ask_size_mean', 'ask_size_std', 'bid_top10_concentration', 'ask_top10_concentration', 'price_change_1s',
  'price_change_5s', 'price_change_30s', 'price_volatility_30s', 'spread_change_1s', 'spread_change_5s',
  'spread_volatility_30s', 'imbalance_change_1s', 'imbalance_change_5s', 'imbalance_volatility_30s',
  'buy_pressure_change_1s', 'sell_pressure_change_1s', 'net_pressure_change_1s', 'buy_pressure_volatility_30s',
  'sell_pressure_volatility_30s', 'net_pressure_volatility_30s',
] as const;

/**
 * Scalar OrderFlow columns of the 1 s bucket, in proto order. Left out: the identity, `interval`
 * (always 1s), `open_time`/`close_time` (close_time is the row's ts) and the footprint levels.
 */
export const ORDER_FLOW_CSV_FIELDS = [
  'trade_count', 'late_trades', 'buy_volume', 'sell_volume', 'delta', 'cumulative_delta', 'vwap', 'price_change',
  'footprint_step', 'stacked_buy_imbalances', 'stacked_sell_imbalances', 'absorption', 'bid_walls', 'ask_walls',
  'nearest_bid_wall_price', 'nearest_bid_wall_size', 'nearest_bid_wall_distance_pct', 'nearest_ask_wall_price',
  'nearest_ask_wall_size', 'nearest_ask_wall_distance_pct', 'walls_pulled', 'walls_consumed', 'wall_lifetime_mean_s',
  'liquidation_completeness', 'liquidated_long_volume', 'liquidated_short_volume', 'liquidation_count',
  'cascade_intensity', 'cascade_exhaustion', 'volatility_z', 'volume_z', 'panic_index',
] as const;


/** The CSV header columns: identity first, then the book features, then the 1 s order flow. */
export const FEATURE_CSV_COLUMNS: readonly string[] = ['exchange', 'market', 'symbol', 'ts', ...BOOK_FEATURE_CSV_FIELDS, ...ORDER_FLOW_CSV_FIELDS];

// Typed as Camel<name>: indexing the message with them below fails to compile for a name it lacks.
const BOOK_KEYS = BOOK_FEATURE_CSV_FIELDS.map(camel);
const FLOW_KEYS = ORDER_FLOW_CSV_FIELDS.map(camel);

/**
 * One CSV field (RFC 4180): numbers as String(n) (shortest round-trip), NaN as an empty field, ±Infinity
 * as inf/-inf (what numpy and pandas read), booleans as true/false, text quoted when it holds a comma,
 * a quote or a line break.
 */
export function csvField(v: string | number | boolean | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '';
    if (v === Infinity) return 'inf';
    if (v === -Infinity) return '-inf';
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** `COMPLETENESS_SAMPLED` → `sampled`; an unknown value → empty. */
function completenessName(c: Completeness): string {
  const name = completenessToJSON(c);
  return name.startsWith('COMPLETENESS_') ? name.slice('COMPLETENESS_'.length).toLowerCase() : '';
}

/** The header line (with its newline). */
export function featureCsvHeader(): string {
  return `${FEATURE_CSV_COLUMNS.join(',')}\n`;
}

/** One row (with its newline): the book features of a second and, when there is one, the 1 s flow ending at it; no flow → empty flow fields. */
export function featureCsvRow(f: BookFeatures, flow: OrderFlow | undefined): string {
  const fields = [csvField(f.exchange), csvField(f.market), csvField(f.symbol), csvField(f.ts)];
  for (const k of BOOK_KEYS) fields.push(csvField(f[k]));
  for (const k of FLOW_KEYS) {
    if (flow === undefined) fields.push('');
    else if (k === 'liquidationCompleteness') fields.push(completenessName(flow.liquidationCompleteness));
    else fields.push(csvField(flow[k]));
  }
  return `${fields.join(',')}\n`;
}

/**
 * Rows for a batch of book features joined with the 1 s order flows whose close_time equals their ts
 * (same instrument); flows of other intervals and flows without a matching feature row are ignored.
 */
export function featureCsvRows(features: readonly BookFeatures[], flows: readonly OrderFlow[]): string {
  const byEnd = new Map<string, OrderFlow>();
  for (const fl of flows) {
    if (fl.interval === '1s') byEnd.set(`${fl.exchange}\0${fl.market}\0${fl.symbol}\0${fl.closeTime}`, fl);
  }
  let out = '';
  for (const f of features) out += featureCsvRow(f, byEnd.get(`${f.exchange}\0${f.market}\0${f.symbol}\0${f.ts}`));
  return out;
}

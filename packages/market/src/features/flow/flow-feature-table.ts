import type { OrderFlow } from '@pricelevel/contracts';
import { INTERVAL_NAMES } from '@pricelevel/contracts';
import { CASCADE_END_FRACTION, CASCADE_HALF_LIFE_S, FOOTPRINT_MULTIPLIERS, MAX_OPEN_SECONDS, MIN_HISTORY_S } from './flow-options.js';

/** The values of an OrderFlow message (everything but its identity and bucket times). */
export type OrderFlowFeatureName = Exclude<
  keyof OrderFlow,
  'exchange' | 'market' | 'symbol' | 'interval' | 'openTime' | 'closeTime'
>;

export interface OrderFlowFeatureRow {
  name: OrderFlowFeatureName;
  /** The value of one second. */
  second: string;
  /** How a candle interval's value comes from its seconds. */
  rollup: string;
  unit: string;
}

const MEANS = `means over the closed seconds of the previous zWindowS s (≥ ${MIN_HISTORY_S} samples, else NaN)`;
const WALL = 'level of the snapshot side with size ≥ wallMultiple × the median level size of that side';
const UNAVAILABLE = 'NaN when the completeness is UNAVAILABLE';

/** Every order-flow value in proto field order: the single source of the README table. */
export const ORDER_FLOW_FEATURE_TABLE: readonly OrderFlowFeatureRow[] = [
  {
    name: 'tradeCount',
    second: 'Σ n over the trades, n = venue trades the record stands for (1 for a single trade); a redelivered trade id counts once',
    rollup: 'sum',
    unit: 'trades',
  },
  {
    name: 'lateTrades',
    second: 'Σ n over the trades received after close_time + latenessMs; they are left out of every other value',
    rollup: 'sum',
    unit: 'trades',
  },
  { name: 'buyVolume', second: 'Σ size of the trades whose aggressor bought', rollup: 'sum', unit: 'base' },
  { name: 'sellVolume', second: 'Σ size of the trades whose aggressor sold', rollup: 'sum', unit: 'base' },
  { name: 'delta', second: 'buy_volume − sell_volume', rollup: 'from the summed volumes', unit: 'base' },
  {
    name: 'cumulativeDelta',
    second: 'Σ delta of the closed seconds from 00:00 UTC of the bucket’s day through this one (resets each UTC day)',
    rollup: 'the last second’s',
    unit: 'base',
  },
  { name: 'vwap', second: 'Σ price × size / Σ size over all trades; NaN without trades', rollup: 'from the summed notional and volume', unit: 'quote' },
  {
    name: 'priceChange',
    second: 'last trade price − first trade price; 0 without trades',
    rollup: 'last price of the last second with trades − first price of the first',
    unit: 'quote',
  },
  {
    name: 'footprintStep',
    second: 'base step 10^(⌊log10 p₀⌋ − 4), p₀ = the first trade price (five significant digits); NaN without trades',
    rollup: 'the largest base step of its seconds × the interval’s multiplier (table below)',
    unit: 'quote',
  },
  {
    name: 'footprint',
    second:
      'buckets with volume, ascending: index b = ⌊price / step⌋, price = b × step, buy and sell volume by aggressor; ' +
      'buy_imbalance_ratio = buy(b) / sell(b − 1), sell_imbalance_ratio = sell(b) / buy(b + 1), 0 when either is 0; ' +
      'a side is imbalanced when it has volume and its ratio ≥ imbalanceRatio or its diagonal is empty',
    rollup: 'the seconds’ buckets merged at b = ⌊b_1s / (10^Δe × multiplier)⌋ (Δe: base-step exponent difference), imbalances recomputed',
    unit: 'base',
  },
  {
    name: 'stackedBuyImbalances',
    second: 'runs of ≥ stackMin adjacent bucket indices that are all buy-imbalanced',
    rollup: 'recomputed on the merged footprint',
    unit: 'runs',
  },
  {
    name: 'stackedSellImbalances',
    second: 'runs of ≥ stackMin adjacent bucket indices that are all sell-imbalanced',
    rollup: 'recomputed on the merged footprint',
    unit: 'runs',
  },
  {
    name: 'absorption',
    second:
      'sign(D) × max(0, abs(D) / mean abs(D_1s) − sign(D) × Δp / mean abs(Δp_1s)), D = delta, Δp = close − previous close ' +
      `(the first trade price when there is none), ${MEANS}; 0 when D = 0`,
    rollup: 'D and Δp of the whole bucket, the means as of its last second',
    unit: 'typical 1 s delta',
  },
  { name: 'bidWalls', second: `number of bid walls: ${WALL}`, rollup: 'the last second’s', unit: 'levels' },
  { name: 'askWalls', second: 'number of ask walls', rollup: 'the last second’s', unit: 'levels' },
  { name: 'nearestBidWallPrice', second: 'highest bid wall price; NaN when none', rollup: 'the last second’s', unit: 'quote' },
  { name: 'nearestBidWallSize', second: 'its size', rollup: 'the last second’s', unit: 'base' },
  {
    name: 'nearestBidWallDistancePct',
    second: '(mid − price) / mid × 100, mid = (best bid + best ask) / 2',
    rollup: 'the last second’s',
    unit: '%',
  },
  { name: 'nearestAskWallPrice', second: 'lowest ask wall price; NaN when none', rollup: 'the last second’s', unit: 'quote' },
  { name: 'nearestAskWallSize', second: 'its size', rollup: 'the last second’s', unit: 'base' },
  { name: 'nearestAskWallDistancePct', second: '(price − mid) / mid × 100', rollup: 'the last second’s', unit: '%' },
  {
    name: 'wallsPulled',
    second:
      'walls (followed by side and price over the snapshots that are not resyncing) gone from this snapshot, no level or ' +
      'below the threshold, while no trade of the second reached their price; a wall beyond the deepest level shown is forgotten, not counted',
    rollup: 'sum',
    unit: 'walls',
  },
  {
    name: 'wallsConsumed',
    second: 'walls gone in a second that traded at or through their price (a sell ≤ a bid wall, a buy ≥ an ask wall)',
    rollup: 'sum',
    unit: 'walls',
  },
  {
    name: 'wallLifetimeMeanS',
    second: 'mean over the walls that ended (pulled or consumed) of ts − ts of the first snapshot showing them; NaN when none',
    rollup: 'Σ lifetimes / walls ended',
    unit: 's',
  },
  {
    name: 'liquidationCompleteness',
    second: 'the worst of the venue’s completeness and the flags of the second’s liquidations (UNAVAILABLE > SAMPLED > FULL)',
    rollup: 'the worst of its seconds',
    unit: 'flag',
  },
  {
    name: 'liquidatedLongVolume',
    second: `Σ price × size of the liquidations of longs (position LONG, else a SELL order); ${UNAVAILABLE}`,
    rollup: 'sum',
    unit: 'quote',
  },
  { name: 'liquidatedShortVolume', second: `Σ price × size of the liquidations of shorts; ${UNAVAILABLE}`, rollup: 'sum', unit: 'quote' },
  { name: 'liquidationCount', second: 'number of liquidations; 0 when UNAVAILABLE (the flag says unknown)', rollup: 'sum', unit: 'liquidations' },
  {
    name: 'cascadeIntensity',
    second:
      `L / N, L and N the liquidated and the traded notional each decayed with a ${CASCADE_HALF_LIFE_S} s half-life ` +
      `(an exponential Hawkes kernel); ${UNAVAILABLE}`,
    rollup: 'max over its seconds',
    unit: 'ratio',
  },
  {
    name: 'cascadeExhaustion',
    second:
      '1 − intensity / peak intensity of the cascade in progress (it starts with a second that has liquidations and ends once ' +
      `the intensity is below ${CASCADE_END_FRACTION} × the peak); NaN outside a cascade, ${UNAVAILABLE}`,
    rollup: 'the last second’s',
    unit: 'fraction',
  },
  {
    name: 'volatilityZ',
    second: `(r − mean r) / std r, r = abs(close / previous close − 1), population std; ${MEANS}, NaN when std = 0`,
    rollup: 'max over its seconds',
    unit: 'σ',
  },
  { name: 'volumeZ', second: 'the same z-score for the second’s traded volume (all trades)', rollup: 'max over its seconds', unit: 'σ' },
  { name: 'panicIndex', second: 'max(0, volatility_z) × max(0, volume_z)', rollup: 'max over its seconds', unit: 'σ²' },
];

/** The proto field name of a value (none of them holds a digit). */
export function orderFlowProtoName(name: OrderFlowFeatureName): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The order-flow section of the README: buckets, the value table, footprint multipliers, parameters, sources. */
export function orderFlowTableMarkdown(): string {
  const intervals = ['1s', ...INTERVAL_NAMES] as const;
  const lines = [
    'Buckets are the second (`1s`) and every candle interval, epoch-aligned like candles. A trade belongs to the',
    'second of its exchange_ts; each second is folded in one order (trades by exchange_ts and trade id, shorter',
    'ids first; liquidations by exchange_ts, price, size, side), so arrival order never changes a value. An',
    'interval is emitted when the second ending at its close is closed. Seconds that are never closed (the service',
    'was down) emit nothing; the rolling state carries on across them.',
    '',
    '| value | one second | interval | unit |',
    '|---|---|---|---|',
  ];
  for (const r of ORDER_FLOW_FEATURE_TABLE) {
    lines.push(`| \`${orderFlowProtoName(r.name)}\` | ${cell(r.second)} | ${cell(r.rollup)} | ${r.unit} |`);
  }
  lines.push(
    '',
    'Footprint bucket width = base step × multiplier:',
    '',
    `| interval | ${intervals.join(' | ')} |`,
    `|---|${intervals.map(() => '---').join('|')}|`,
    `| multiplier | ${intervals.map((i) => FOOTPRINT_MULTIPLIERS[i]).join(' | ')} |`,
    '',
    '| engine option | default | meaning |',
    '|---|---|---|',
    '| `latenessMs` | 1000 | a trade received later than its second’s end + this is counted in late_trades and left out |',
    '| `imbalanceRatio` | 3 | diagonal ratio that makes a footprint bucket imbalanced |',
    '| `stackMin` | 3 | adjacent imbalanced buckets that make a stack |',
    '| `wallMultiple` | 5 | a level at least this many times its side’s median level size is a wall |',
    '| `zWindowS` | 300 | seconds of history behind the z-scores and the absorption means |',
    `| open seconds | ${MAX_OPEN_SECONDS} | seconds buffered ahead at most; inputs opening another are dropped and counted |`,
    '',
    'Sources: absorption follows Wyckoff’s law of effort vs result, measured against the linear price impact of',
    'order-flow imbalance (Kyle 1985, “Continuous Auctions and Insider Trading”; Cont, Kukanov & Stoikov 2014, “The',
    'Price Impact of Order Book Events”). The cascade intensity is an exponentially decaying, self-exciting',
    'liquidation flow (Hawkes 1971; Bacry, Mastromatteo & Muzy 2015, “Hawkes Processes in Finance”) relative to',
    'the turnover decayed alike. Footprint imbalances are diagonal as in footprint (order-flow) charting: buying',
    'that lifted the offer at one price against selling that hit the bid one bucket below.',
  );
  return lines.join('\n') + '\n';
}

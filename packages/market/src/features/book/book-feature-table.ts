import type { BookFeatures } from '@pricelevel/contracts';

/** The numeric features of a BookFeatures message (everything but its identity, ts and flag). */
export type BookFeatureName = Exclude<keyof BookFeatures, 'exchange' | 'market' | 'symbol' | 'ts' | 'resyncing'>;

export interface BookFeatureRow {
  name: BookFeatureName;
  formula: string;
  unit: string;
}

// Notation: levels i = 0 … n−1 per side, best first (at most 100); p_i, size_i a level's price and size;
// x_{t−k} the value k seconds before t. A value that is not defined is NaN.
const W = 'w_i = 1/(i+1) × (1 − |p_i − mid| / mid)';
const vol = (change: string) => `population std of the 30 values of ${change} at t−29 s … t`;

/** Every book feature in proto field order: the single source of the README table. */
export const BOOK_FEATURE_TABLE: readonly BookFeatureRow[] = [
  { name: 'bidLevels', formula: 'number of bid levels in the snapshot (≤ 100)', unit: 'levels' },
  { name: 'askLevels', formula: 'number of ask levels in the snapshot (≤ 100)', unit: 'levels' },
  { name: 'midPrice', formula: '(best bid + best ask) / 2; NaN if a side is empty', unit: 'quote' },
  { name: 'spread', formula: 'best ask − best bid', unit: 'quote' },
  { name: 'spreadPct', formula: 'spread / mid × 100', unit: '%' },
  { name: 'buyPressure', formula: `Σ_bids size_i × w_i, ${W}`, unit: 'base' },
  { name: 'sellPressure', formula: 'Σ_asks size_i × w_i', unit: 'base' },
  { name: 'netPressure', formula: 'buy_pressure − sell_pressure', unit: 'base' },
  { name: 'pressureRatio', formula: 'buy_pressure / sell_pressure; NaN if sell_pressure = 0', unit: 'ratio' },
  { name: 'totalPressure', formula: 'buy_pressure + sell_pressure', unit: 'base' },
  { name: 'bidVolume', formula: 'Σ_bids size_i (0 for an empty side)', unit: 'base' },
  { name: 'askVolume', formula: 'Σ_asks size_i (0 for an empty side)', unit: 'base' },
  { name: 'volumeImbalance', formula: '(bid_volume − ask_volume) / (bid_volume + ask_volume)', unit: 'ratio in [−1, 1]' },
  { name: 'bidPriceMean', formula: 'mean of the bid prices', unit: 'quote' },
  { name: 'bidPriceStd', formula: 'population std of the bid prices', unit: 'quote' },
  { name: 'askPriceMean', formula: 'mean of the ask prices', unit: 'quote' },
  { name: 'askPriceStd', formula: 'population std of the ask prices', unit: 'quote' },
  { name: 'bidSizeMean', formula: 'mean of the bid sizes', unit: 'base' },
  { name: 'bidSizeStd', formula: 'population std of the bid sizes', unit: 'base' },
  { name: 'askSizeMean', formula: 'mean of the ask sizes', unit: 'base' },
  { name: 'askSizeStd', formula: 'population std of the ask sizes', unit: 'base' },
  { name: 'bidTop10Concentration', formula: 'Σ sizes of the best 10 bids / bid_volume', unit: 'fraction' },
  { name: 'askTop10Concentration', formula: 'Σ sizes of the best 10 asks / ask_volume', unit: 'fraction' },
  { name: 'priceChange1s', formula: '(mid_t / mid_{t−1 s} − 1) × 100; NaN if the snapshot at t−1 s is missing', unit: '%' },
  { name: 'priceChange5s', formula: '(mid_t / mid_{t−5 s} − 1) × 100', unit: '%' },
  { name: 'priceChange30s', formula: '(mid_t / mid_{t−30 s} − 1) × 100', unit: '%' },
  { name: 'priceVolatility30s', formula: `${vol('price_change_1s')}; NaN unless every second t−30 s … t is present`, unit: '%' },
  { name: 'spreadChange1s', formula: 'spread_pct_t − spread_pct_{t−1 s}', unit: 'percentage points' },
  { name: 'spreadChange5s', formula: 'spread_pct_t − spread_pct_{t−5 s}', unit: 'percentage points' },
  { name: 'spreadVolatility30s', formula: vol('spread_change_1s'), unit: 'percentage points' },
  { name: 'imbalanceChange1s', formula: 'volume_imbalance_t − volume_imbalance_{t−1 s}', unit: 'ratio' },
  { name: 'imbalanceChange5s', formula: 'volume_imbalance_t − volume_imbalance_{t−5 s}', unit: 'ratio' },
  { name: 'imbalanceVolatility30s', formula: vol('imbalance_change_1s'), unit: 'ratio' },
  { name: 'buyPressureChange1s', formula: 'buy_pressure_t − buy_pressure_{t−1 s}', unit: 'base' },
  { name: 'sellPressureChange1s', formula: 'sell_pressure_t − sell_pressure_{t−1 s}', unit: 'base' },
  { name: 'netPressureChange1s', formula: 'net_pressure_t − net_pressure_{t−1 s}', unit: 'base' },
  { name: 'buyPressureVolatility30s', formula: vol('buy_pressure_change_1s'), unit: 'base' },
  { name: 'sellPressureVolatility30s', formula: vol('sell_pressure_change_1s'), unit: 'base' },
  { name: 'netPressureVolatility30s', formula: vol('net_pressure_change_1s'), unit: 'base' },
];

/**
 * The proto field name of a feature. ts-proto camel-cases `price_change_1s` to `priceChange1s` but
 * `bid_top10_concentration` to `bidTop10Concentration`: a number followed by a lowercase unit (1s, 30s)
 * is its own word, a number followed by the next word (Top10Concentration) belongs to the word before.
 */
export function bookFeatureProtoName(name: BookFeatureName): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/([a-z])(\d+[a-z])/g, '$1_$2');
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The feature table as markdown (feature, formula, unit), as it stands in the README. */
export function bookFeatureTableMarkdown(): string {
  const lines = ['| feature | formula | unit |', '|---|---|---|'];
  for (const r of BOOK_FEATURE_TABLE) lines.push(`| \`${bookFeatureProtoName(r.name)}\` | ${cell(r.formula)} | ${r.unit} |`);
  return lines.join('\n') + '\n';
}

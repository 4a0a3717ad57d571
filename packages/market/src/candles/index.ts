export { CandleBuilder } from './candle-builder.js';
export { CandleBuilders } from './candle-builders.js';
export { buildCandlesFromTrades, rollUp } from './reference-candles.js';
export {
  MINUTE_MS,
  ROLLUP_INTERVALS,
  type CandleSink,
  type CandleSettings,
  type CandleBuilderOptions,
  type CandleBuilderStats,
  type InstrumentId,
} from './candle-options.js';

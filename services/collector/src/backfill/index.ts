export { parseTimeArg } from './time-arg.js';
export {
  KlinePager, BackfillPagingError, planRange,
  type PagingMode, type PageRequest, type KlinePagerOptions, type PagingProblem, type UnreachableRange,
} from './kline-pager.js';
export { exchangeCandle, type KlineSource, type KlineFields } from './kline-source.js';
export { BinanceKlineSource, parseBinanceKlines, BINANCE_KLINE_LIMIT } from './binance-klines.js';
export { BybitKlineSource, bybitCandles, BYBIT_KLINE_LIMIT, BYBIT_INTERVALS } from './bybit-klines.js';
export { BingxKlineSource, bingxCandles, BINGX_KLINE_LIMIT } from './bingx-klines.js';
export { HtxKlineSource, HTX_INTERVAL_PERIODS } from './htx-klines.js';
export { klineSourceFor, withPacing, DEFAULT_MIN_GAP_MS, type KlineRestUrls, type KlineSourceDeps } from './kline-sources.js';
export { isRetryable, withRetry, RequestPacer, type RetryOptions } from './retry.js';
export { renderProgressLine, terminalProgress, logProgress, progressFor, type ProgressEvent, type ProgressSink } from './progress.js';
export {
  backfillSeries, type BackfillSeries, type BackfillDeps, type BackfillResult, type BackfillStore,
} from './backfill-runner.js';
export { runBackfillJobs, type BackfillJob, type BackfillOutcome } from './backfill-jobs.js';
export { backfillOnStart, type BackfillOnStartOptions, type BackfillHandle } from './backfill-on-start.js';

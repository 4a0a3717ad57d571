export * from './exchanges/exchange-adapter.js';
export { backoffDelay, DEFAULT_BACKOFF } from './exchanges/backoff.js';
export { BatchingPublisher } from './exchanges/batching-publisher.js';
export { Counters } from './exchanges/counters.js';
export { BinanceAdapter, type BinanceAdapterOptions } from './exchanges/binance/binance-adapter.js';
export {
  BinanceParser, parseDepthSnapshot, parseOpenInterest, parseLevels,
  type BinanceEvent, type DepthDiff, type DepthSnapshot, type ParseError, type ParseErrorReason,
} from './exchanges/binance/parsers.js';
export {
  BinanceBookSync, type BookSyncOptions, type BookSyncSink, type BookSyncCounters, type BookVariant, type SyncState,
} from './exchanges/binance/book-sync.js';
export { BinanceRestClient, BinanceRestError, depthWeight, type BinanceRestOptions } from './exchanges/binance/binance-rest.js';
export {
  BinanceWsConnection, MAX_STREAMS_PER_CONNECTION, SPOT_MAX_MESSAGES_PER_SECOND, PERP_MAX_MESSAGES_PER_SECOND,
  type BinanceWsOptions, type SubscribeMode,
} from './exchanges/binance/binance-ws.js';
export { OpenInterestPoller, type OpenInterestPollerOptions } from './exchanges/binance/open-interest-poller.js';
export {
  WeightLimiter, AbortedError, sleep, SPOT_WEIGHT_PER_MINUTE, PERP_WEIGHT_PER_MINUTE, type WeightLimiterOptions, type HeaderSource,
} from './exchanges/binance/weight-limiter.js';
export { BINANCE, normalizeSymbol, normalizeSymbols, streamsFor } from './exchanges/binance/symbols.js';
export { Collector } from './collector.js';
export { CollectorModule } from './collector.module.js';
export { adaptersFromConfig } from './adapters-from-config.js';

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
export * from './exchanges/bingx/index.js';
export * from './exchanges/bybit/index.js';
export { HtxAdapter, type HtxAdapterOptions } from './exchanges/htx/htx-adapter.js';
export {
  HtxParser, gunzipFrame, parseHtxLevels, parseRestDepth, parseRestKlines, parseRestTrades,
  type HtxEvent, type MbpIncremental, type MbpRefresh, type HtxDepth, type HtxBbo,
  type ParseError as HtxParseError, type ParseErrorReason as HtxParseErrorReason,
} from './exchanges/htx/parsers.js';
export { HtxBookSync, type MbpSyncSink, type MbpSyncCounters, type MbpSyncOptions, type MbpSyncState } from './exchanges/htx/mbp-sync.js';
export { HtxWsConnection, MIN_REQUEST_GAP_MS, DEFAULT_TOPICS_PER_SUB, type HtxWsOptions } from './exchanges/htx/htx-ws.js';
export { HtxRestClient, HtxRestError, klineSizeSince, type HtxRestOptions } from './exchanges/htx/htx-rest.js';
export { exactIds } from './exchanges/htx/exact-ids.js';
export { HTX_PERIODS, MAX_KLINE_SIZE } from './exchanges/htx/periods.js';
export { HTX, MBP_LEVELS, normalizeHtxSymbol, normalizeHtxSymbols, nativeSymbol, tradeTopic, klineTopic, mbpTopic } from './exchanges/htx/symbols.js';
export * from './backfill/index.js';
export {
  RecentIds, SequentialTradeIds, sequentialId, gapSize, nextIdPage, latestCountReaching, tradesAfter,
  type TradeIdGap, type LiveVerdict,
} from './exchanges/trade-continuity.js';
export { TradeGapFiller, type TradeGapFillerOptions, type GapFetcher } from './exchanges/trade-gap-filler.js';
export {
  aggTradesGapFetcher, parseRestAggTrade, aggTradesWeight, AGG_TRADES_MAX_LIMIT, type AggTradesFetcherOptions,
} from './exchanges/binance/trade-gap-filler.js';
export { htxTradesGapFetcher, HTX_MAX_TRADE_GROUPS } from './exchanges/htx/trade-gap-filler.js';

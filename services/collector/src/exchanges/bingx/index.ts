// Every name is BingX-specific: the collector's public entry re-exports this file with `export *`.
export { BingxAdapter, type BingxAdapterOptions } from './bingx-adapter.js';
export {
  BingxParser, BingxRestError, parseBingxLevels,
  gunzipFrame as gunzipBingxFrame,
  restData as bingxRestData,
  parseRestDepth as parseBingxRestDepth,
  parseRestKlines as parseBingxRestKlines,
  parseRestOpenInterest as parseBingxRestOpenInterest,
  parseRestPremiumIndex as parseBingxRestPremiumIndex,
  parseRestTrades as parseBingxRestTrades,
  type BingxEvent, type BingxParseError, type BingxParseErrorReason, type BingxKline, type BingxDepthSnapshot,
  type IncrDepth as BingxIncrDepth, type PartialBook as BingxPartialBook, type BookTop as BingxBookTop, type Ticker24h as BingxTicker24h,
} from './parsers.js';
export { BingxBookSync, type BingxBookSyncSink, type BingxBookSyncCounters, type BingxSyncState } from './book-sync.js';
export { BingxWsConnection, BINGX_MAX_TOPICS_PER_CONNECTION, BINGX_DEFAULT_MESSAGES_PER_SECOND, type BingxWsOptions } from './bingx-ws.js';
export { BingxRestClient, BINGX_DEPTH_LIMITS, BINGX_MAX_KLINES, BINGX_MAX_TRADES, type BingxRestOptions } from './bingx-rest.js';
export { BINGX, bingxSymbol, bingxSymbols, bingxTopicsFor, type BingxSymbol } from './symbols.js';

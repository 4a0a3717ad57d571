export { BybitAdapter, type BybitAdapterOptions } from './bybit-adapter.js';
export { BybitParser, parseBybitLevels, type BybitEvent, type BookMessage, type TickerMessage, type ParseError as BybitParseError } from './parsers.js';
export { BybitBookSync, type BybitBookSyncSink, type BybitBookSyncCounters, type BybitSyncState } from './book-sync.js';
export { TickerMerger } from './ticker-merge.js';
export { BybitWsConnection, groupTopics, subscribeRequests, MAX_ARGS_PER_REQUEST, MAX_ARGS_CHARS_PER_CONNECTION as BYBIT_MAX_ARGS_CHARS, DEFAULT_PING_INTERVAL_MS, type BybitWsOptions } from './bybit-ws.js';
export {
  BybitRestClient, BybitRestError, parseBybitOrderbook, parseBybitKlines, parseBybitOpenInterest, parseBybitRecentTrades,
  type BybitRestOptions, type BybitOrderbookSnapshot, type BybitKline,
} from './bybit-rest.js';
export { BYBIT, bybitInstrument, bybitInstruments, bybitTopics, type BybitInstrument, type BookDepth } from './symbols.js';

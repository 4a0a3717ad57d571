export { BybitSim, BYBIT_DEPTHS, type BybitSimOptions, type BybitSimUrls, type BybitBookView, type BybitSimTrade, type BybitSimStats } from './bybit-sim.js';
export { BybitReplay, defaultBybitReplayFiles, type BybitReplayOptions } from './replay.js';
export { BYBIT_FAULT_KINDS, type BybitFault, type BybitFaultKind, type BybitAppliedFault } from './faults.js';
export { BYBIT_KLINE_INTERVALS, bybitKline, queryBybitKlines, bucketStart, nextBucket, type BybitInterval, type BybitKlineRow, type BybitKlineQuery } from './klines.js';
export { bybitSpec, trimZeros, fmtPrice as bybitPrice, fmtQty as bybitQty } from './spec.js';
export { SPOT_MAX_ARGS_PER_REQUEST, MAX_ARGS_CHARS_PER_CONNECTION, type BybitWsStats } from './ws-server.js';

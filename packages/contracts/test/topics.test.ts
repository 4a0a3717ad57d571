import { describe, expect, it } from 'vitest';
import { Side, TOPIC_NAMES, decodeMessage, encodeMessage, instrumentKey, isTopicName } from '../src/index.js';

describe('topic map', () => {
  it('round-trips a trade through its protobuf codec', () => {
    const t = {
      exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', tradeId: '9007199254740993',
      price: 43123.45, size: 0.00123, side: Side.SIDE_BUY, exchangeTs: 1_700_000_000_123, receivedTs: 1_700_000_000_130, tradeCount: 3,
    };
    expect(decodeMessage('md.trade.v1', encodeMessage('md.trade.v1', t))).toEqual(t);
  });

  it('carries ledger minutes on md.quality.minute.v1, absent quantiles staying absent', () => {
    const m = {
      exchange: 'htx', market: 'spot', symbol: 'ETHUSDT', windowStart: 1_700_000_040_000, messages: 3, trades: 1, bookUpdates: 1, tickers: 1,
      sequenceGaps: 1, resyncs: 1, reconnects: 0, staleEvents: 0, staleSeconds: 57, latencySamples: 2, latencyP50Ms: 4.98, latencyP99Ms: 120.3,
      latencyBucketMs: [4.98, 120.3], latencyBucketCount: [1, 1], minutes: 1, closedAt: 1_700_000_102_000,
    };
    expect(decodeMessage('md.quality.minute.v1', encodeMessage('md.quality.minute.v1', m))).toEqual(m);
    const empty = { ...m, latencySamples: 0, latencyP50Ms: undefined, latencyP99Ms: undefined, latencyBucketMs: [], latencyBucketCount: [] };
    expect(decodeMessage('md.quality.minute.v1', encodeMessage('md.quality.minute.v1', empty))).toEqual(empty);
  });

  it('names every topic with a version suffix', () => {
    expect(TOPIC_NAMES).toContain('agg.candle.v1');
    for (const t of TOPIC_NAMES) expect(t).toMatch(/\.v\d+$/);
    expect(isTopicName('md.nope.v1')).toBe(false);
  });

  it('keys by exchange:market:symbol', () => {
    expect(instrumentKey({ exchange: 'binance', market: 'perp', symbol: 'BTCUSDT' })).toBe('binance:perp:BTCUSDT');
  });
});

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

  it('names every topic with a version suffix', () => {
    expect(TOPIC_NAMES).toContain('agg.candle.v1');
    for (const t of TOPIC_NAMES) expect(t).toMatch(/\.v\d+$/);
    expect(isTopicName('md.nope.v1')).toBe(false);
  });

  it('keys by exchange:market:symbol', () => {
    expect(instrumentKey({ exchange: 'binance', market: 'perp', symbol: 'BTCUSDT' })).toBe('binance:perp:BTCUSDT');
  });
});

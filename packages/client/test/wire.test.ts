import { describe, expect, it } from 'vitest';
import { backoffDelay, channels, DEFAULT_BACKOFF, parseChannelName, parseServerMessage, PricelevelError, statusName } from '../src/index.js';

describe('channel builders', () => {
  it('name every channel kind as the gateway expects', () => {
    expect(channels.candles('binance', 'spot', 'BTCUSDT', '1m')).toEqual({ kind: 'candles', name: 'candles:binance:spot:BTCUSDT:1m' });
    expect(channels.features('bybit', 'perp', 'ETHUSDT').name).toBe('features:bybit:perp:ETHUSDT');
    expect(channels.flow('binance', 'spot', 'BTCUSDT', '1s').name).toBe('flow:binance:spot:BTCUSDT:1s');
    expect(channels.levels('binance', 'spot', 'BTCUSDT').name).toBe('levels:binance:spot:BTCUSDT');
    expect(channels.quality('binance', 'spot', 'BTCUSDT').name).toBe('quality:binance:spot:BTCUSDT');
    expect(channels.trades('htx', 'spot', 'BTCUSDT')).toEqual({ kind: 'trades', name: 'trades:htx:spot:BTCUSDT' });
  });

  it('refuse parts that would change the channel name, and parse names back', () => {
    expect(() => channels.levels('binance', 'spot', 'BTC:USDT')).toThrow(/without ":"/);
    expect(() => channels.candles('binance', 'spot', 'BTCUSDT', '')).toThrow(/non-empty/);
    expect(parseChannelName('flow:binance:spot:BTCUSDT:1m')).toEqual({ kind: 'flow', name: 'flow:binance:spot:BTCUSDT:1m' });
    expect(parseChannelName('levels:binance:spot')).toBeUndefined();
    expect(parseChannelName('trades:binance:spot:BTCUSDT')).toEqual({ kind: 'trades', name: 'trades:binance:spot:BTCUSDT' });
    expect(parseChannelName('book:binance:spot:BTCUSDT')).toBeUndefined();
  });
});

describe('parseServerMessage', () => {
  it('reads every server message type, marking snapshots', () => {
    expect(parseServerMessage('{"type":"subscribed","channel":"c","epoch":"e","seq":0}')).toEqual({ type: 'subscribed', channel: 'c', epoch: 'e', seq: 0 });
    expect(parseServerMessage('{"type":"gap","channel":"c","from":3,"to":9}')).toEqual({ type: 'gap', channel: 'c', from: 3, to: 9 });
    expect(parseServerMessage('{"type":"pong"}')).toEqual({ type: 'pong' });
    expect(parseServerMessage('{"type":"error","message":"m"}')).toEqual({ type: 'error', message: 'm' });
    expect(parseServerMessage('{"type":"candle","channel":"c","seq":4,"data":{"close":1}}')).toEqual({
      type: 'candle', channel: 'c', seq: 4, snapshot: false, data: { close: 1 },
    });
    expect(parseServerMessage('{"type":"levels","channel":"c","seq":4,"snapshot":true,"data":{}}')).toMatchObject({ snapshot: true });
  });

  it('refuses what is not a message it knows', () => {
    for (const text of ['nope', '[]', 'null', '{"type":"candle","channel":"c","seq":-1,"data":{}}', '{"type":"candle","channel":"c","seq":1}',
      '{"type":"subscribed","channel":"c","seq":1}', '{"type":"book","channel":"c","seq":1,"data":{}}']) {
      expect(parseServerMessage(text), text).toBeUndefined();
    }
  });
});

describe('backoffDelay', () => {
  it('grows by the factor up to the bound, less a random share', () => {
    const o = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, o, 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(1, o, 0.999)).toBe(100);
    expect(backoffDelay(0, DEFAULT_BACKOFF, 0)).toBe(DEFAULT_BACKOFF.initialDelayMs);
  });
});

describe('PricelevelError', () => {
  it('carries the status by name and number', () => {
    const e = new PricelevelError('NOT_FOUND', 'binance:spot:SOLUSDT is not collected');
    expect([e.code, e.status, e.message, e instanceof Error]).toEqual(['NOT_FOUND', 5, 'NOT_FOUND: binance:spot:SOLUSDT is not collected', true]);
    expect([statusName(16), statusName(99)]).toEqual(['UNAUTHENTICATED', 'UNKNOWN']);
  });
});

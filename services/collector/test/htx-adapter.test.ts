import { MemoryBus, silentLogger, systemClock } from '@pricelevel/platform';
import { describe, expect, it } from 'vitest';
import { HtxAdapter } from '../src/exchanges/htx/htx-adapter.js';
import { klineSizeSince } from '../src/exchanges/htx/htx-rest.js';
import { HtxWsConnection } from '../src/exchanges/htx/htx-ws.js';
import { normalizeHtxSymbol } from '../src/exchanges/htx/symbols.js';

const base = { bus: new MemoryBus(), clock: systemClock, logger: silentLogger, urls: { wsUrl: 'wss://api.huobi.pro', restUrl: 'https://api.huobi.pro' } };

describe('HtxAdapter configuration', () => {
  it('is spot only, checks its URLs and normalizes symbols while keeping the native name', () => {
    expect(() => new HtxAdapter({ ...base, symbols: ['BTCUSDT'], market: 'perp' })).toThrow(/spot market only/);
    expect(() => new HtxAdapter({ ...base, symbols: ['BTCUSDT'], market: 'spot', urls: { wsUrl: 'api.huobi.pro', restUrl: 'https://api.huobi.pro' } })).toThrow(/wsUrl/);
    expect(() => new HtxAdapter({ ...base, symbols: [], market: 'spot' })).toThrow(/at least one symbol/);
    expect(() => new HtxAdapter({ ...base, symbols: ['btc usdt'], market: 'spot' })).toThrow(/invalid HTX symbol/);
    const a = new HtxAdapter({ ...base, symbols: ['btcusdt', 'ETH-USDT', 'BTCUSDT'], market: 'spot' });
    expect(a.symbols).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(a.nativeSymbol('btc/usdt')).toBe('btcusdt');
    expect(a.book('XRPUSDT')).toBeUndefined();
    expect(a.stats()).toMatchObject({ exchange: 'htx', market: 'spot', connected: false, books: { BTCUSDT: { synced: false, epoch: 1 } } });
    expect(normalizeHtxSymbol(' eth_usdt ')).toBe('ETHUSDT');
  });

  it('batches SUB topics per frame as configured, one topic per frame by default', () => {
    const make = (topicsPerSub?: number) =>
      new HtxWsConnection({ url: 'ws://x/ws', topics: ['a', 'b', 'c'], clock: systemClock, logger: silentLogger, onFrame() {}, onOpen() {}, onClose() {}, ...(topicsPerSub ? { topicsPerSub } : {}) });
    expect(make().subscribeFrames()).toEqual(['{"sub":"a","id":"s1"}', '{"sub":"b","id":"s2"}', '{"sub":"c","id":"s3"}']);
    expect(make(2).subscribeFrames()).toEqual(['{"sub":["a","b"],"id":"s1"}', '{"sub":["c"],"id":"s2"}']);
  });

  it('kline backfill asks for just enough candles to reach back, never more than 2000', () => {
    const now = Date.UTC(2026, 0, 5, 10, 30, 15);
    expect(klineSizeSince(now - 5 * 60_000, now, '1min')).toBe(6);
    expect(klineSizeSince(now, now, '1min')).toBe(1);
    expect(klineSizeSince(now - 30 * 86_400_000, now, '1min')).toBe(2000);
    expect(() => klineSizeSince(0, now, '2min')).toThrow(/unknown HTX period/);
  });
});

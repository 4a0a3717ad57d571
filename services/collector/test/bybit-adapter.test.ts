import { Completeness, Side } from '@pricelevel/contracts';
import { BybitSim } from '@pricelevel/exchange-sim';
import { silentLogger, systemClock } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { BybitAdapter } from '../src/exchanges/bybit/bybit-adapter.js';
import { BybitRestClient, BybitRestError } from '../src/exchanges/bybit/bybit-rest.js';
import { waitFor } from './helpers/fake-binance.js';
import { RecordingBus } from './helpers/recording-bus.js';

let sim: BybitSim | undefined;
let adapter: BybitAdapter | undefined;
afterEach(async () => {
  await adapter?.stop();
  await sim?.close();
  adapter = undefined;
  sim = undefined;
});

describe('BybitAdapter publishing (against BybitSim)', () => {
  it('trades, merged tickers and liquidations go to their topics keyed by instrument, exactly as sent', async () => {
    sim = await BybitSim.start({ seed: 21, symbols: ['BTCUSDT'], markets: ['perp'], tickMs: 50, liquidationsPerSecond: 4 });
    const bus = new RecordingBus();
    adapter = new BybitAdapter({ symbols: ['btc-usdt'], market: 'perp', urls: { wsUrl: sim.urls.linearWs, restUrl: sim.urls.rest }, bus, clock: systemClock, logger: silentLogger });
    await adapter.start();
    await waitFor(() => bus.of('md.liquidation.v1').length > 0 && bus.of('md.ticker.v1').length > 2 && bus.of('md.trade.v1').length > 20, 'data flowing');
    sim.pause();
    await new Promise((r) => setTimeout(r, 100));
    await adapter.flush();

    const trades = bus.of('md.trade.v1');
    expect(new Set(trades.map((t) => t.key))).toEqual(new Set(['bybit:perp:BTCUSDT']));
    const sent = new Map(sim.trades('perp', 'BTCUSDT').map((t) => [t.id, t]));
    for (const { value: t } of trades) {
      const s = sent.get(t.tradeId)!;
      expect(s, t.tradeId).toBeDefined();
      expect([t.price, t.size, t.side, t.exchangeTs]).toEqual([s.price, s.size, s.side === 'Buy' ? Side.SIDE_BUY : Side.SIDE_SELL, s.time]);
    }
    const tickers = bus.of('md.ticker.v1').map((t) => t.value);
    // Deltas are merged: every published ticker carries the full state.
    for (const t of tickers) {
      expect(t).toMatchObject({ exchange: 'bybit', market: 'perp', symbol: 'BTCUSDT' });
      for (const k of ['markPrice', 'indexPrice', 'fundingRate', 'nextFundingTs', 'openInterest', 'openInterestValue'] as const) expect(t[k], k).toBeTypeOf('number');
    }
    const liq = bus.of('md.liquidation.v1')[0]!.value;
    expect(liq).toMatchObject({ exchange: 'bybit', symbol: 'BTCUSDT', completeness: Completeness.COMPLETENESS_FULL });
    expect(adapter.stats()).toMatchObject({ exchange: 'bybit', market: 'perp', connected: true, books: { BTCUSDT: { synced: true } } });
    expect(adapter.stats().counters['acks']).toBe(1);
    expect(adapter.book('BTC/USDT')?.synced).toBe(true);
    expect(adapter.book('ETHUSDT')).toBeUndefined();
  });

  it('a rejected subscription is counted and logged, not fatal', async () => {
    sim = await BybitSim.start({ seed: 22, symbols: ['BTCUSDT'], markets: ['spot'], tickMs: 50 });
    const bus = new RecordingBus();
    adapter = new BybitAdapter({ symbols: ['DOGEUSDT'], market: 'spot', urls: { wsUrl: sim.urls.spotWs, restUrl: sim.urls.rest }, bus, clock: systemClock, logger: silentLogger });
    await adapter.start();
    await waitFor(() => (adapter!.stats().counters['venueErrors'] ?? 0) === 1, 'rejection counted');
    expect(adapter.stats().connected).toBe(true);
  });

  it('rejects bad configuration loudly', () => {
    const base = { bus: new RecordingBus(), clock: systemClock, logger: silentLogger, urls: { wsUrl: 'ws://127.0.0.1:1/v5/public/spot', restUrl: 'http://127.0.0.1:1' } };
    expect(() => new BybitAdapter({ ...base, symbols: [], market: 'spot' })).toThrow(/at least one symbol/);
    expect(() => new BybitAdapter({ ...base, symbols: ['BTCUSDT'], market: 'option' as never })).toThrow(/unknown Bybit market/);
    expect(() => new BybitAdapter({ ...base, symbols: ['BTCUSDT'], market: 'spot', depth: 25 as never })).toThrow(/depth/);
    expect(() => new BybitAdapter({ ...base, symbols: ['BTCUSDT'], market: 'spot', urls: { wsUrl: 'nope', restUrl: '' } })).toThrow(/absolute URL/);
  });
});

describe('BybitRestClient (against BybitSim)', () => {
  it('reads orderbook, klines, open interest and recent trades; retCode errors throw BybitRestError', async () => {
    sim = await BybitSim.start({ seed: 23, symbols: ['BTCUSDT'], markets: ['perp'], autoTick: false });
    sim.tick(30);
    const rest = new BybitRestClient({ restUrl: sim.urls.rest, market: 'perp', clock: systemClock });
    const ob = await rest.orderbook('BTCUSDT', 10);
    const full = sim.book('perp', 'BTCUSDT');
    expect(ob.bids.map((l) => [l.price, l.size])).toEqual(full.bids.slice(0, 10));
    expect(ob.asks.map((l) => [l.price, l.size])).toEqual(full.asks.slice(0, 10));
    const k = await rest.klines('BTCUSDT', '1');
    expect(k.length).toBeGreaterThan(0);
    const oi = await rest.openInterest('BTCUSDT', 'BTCUSDT');
    expect(oi[0]).toMatchObject({ exchange: 'bybit', symbol: 'BTCUSDT', openInterest: expect.any(Number) });
    const trades = await rest.recentTrades('BTCUSDT', 'BTCUSDT', 5);
    expect(trades.map((t) => t.tradeId)).toEqual(sim.trades('perp', 'BTCUSDT').slice(-5).map((t) => t.id));
    await expect(rest.orderbook('NOPE', 10)).rejects.toBeInstanceOf(BybitRestError);
    await expect(rest.klines('BTCUSDT', '2')).rejects.toMatchObject({ retCode: 10001 });
  });
});

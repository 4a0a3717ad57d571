/* eslint-disable @typescript-eslint/no-explicit-any -- frames parsed off the wire are checked field by field */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceSimulator } from '../src/index.js';
import { TestClock, connect, readJson, readJsonl, shape, type Collector } from './helpers.js';

/** Fixed-decimal pattern of a decimal string: digits after the point. */
const decimals = (s: string) => (s.includes('.') ? s.split('.')[1]!.length : 0);

describe('payload formats match the real captured frames', () => {
  let sim: BinanceSimulator;
  let spot: Collector;
  let perp: Collector;
  const clock = new TestClock();

  beforeAll(async () => {
    sim = await BinanceSimulator.start({
      seed: 11,
      symbols: ['BTCUSDT'],
      autoTick: false,
      clock,
      liquidationsPerSecond: 5,
    });
    spot = await connect(`${sim.urls.spotWs}/stream?streams=btcusdt@aggTrade/btcusdt@depth@100ms`);
    perp = await connect(
      `${sim.urls.perpWs}/stream?streams=btcusdt@aggTrade/btcusdt@depth@100ms/btcusdt@markPrice@1s/btcusdt@forceOrder`,
    );
    for (let i = 0; i < 40; i++) {
      clock.t += 100;
      sim.tick();
    }
    const has = (m: any[], s: string) => m.some((x) => x?.stream === s);
    await spot.waitFor((m) => has(m, 'btcusdt@aggTrade') && has(m, 'btcusdt@depth@100ms'));
    await perp.waitFor((m) =>
      ['btcusdt@aggTrade', 'btcusdt@depth@100ms', 'btcusdt@markPrice@1s', 'btcusdt@forceOrder'].every((s) =>
        has(m, s),
      ),
    );
  });
  afterAll(async () => {
    spot.ws.close();
    perp.ws.close();
    await sim.close();
  });

  const first = (c: Collector, stream: string) => c.msgs.find((m) => m?.stream === stream);

  it('spot aggTrade', () => {
    const real = readJsonl('binance/spot_ws_aggTrade.real.jsonl')[0];
    const ours = first(spot, 'btcusdt@aggTrade');
    expect(Object.keys(ours)).toEqual(['stream', 'data']);
    expect(Object.keys(ours.data)).toEqual(Object.keys(real.data));
    expect(shape(ours.data)).toEqual(shape(real.data));
    expect(decimals(ours.data.p)).toBe(decimals(real.data.p));
    expect(decimals(ours.data.q)).toBe(decimals(real.data.q));
    expect(ours.data.s).toBe('BTCUSDT');
  });

  it('USDⓈ-M aggTrade', () => {
    const real = readJsonl('binance/futures_ws_aggTrade.real.jsonl')[0];
    const ours = first(perp, 'btcusdt@aggTrade');
    expect(Object.keys(ours.data)).toEqual(Object.keys(real.data));
    expect(shape(ours.data)).toEqual(shape(real.data));
    // The real BTCUSDT USDⓈ-M frame: price 2 decimals, qty 3.
    const btc = readJsonl('binance/spot_futures_ws_aggTrade_btcusdt.real.jsonl')[1].data;
    expect(decimals(ours.data.p)).toBe(decimals(btc.p));
    expect(decimals(ours.data.q)).toBe(decimals(btc.q));
  });

  it('spot depthUpdate', () => {
    const real = readJsonl('binance/spot_ws_depthUpdate_btcusdt.real.jsonl')[0];
    const ours = spot.msgs.find(
      (m) => m?.stream === 'btcusdt@depth@100ms' && m.data.b.length && m.data.a.length,
    );
    expect(Object.keys(ours.data)).toEqual(Object.keys(real.data));
    expect(shape(ours.data)).toEqual(shape(real.data));
    expect(decimals(ours.data.b[0][0])).toBe(decimals(real.data.b[0][0]));
    expect(decimals(ours.data.b[0][1])).toBe(decimals(real.data.b[0][1]));
  });

  it('USDⓈ-M depthUpdate', () => {
    const real = readJsonl('binance/futures_ws_depthUpdate_btcusdt.real.jsonl')[0];
    const ours = perp.msgs.find(
      (m) => m?.stream === 'btcusdt@depth@100ms' && m.data.b.length && m.data.a.length,
    );
    expect(Object.keys(ours.data)).toEqual(Object.keys(real.data));
    expect(shape(ours.data)).toEqual(shape(real.data));
    expect(decimals(ours.data.b[0][0])).toBe(decimals(real.data.b[0][0]));
    expect(decimals(ours.data.a[0][1])).toBe(decimals(real.data.a[0][1]));
    expect(ours.data.T).toBeLessThanOrEqual(ours.data.E);
  });

  it('markPriceUpdate', () => {
    const real = readJsonl('binance/futures_ws_markPriceUpdate.real.jsonl')[0];
    const ours = first(perp, 'btcusdt@markPrice@1s');
    expect(Object.keys(ours.data)).toEqual(Object.keys(real.data));
    expect(shape(ours.data)).toEqual(shape(real.data));
    for (const k of ['p', 'P', 'i', 'r']) expect(decimals(ours.data[k])).toBe(decimals(real.data[k]));
    expect(ours.data.T % (8 * 3600_000)).toBe(0);
    expect(ours.data.T).toBeGreaterThan(clock.t - 1);
  });

  it('forceOrder', () => {
    const real = readJsonl('binance/futures_ws_forceOrder.real.jsonl')[1];
    const ours = first(perp, 'btcusdt@forceOrder');
    expect(Object.keys(ours.data)).toEqual(Object.keys(real.data));
    expect(Object.keys(ours.data.o)).toEqual(Object.keys(real.data.o));
    expect(shape(ours.data)).toEqual(shape(real.data));
    expect(decimals(ours.data.o.p)).toBe(decimals(real.data.o.p));
    expect(decimals(ours.data.o.q)).toBe(decimals(real.data.o.q));
  });

  it('forceOrder is pushed at most once per symbol per second of ticks', () => {
    const times = perp.msgs.filter((m) => m?.stream === 'btcusdt@forceOrder').map((m) => m.data.E as number);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(sim.stats().liquidationsGenerated).toBeGreaterThanOrEqual(sim.stats().liquidationsPushed);
  });

  it('REST depth bodies (spot and USDⓈ-M)', async () => {
    const realSpot = readJsonl('binance/spot_futures_rest_depth_snapshots.real-trimmed.jsonl')[0];
    const realPerp = readJsonl('binance/spot_futures_rest_depth_snapshots.real-trimmed.jsonl')[4];
    const s = await (await fetch(`${sim.urls.spotRest}/api/v3/depth?symbol=BTCUSDT&limit=5`)).json();
    const p = await (await fetch(`${sim.urls.perpRest}/fapi/v1/depth?symbol=BTCUSDT&limit=5`)).json();
    expect(Object.keys(s)).toEqual(Object.keys(realSpot));
    expect(shape(s)).toEqual(shape(realSpot));
    expect(Object.keys(p)).toEqual(Object.keys(realPerp));
    expect(shape(p)).toEqual(shape(realPerp));
    expect(decimals(s.bids[0][0])).toBe(decimals(realSpot.bids[0][0]));
    expect(decimals(p.asks[0][1])).toBe(decimals(realPerp.asks[0][1]));
    expect(s.bids).toHaveLength(5);
  });

  it('REST klines rows and openInterest', async () => {
    const realSpot = readJson('binance/spot_rest_klines.real.json')[0];
    const realPerp = readJson('binance/futures_rest_klines_1h.likely-real.json')[0];
    const s = await (
      await fetch(`${sim.urls.spotRest}/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1`)
    ).json();
    const p = await (
      await fetch(`${sim.urls.perpRest}/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=1`)
    ).json();
    expect(shape(s[0])).toEqual(shape(realSpot));
    expect(shape(p[0])).toEqual(shape(realPerp));
    expect(s[0].map((x: unknown) => (typeof x === 'string' ? decimals(x) : 'n'))).toEqual(
      realSpot.map((x: unknown) => (typeof x === 'string' ? decimals(x) : 'n')),
    );
    expect(p[0].map((x: unknown) => (typeof x === 'string' ? decimals(x) : 'n'))).toEqual(
      realPerp.map((x: unknown) => (typeof x === 'string' ? decimals(x) : 'n')),
    );
    const realOi = readJson('binance/futures_rest_openInterest.real.json');
    const oi = await (await fetch(`${sim.urls.perpRest}/fapi/v1/openInterest?symbol=BTCUSDT`)).json();
    expect(Object.keys(oi)).toEqual(Object.keys(realOi));
    expect(shape(oi)).toEqual(shape(realOi));
    expect(decimals(oi.openInterest)).toBe(decimals(realOi.openInterest));
  });
});

import { BingxSim } from '@pricelevel/exchange-sim';
import { ManualClock, systemClock } from '@pricelevel/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BingxRestClient } from '../src/exchanges/bingx/bingx-rest.js';
import { BingxRestError } from '../src/exchanges/bingx/parsers.js';
import { bingxSymbol } from '../src/exchanges/bingx/symbols.js';

const BTC = bingxSymbol('BTCUSDT');

describe('BingxRestClient against the BingX simulator', () => {
  let sim: BingxSim;
  let t = Date.UTC(2026, 0, 5, 10, 0, 0);
  const clock = { now: () => t };
  let rest: BingxRestClient;

  beforeAll(async () => {
    sim = await BingxSim.start({ seed: 9, symbols: ['BTCUSDT'], autoTick: false, clock, tradesPerSecond: 20 });
    for (let i = 0; i < 3000; i++) {
      t += 100; // five minutes of market
      sim.tick();
    }
    rest = new BingxRestClient({ restUrl: sim.urls.perpRest, clock: systemClock });
  });
  afterAll(() => sim.close());

  it('depth: the simulator book, best first', async () => {
    const d = await rest.depth(BTC, 50);
    const view = sim.book('perp', 'BTCUSDT');
    expect(d.bids.map((l) => [l.price, l.size])).toEqual(view.bids.slice(0, 50));
    expect(d.asks.map((l) => [l.price, l.size])).toEqual(view.asks.slice(0, 50));
    await expect(rest.depth(BTC, 7)).rejects.toThrow(/limit/);
  });

  it('trades: the latest ones, oldest first, exact', async () => {
    const got = await rest.trades(BTC, 100);
    const all = sim.trades('perp', 'BTCUSDT').slice(-100);
    expect(got.map((x) => [x.price, x.size, x.exchangeTs])).toEqual(all.map((x) => [x.price, x.qty, x.time]));
  });

  it('klinesRange pages forward until the venue has no more', async () => {
    const start = Math.floor((t - 300_000) / 60_000) * 60_000;
    const ks = await rest.klinesRange(BTC, '1m', start, t);
    expect(ks.map((k) => k.openTime)).toEqual([0, 1, 2, 3, 4, 5].map((i) => start + i * 60_000).filter((x) => x <= t));
    const one = await rest.klines(BTC, '1m', { startTime: start, limit: 2 }, undefined, 'v2');
    expect(one.map((k) => k.openTime)).toEqual([start, start + 60_000]);
  });

  it('open interest and premium index; venue error codes become BingxRestError', async () => {
    expect((await rest.openInterest(BTC)).openInterest).toBeGreaterThan(0);
    const p = await rest.premiumIndex(BTC);
    expect(p.markPrice).toBeGreaterThan(0);
    expect(p.nextFundingTs! % (8 * 3_600_000)).toBe(0);
    const err = await rest.trades(bingxSymbol('DOGEUSDT')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BingxRestError);
    expect((err as BingxRestError).code).toBe(109425);
  });

  it('an unreachable host rejects (no crash)', async () => {
    const dead = new BingxRestClient({ restUrl: 'http://127.0.0.1:1', clock: new ManualClock(0) });
    await expect(dead.premiumIndex(BTC)).rejects.toThrow();
  });
});

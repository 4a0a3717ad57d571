import { Side } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { OrderFlowEngine } from '../../src/index.js';
import { INSTRUMENT, T0, closeWith, engine, flowOf, snap, trade } from './flow-test-helpers.js';

describe('OrderFlowEngine: one second', () => {
  it('sums aggressive volume by side, delta, vwap and price change', () => {
    const e = engine();
    const [f] = closeWith(e, T0 + 1000, [
      trade(T0 + 100, 100, 1, 'buy'),
      trade(T0 + 200, 100.5, 0.5, 'sell'),
      trade(T0 + 300, 101, 2, 'buy', { tradeCount: 3 }),
      // No aggressor: in the count, vwap and price, not in either side's volume.
      trade(T0 + 400, 100.25, 0.25, 'buy', { side: Side.SIDE_UNSPECIFIED }),
    ]);
    expect(f).toMatchObject({
      ...INSTRUMENT,
      interval: '1s',
      openTime: T0,
      closeTime: T0 + 1000,
      tradeCount: 6,
      lateTrades: 0,
      buyVolume: 3,
      sellVolume: 0.5,
      delta: 2.5,
      cumulativeDelta: 2.5,
      priceChange: 0.25,
    });
    expect(f!.vwap).toBe((100 + 50.25 + 202 + 25.0625) / 3.75);
  });

  it('reports an empty second as zero volume, NaN vwap and footprint step', () => {
    const [f] = engine().closeSecond(snap(T0 + 1000));
    expect(f).toMatchObject({ tradeCount: 0, buyVolume: 0, sellVolume: 0, delta: 0, priceChange: 0, footprint: [] });
    expect(f!.vwap).toBeNaN();
    expect(f!.footprintStep).toBeNaN();
  });

  it('runs cumulative delta through the UTC day and resets it at 00:00 UTC', () => {
    const e = engine({ intervals: ['1m', '1d'] });
    const midnight = T0 + 86_400_000;
    const a = closeWith(e, midnight - 1000, [trade(midnight - 1500, 100, 1, 'buy')]);
    const b = closeWith(e, midnight, [trade(midnight - 500, 100, 3, 'buy'), trade(midnight - 400, 100, 1, 'sell')]);
    const c = closeWith(e, midnight + 1000, [trade(midnight + 10, 100, 0.5, 'sell')]);
    const d = closeWith(e, midnight + 2000, [trade(midnight + 1010, 100, 2, 'buy')]);
    expect(flowOf(a, '1s').cumulativeDelta).toBe(1);
    expect(flowOf(b, '1s').cumulativeDelta).toBe(3);
    expect(flowOf(c, '1s').cumulativeDelta).toBe(-0.5);
    expect(flowOf(d, '1s').cumulativeDelta).toBe(1.5);
    // The day's candles close with the day's total; the new day's start from zero.
    expect(flowOf(b, '1m').cumulativeDelta).toBe(3);
    expect(flowOf(b, '1d')).toMatchObject({ openTime: T0, closeTime: midnight, cumulativeDelta: 3, delta: 3 });
  });

  it('leaves out trades received after the second end + lateness and counts them', () => {
    const e = engine({ latenessMs: 1000 });
    const end = T0 + 1000;
    const [f] = closeWith(e, end, [
      trade(T0 + 100, 100, 1, 'buy', { receivedTs: end + 1000 }), // at the deadline: in
      trade(T0 + 200, 100, 2, 'buy', { receivedTs: end + 1001, tradeCount: 4 }), // after: out
      trade(T0 + 300, 100, 8, 'sell', { receivedTs: end + 5000 }),
    ]);
    expect(f).toMatchObject({ tradeCount: 1, lateTrades: 5, buyVolume: 1, sellVolume: 0 });
    expect(e.dropped).toEqual({ lateTrades: 0, lateLiquidations: 0 });
  });

  it('drops and counts trades for a closed second, a skipped second, beyond the buffer, or malformed', () => {
    const e = engine();
    e.closeSecond(snap(T0 + 1000));
    expect(e.addTrade(trade(T0 + 999, 100, 1, 'buy'))).toBe(false); // its second is closed
    expect(e.addTrade(trade(T0 + 1500, 100, 1, 'buy'))).toBe(true); // second 2, skipped below
    for (let s = 3; s <= 121; s++) expect(e.addTrade(trade(T0 + s * 1000, 100, 1, 'buy'))).toBe(true);
    expect(e.addTrade(trade(T0 + 122_000, 100, 1, 'buy'))).toBe(false); // a 121st open second
    expect(e.addTrade(trade(T0 + 121_500, 100, 1, 'buy'))).toBe(true); // an open second still takes trades
    expect(e.addTrade(trade(T0 + 3000, Number.NaN, 1, 'buy'))).toBe(false);
    expect(e.addTrade(trade(T0 + 3000, 100, -1, 'buy'))).toBe(false);
    expect(e.dropped.lateTrades).toBe(4);
    // Closing second 3 skips second 2: its trade is dropped, nothing is emitted for it.
    const [f] = e.closeSecond(snap(T0 + 4000));
    expect(f).toMatchObject({ openTime: T0 + 3000, tradeCount: 1 });
    expect(e.dropped.lateTrades).toBe(5);
  });

  it('folds a redelivered trade id once', () => {
    const e = engine();
    const t = trade(T0 + 10, 100, 1, 'buy');
    const [f] = closeWith(e, T0 + 1000, [t, { ...t }, trade(T0 + 10, 100, 1, 'buy')]);
    expect(f).toMatchObject({ tradeCount: 2, buyVolume: 2 });
  });

  it('closes seconds in strictly increasing whole-second order, for its own instrument', () => {
    const e = engine();
    e.closeSecond(snap(T0 + 2000));
    expect(() => e.closeSecond(snap(T0 + 2000))).toThrow(RangeError);
    expect(() => e.closeSecond(snap(T0 + 1000))).toThrow(RangeError);
    expect(() => e.closeSecond(snap(T0 + 3500))).toThrow(RangeError);
    expect(() => e.closeSecond({ ...snap(T0 + 3000), symbol: 'ETHUSDT' })).toThrow(RangeError);
    // A gap is fine.
    expect(e.closeSecond(snap(T0 + 60_000))).toHaveLength(1);
  });

  it('rejects bad options', () => {
    expect(() => new OrderFlowEngine({ ...INSTRUMENT, intervals: ['2m'] })).toThrow(RangeError);
    expect(() => new OrderFlowEngine({ ...INSTRUMENT, zWindowS: 10 })).toThrow(RangeError);
    expect(() => new OrderFlowEngine({ ...INSTRUMENT, stackMin: 0 })).toThrow(RangeError);
    expect(() => new OrderFlowEngine({ ...INSTRUMENT, latenessMs: -1 })).toThrow(RangeError);
    expect(() => new OrderFlowEngine({ ...INSTRUMENT, symbol: '' })).toThrow(RangeError);
  });

  it('emits the 1s flow first, then the default intervals that end at the second, shortest first', () => {
    const e = new OrderFlowEngine({ ...INSTRUMENT });
    expect(e.closeSecond(snap(T0 + 59_000)).map((f) => f.interval)).toEqual(['1s']);
    expect(e.closeSecond(snap(T0 + 60_000)).map((f) => f.interval)).toEqual(['1s', '1m']);
    const midnight = T0 + 86_400_000;
    expect(e.closeSecond(snap(midnight)).map((f) => f.interval)).toEqual(['1s', '1m', '5m', '15m', '1h', '4h', '1d']);
  });
});

import { Side, type FootprintLevel } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { T0, closeWith, engine, flowOf, snap, trade } from './flow-test-helpers.js';

/** [price, buy, sell] of a footprint, for compact expectations. */
const volumes = (levels: FootprintLevel[]) => levels.map((l) => [l.price, l.buyVolume, l.sellVolume]);

// Buckets of 0.01 around 200 (base step 10^(2 − 4)); a sell stack below 200, a buy stack above it.
//   bucket  199.97 199.98 199.99 200.00 200.01 200.02 200.03 (200.04) 200.05
//   buy        0      1      2      0      4      3      2      -        1
//   sell       4      6      7      1      1     0.5     0      -        0
const TAPE: [number, number, 'buy' | 'sell'][] = [
  [200.0, 1, 'sell'], // first trade: fixes the base step at 0.01
  [199.97, 4, 'sell'],
  [199.98, 1, 'buy'],
  [199.98, 6, 'sell'],
  [199.99, 2, 'buy'],
  [199.99, 7, 'sell'],
  [200.01, 4, 'buy'],
  [200.01, 1, 'sell'],
  [200.02, 3, 'buy'],
  [200.02, 0.5, 'sell'],
  [200.03, 2, 'buy'],
  [200.05, 1, 'buy'],
];

describe('OrderFlowEngine: footprint', () => {
  const e = engine({ intervals: ['1m'] });
  const out = closeWith(
    e,
    T0 + 60_000,
    TAPE.map(([p, q, s], i) => trade(T0 + 59_000 + i, p, q, s)),
  );
  const f = flowOf(out, '1s');

  it('buckets by the base step of the first trade price', () => {
    expect(f.footprintStep).toBe(0.01);
    expect(volumes(f.footprint)).toEqual([
      [199.97, 0, 4],
      [199.98, 1, 6],
      [199.99, 2, 7],
      [200, 0, 1],
      [200.01, 4, 1],
      [200.02, 3, 0.5],
      [200.03, 2, 0],
      [200.05, 1, 0],
    ]);
  });

  it('computes diagonal ratios and flags: buy at b against sell at b − 1, sell at b against buy at b + 1', () => {
    const by = new Map(f.footprint.map((l) => [l.price, l]));
    const level = (p: number) => by.get(p) as FootprintLevel;
    // 4 / 1 and 3 / 1: at or over the ratio 3; 2 / 0.5 = 4; 200.05 faces an empty 200.04: imbalanced, ratio 0.
    expect(level(200.01)).toMatchObject({ buyImbalanceRatio: 4, buyImbalance: true, sellImbalanceRatio: 1 / 3, sellImbalance: false });
    expect(level(200.02)).toMatchObject({ buyImbalanceRatio: 3, buyImbalance: true, sellImbalanceRatio: 0.25, sellImbalance: false });
    expect(level(200.03)).toMatchObject({ buyImbalanceRatio: 4, buyImbalance: true, sellImbalanceRatio: 0, sellImbalance: false });
    expect(level(200.05)).toMatchObject({ buyImbalanceRatio: 0, buyImbalance: true });
    // 199.97 sells 4 against 1 bought above; 199.98: 6 / 2; 199.99 faces 0 bought at 200.00.
    expect(level(199.97)).toMatchObject({ sellImbalanceRatio: 4, sellImbalance: true, buyImbalanceRatio: 0, buyImbalance: false });
    expect(level(199.98)).toMatchObject({ sellImbalanceRatio: 3, sellImbalance: true, buyImbalanceRatio: 0.25, buyImbalance: false });
    expect(level(199.99)).toMatchObject({ sellImbalanceRatio: 0, sellImbalance: true, buyImbalanceRatio: 2 / 6, buyImbalance: false });
    expect(level(200)).toMatchObject({ sellImbalanceRatio: 0.25, sellImbalance: false, buyImbalanceRatio: 0, buyImbalance: false });
  });

  it('counts runs of at least stackMin adjacent imbalanced buckets', () => {
    // Buy: 200.01–200.03 is a run of 3; 200.05 alone. Sell: 199.97–199.99.
    expect(f.stackedBuyImbalances).toBe(1);
    expect(f.stackedSellImbalances).toBe(1);
    const loose = closeWith(
      engine({ stackMin: 1 }),
      T0 + 1000,
      TAPE.map(([p, q, s], i) => trade(T0 + i, p, q, s)),
    );
    expect(flowOf(loose, '1s').stackedBuyImbalances).toBe(2);
    const strict = closeWith(
      engine({ stackMin: 2, imbalanceRatio: 3.5 }),
      T0 + 1000,
      TAPE.map(([p, q, s], i) => trade(T0 + i, p, q, s)),
    );
    // At ratio 3.5, 200.02 and 199.98 (both exactly 3) are no longer imbalanced: only single buckets remain.
    expect(flowOf(strict, '1s').stackedBuyImbalances).toBe(0);
    expect(flowOf(strict, '1s').stackedSellImbalances).toBe(0);
    expect(flowOf(strict, '1s').footprint.filter((l) => l.buyImbalance).map((l) => l.price)).toEqual([200.01, 200.03, 200.05]);
    expect(flowOf(strict, '1s').footprint.filter((l) => l.sellImbalance).map((l) => l.price)).toEqual([199.97, 199.99]);
  });

  it('re-buckets into the interval step by integer index (1m: twice the base step)', () => {
    const m = flowOf(out, '1m');
    expect(m.footprintStep).toBe(0.02);
    expect(volumes(m.footprint)).toEqual([
      [199.96, 0, 4],
      [199.98, 3, 13],
      [200, 4, 2],
      [200.02, 5, 0.5],
      [200.04, 1, 0],
    ]);
    // Recomputed on the coarse buckets: only 199.98 sells 13 against 4 bought above.
    expect(m.footprint.map((l) => [l.buyImbalance, l.sellImbalance])).toEqual([
      [false, false],
      [false, true],
      [false, false],
      [false, false],
      [false, false],
    ]);
    expect(m.footprint[1]!.sellImbalanceRatio).toBe(13 / 4);
  });

  it('indexes decimal prices exactly (1.005 × 1000 is 1004.9999999999999 in binary)', () => {
    const [g] = closeWith(engine(), T0 + 1000, [trade(T0, 1.005, 1, 'buy'), trade(T0 + 1, 1.0049, 1, 'buy')]);
    expect(g!.footprintStep).toBe(0.0001);
    expect(volumes(g!.footprint)).toEqual([
      [1.0049, 1, 0],
      [1.005, 1, 0],
    ]);
    const [h] = closeWith(engine(), T0 + 1000, [trade(T0, 65_432.1, 1, 'sell'), trade(T0 + 1, 1000, 1, 'sell')]);
    expect(h!.footprintStep).toBe(1);
    expect(volumes(h!.footprint)).toEqual([
      [1000, 0, 1],
      [65_432, 0, 1],
    ]);
    // The first trade fixes the step even without an aggressor side (it stays out of the buckets).
    const [k] = closeWith(engine(), T0 + 1000, [
      trade(T0, 1000, 1, 'buy', { side: Side.SIDE_UNSPECIFIED }),
      trade(T0 + 1, 65_432.1, 1, 'sell'),
    ]);
    expect(k!.footprintStep).toBe(0.1);
    expect(volumes(k!.footprint)).toEqual([[65_432.1, 0, 1]]);
  });

  it('uses the largest base step when the seconds of a bucket straddle a power of ten', () => {
    const g = engine({ intervals: ['1m'] });
    closeWith(g, T0 + 1000, [trade(T0, 99.9, 1, 'buy'), trade(T0 + 1, 99.95, 2, 'buy'), trade(T0 + 2, 99.999, 1, 'sell')]);
    for (let s = 2; s < 60; s++) g.closeSecond(snap(T0 + s * 1000));
    const out2 = closeWith(g, T0 + 60_000, [trade(T0 + 59_000, 100.01, 4, 'sell')]);
    const m = flowOf(out2, '1m');
    // Base steps 0.001 (99.9) and 0.01 (100.01): the 1m step is 2 × 0.01.
    expect(m.footprintStep).toBe(0.02);
    expect(volumes(m.footprint)).toEqual([
      [99.9, 1, 0],
      [99.94, 2, 0],
      [99.98, 0, 1],
      [100, 0, 4],
    ]);
  });
});

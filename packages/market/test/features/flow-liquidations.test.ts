import { Completeness, PositionSide, type OrderFlow } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { CASCADE_HALF_LIFE_S } from '../../src/index.js';
import { T0, engine, flowOf, liquidation, snap, trade } from './flow-test-helpers.js';

const sec = (s: number) => T0 + s * 1000;
const { COMPLETENESS_FULL: FULL, COMPLETENESS_SAMPLED: SAMPLED, COMPLETENESS_UNAVAILABLE: UNAVAILABLE } = Completeness;

describe('OrderFlowEngine: liquidations', () => {
  it('sums quote volume of liquidated longs and shorts', () => {
    const e = engine({ liquidationCompleteness: FULL });
    e.addLiquidation(liquidation(sec(0) + 10, 100, 2, 'sell')); // a sell order closes a long
    e.addLiquidation(liquidation(sec(0) + 20, 101, 1, 'buy'));
    // The position flag wins over the order side.
    e.addLiquidation(liquidation(sec(0) + 30, 50, 1, 'buy', { liquidatedPosition: PositionSide.POSITION_SIDE_LONG }));
    const [f] = e.closeSecond(snap(sec(1)));
    expect(f).toMatchObject({
      liquidationCompleteness: FULL,
      liquidatedLongVolume: 250,
      liquidatedShortVolume: 101,
      liquidationCount: 3,
    });
  });

  it('reports the worst of the venue’s completeness and the messages’ flags', () => {
    const e = engine({ liquidationCompleteness: FULL, intervals: ['1m'] });
    e.addLiquidation(liquidation(sec(58) + 1, 100, 1, 'sell', { completeness: SAMPLED }));
    const a = e.closeSecond(snap(sec(59)));
    const b = e.closeSecond(snap(sec(60)));
    expect(flowOf(a, '1s').liquidationCompleteness).toBe(SAMPLED);
    expect(flowOf(b, '1s')).toMatchObject({ liquidationCompleteness: FULL, liquidatedLongVolume: 0, liquidationCount: 0 });
    expect(flowOf(b, '1m')).toMatchObject({ liquidationCompleteness: SAMPLED, liquidatedLongVolume: 100, liquidationCount: 1 });
    // Without a configured completeness, the flags alone; none seen leaves it unspecified.
    const u = engine();
    expect(u.closeSecond(snap(sec(1)))[0]!.liquidationCompleteness).toBe(Completeness.COMPLETENESS_UNSPECIFIED);
    u.addLiquidation(liquidation(sec(1), 100, 1, 'sell', { completeness: FULL }));
    expect(u.closeSecond(snap(sec(2)))[0]!.liquidationCompleteness).toBe(FULL);
  });

  it('reports NaN, never zero, where the venue has no liquidation stream', () => {
    const e = engine({ liquidationCompleteness: UNAVAILABLE, intervals: ['1m'] });
    e.addTrade(trade(sec(59) + 1, 100, 1, 'buy'));
    const out = e.closeSecond(snap(sec(60)));
    for (const f of out) {
      expect(f.liquidationCompleteness).toBe(UNAVAILABLE);
      expect(f.liquidationCount).toBe(0);
      for (const k of ['liquidatedLongVolume', 'liquidatedShortVolume', 'cascadeIntensity', 'cascadeExhaustion'] as const) {
        expect(f[k], `${f.interval} ${k}`).toBeNaN();
      }
    }
    // A message that says so turns a second UNAVAILABLE too.
    const g = engine({ liquidationCompleteness: FULL });
    g.addLiquidation(liquidation(sec(0), 100, 1, 'sell', { completeness: UNAVAILABLE }));
    expect(g.closeSecond(snap(sec(1)))[0]!.liquidatedLongVolume).toBeNaN();
  });

  it('leaves out liquidations received after the deadline and drops unattributable ones, counted', () => {
    const e = engine({ liquidationCompleteness: FULL, latenessMs: 500 });
    e.addLiquidation(liquidation(sec(0) + 1, 100, 1, 'sell', { receivedTs: sec(1) + 501 }));
    expect(e.addLiquidation(liquidation(sec(0) + 1, 100, 1, 'sell', { side: 0 }))).toBe(false);
    const [f] = e.closeSecond(snap(sec(1)));
    expect(f).toMatchObject({ liquidationCount: 0, liquidatedLongVolume: 0 });
    expect(e.addLiquidation(liquidation(sec(0) + 2, 100, 1, 'sell'))).toBe(false);
    expect(e.dropped).toEqual({ lateTrades: 0, lateLiquidations: 3 });
  });

  it('measures a cascade: decayed liquidation over decayed traded notional, exhaustion from its peak', () => {
    const e = engine({ liquidationCompleteness: FULL, intervals: ['1m'] });
    const d = Math.pow(2, -1 / CASCADE_HALF_LIFE_S);
    const flows: OrderFlow[][] = [];
    const step = (s: number, traded: number, liq: number) => {
      if (traded > 0) e.addTrade(trade(sec(s - 1) + 1, 100, traded / 100, 'sell'));
      if (liq > 0) e.addLiquidation(liquidation(sec(s - 1) + 2, 100, liq / 100, 'sell'));
      flows.push(e.closeSecond(snap(sec(s))));
      return flowOf(flows[flows.length - 1]!, '1s');
    };
    const quiet = step(1, 1000, 0);
    expect(quiet.cascadeIntensity).toBe(0);
    expect(quiet.cascadeExhaustion).toBeNaN(); // no cascade yet
    const a = step(2, 1000, 500);
    const n2 = 1000 * d + 1000;
    expect(a.cascadeIntensity).toBeCloseTo(500 / n2, 12);
    expect(a.cascadeExhaustion).toBe(0);
    const b = step(3, 1000, 1000);
    const l3 = 500 * d + 1000;
    const n3 = n2 * d + 1000;
    expect(b.cascadeIntensity).toBeCloseTo(l3 / n3, 12);
    expect(b.cascadeExhaustion).toBe(0); // a new peak
    const c = step(4, 1000, 0);
    const i4 = (l3 * d) / (n3 * d + 1000);
    expect(c.cascadeIntensity).toBeCloseTo(i4, 12);
    expect(c.cascadeExhaustion).toBeCloseTo(1 - i4 / (l3 / n3), 12);
    // The cascade fades out below 5 % of its peak; after that there is no cascade to be exhausted.
    let s = 5;
    let f = step(s, 1000, 0);
    while (f.cascadeExhaustion < 0.95) f = step(++s, 1000, 0);
    expect(step(++s, 1000, 0).cascadeExhaustion).toBeNaN();
    for (s++; s <= 60; s++) step(s, 1000, 0);
    // 1m: the largest intensity of its seconds, the exhaustion of its last.
    const m = flowOf(flows[flows.length - 1]!, '1m');
    expect(m.cascadeIntensity).toBe(b.cascadeIntensity);
    expect(m.cascadeExhaustion).toBeNaN();
    expect(m.liquidatedLongVolume).toBe(1500);
  });
});

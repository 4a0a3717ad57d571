import type { OrderFlow } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { MIN_HISTORY_S, type OrderFlowEngine } from '../../src/index.js';
import { T0, engine, flowOf, snap, trade } from './flow-test-helpers.js';

const sec = (s: number) => T0 + s * 1000;

/** Closes second s (ending at sec(s)) with one trade; returns the 1s flow and all outputs. */
function second(e: OrderFlowEngine, s: number, price: number, size: number, side: 'buy' | 'sell'): [OrderFlow, OrderFlow[]] {
  if (size > 0) e.addTrade(trade(sec(s - 1) + 500, price, size, side));
  const out = e.closeSecond(snap(sec(s)));
  return [flowOf(out, '1s'), out];
}

function meanStd(xs: number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return [m, Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length)];
}

describe('OrderFlowEngine: panic', () => {
  it('z-scores the second’s absolute return and volume against the previous seconds; panic needs both', () => {
    const e = engine({ intervals: ['1m'] });
    const closes: number[] = [];
    const flows: OrderFlow[] = [];
    // Volumes 1, 3, 1, 3 …: mean 2, population std 1. Prices 100, 100.25, 100, …
    for (let s = 1; s <= 40; s++) {
      const price = s % 2 === 1 ? 100 : 100.25;
      closes.push(price);
      flows.push(second(e, s, price, s % 2 === 1 ? 1 : 3, 'buy')[0]);
    }
    // Enough history: the volume z from 30 samples (second 31), the return z one second later.
    expect(MIN_HISTORY_S).toBe(30);
    expect(flows[29]!.volumeZ).toBeNaN();
    expect(flows[30]!.volumeZ).not.toBeNaN();
    expect(flows[30]!.volatilityZ).toBeNaN();
    expect(flows[30]!.panicIndex).toBeNaN();
    expect(flows[31]!.volatilityZ).not.toBeNaN();

    const [spike] = second(e, 41, 110, 10, 'buy');
    const returns = closes.slice(1).map((p, i) => Math.abs(p / closes[i]! - 1));
    const [m, sd] = meanStd(returns);
    const vz = (Math.abs(110 / 100.25 - 1) - m) / sd;
    expect(spike.volumeZ).toBe(8);
    expect(spike.volatilityZ).toBeCloseTo(vz, 6);
    expect(spike.panicIndex).toBeCloseTo(vz * 8, 5);
    expect(spike.volatilityZ).toBeGreaterThan(50);

    // A volume spike without a price move is no panic.
    const [calm] = second(e, 42, 110, 10, 'buy');
    expect(calm.volumeZ).toBeGreaterThan(0);
    expect(calm.volatilityZ).toBeLessThan(0);
    expect(calm.panicIndex).toBe(0);

    // 1m: the largest z-scores and panic of its seconds.
    let out: OrderFlow[] = [];
    for (let s = 43; s <= 60; s++) out = second(e, s, 110, 2, 'buy')[1];
    const minute = flowOf(out, '1m');
    expect(minute.panicIndex).toBe(spike.panicIndex);
    expect(minute.volatilityZ).toBe(spike.volatilityZ);
    expect(minute.volumeZ).toBe(Math.max(spike.volumeZ, calm.volumeZ));
  });

  it('forgets history older than the window (a gap leaves too few samples)', () => {
    const e = engine({ zWindowS: 30 });
    for (let s = 1; s <= 40; s++) second(e, s, s % 2 === 1 ? 100 : 100.25, s % 2 === 1 ? 1 : 3, 'buy');
    expect(second(e, 41, 100, 1, 'buy')[0].volumeZ).not.toBeNaN();
    expect(second(e, 65, 100, 1, 'buy')[0].volumeZ).toBeNaN();
  });
});

describe('OrderFlowEngine: absorption', () => {
  /**
   * Seconds 1…n: a sell of 1 at 100 on odd seconds, a buy of 1 at 100.25 on even ones (or the mirror):
   * every push moves the price one typical move, mean abs(delta) = 1 and mean abs(move) = 0.25.
   */
  function history(n: number, intervals: string[] = [], mirror = false): OrderFlowEngine {
    const e = engine({ intervals });
    for (let s = 1; s <= n; s++) {
      const up = (s % 2 === 0) !== mirror;
      second(e, s, up ? 100.25 : 100, 1, up ? 'buy' : 'sell');
    }
    return e;
  }

  it('is positive when buying is absorbed, negative when selling is, zero when the price follows', () => {
    // After second 40 the close is 100.25 (the mirror: 100).
    expect(second(history(40), 41, 100.25, 5, 'buy')[0].absorption).toBe(5);
    expect(second(history(40, [], true), 41, 100, 5, 'sell')[0].absorption).toBe(-5);
    expect(second(history(40), 41, 101.5, 5, 'buy')[0].absorption).toBe(0); // up five typical moves
    expect(second(history(40), 41, 100.75, 5, 'buy')[0].absorption).toBe(3); // up two
    expect(second(history(40), 41, 100, 5, 'buy')[0].absorption).toBe(6); // down one while buying
    expect(second(history(40), 41, 0, 0, 'buy')[0].absorption).toBe(0); // no aggression
    expect(second(history(10), 11, 100.25, 5, 'buy')[0].absorption).toBeNaN(); // too little history
  });

  it('is recomputed from an interval’s delta and price progress', () => {
    // Seconds 1–59 net one sell; second 60 buys 5 at the close (100): the minute's delta is 4, its close 100,
    // the same as its first trade.
    const [one, out] = second(history(59, ['1m']), 60, 100, 5, 'buy');
    expect(one.absorption).toBe(5);
    expect(flowOf(out, '1m')).toMatchObject({ delta: 4, absorption: 4 });
  });
});

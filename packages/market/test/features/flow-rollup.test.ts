import { Side, type FootprintLevel, type OrderFlow, type Trade } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { T0, engine, flowOf, rng, snap, trade } from './flow-test-helpers.js';

/**
 * The trade part of a bucket's flow folded straight from its trades, written independently of the
 * engine: prices are whole cents in [100, 1000), so the base step is 0.01 and bucket b holds the prices
 * whose cents c satisfy floor(c / multiplier) = b.
 */
function directFold(trades: Trade[], multiplier: number, ratio = 3, stackMin = 3) {
  const ts = [...trades].sort((a, b) => a.exchangeTs - b.exchangeTs || a.tradeId.length - b.tradeId.length || (a.tradeId < b.tradeId ? -1 : 1));
  let buy = 0;
  let sell = 0;
  let volume = 0;
  let notional = 0;
  const cells = new Map<number, { buy: number; sell: number }>();
  for (const t of ts) {
    const b = Math.floor(Math.round(t.price * 100) / multiplier);
    const c = cells.get(b) ?? { buy: 0, sell: 0 };
    cells.set(b, c);
    if (t.side === Side.SIDE_BUY) {
      buy += t.size;
      c.buy += t.size;
    } else {
      sell += t.size;
      c.sell += t.size;
    }
    volume += t.size;
    notional += t.price * t.size;
  }
  const keys = [...cells.keys()].sort((a, b) => a - b);
  const levels: FootprintLevel[] = keys.map((b) => {
    const c = cells.get(b)!;
    const below = cells.get(b - 1)?.sell ?? 0;
    const above = cells.get(b + 1)?.buy ?? 0;
    return {
      price: (b * multiplier) / 100,
      buyVolume: c.buy,
      sellVolume: c.sell,
      buyImbalanceRatio: c.buy > 0 && below > 0 ? c.buy / below : 0,
      sellImbalanceRatio: c.sell > 0 && above > 0 ? c.sell / above : 0,
      buyImbalance: c.buy > 0 && (below === 0 || c.buy / below >= ratio),
      sellImbalance: c.sell > 0 && (above === 0 || c.sell / above >= ratio),
    };
  });
  const stacks = (flag: (l: FootprintLevel) => boolean) => {
    let runs = 0;
    let run = 0;
    keys.forEach((b, i) => {
      run = flag(levels[i]!) ? (i > 0 && keys[i - 1] === b - 1 ? run + 1 : 1) : 0;
      if (run === stackMin) runs++;
    });
    return runs;
  };
  return {
    tradeCount: ts.length,
    buyVolume: buy,
    sellVolume: sell,
    delta: buy - sell,
    priceChange: ts.length > 0 ? ts[ts.length - 1]!.price - ts[0]!.price : 0,
    vwap: notional / volume,
    footprintStep: multiplier / 100,
    footprint: levels,
    stackedBuyImbalances: stacks((l) => l.buyImbalance),
    stackedSellImbalances: stacks((l) => l.sellImbalance),
  };
}

/** Random trades over [from, to): cents in 200.00–201.50, sizes in eighths (sums stay exact). */
function tape(from: number, to: number, seed: number): Trade[] {
  const r = rng(seed);
  const out: Trade[] = [];
  for (let ts = from; ts < to; ts += 1 + Math.floor(r() * 400)) {
    const cents = 20_000 + Math.floor(r() * 150);
    out.push(trade(ts, cents / 100, (1 + Math.floor(r() * 40)) / 8, r() < 0.5 ? 'buy' : 'sell'));
  }
  return out;
}

/** Runs the tape through an engine second by second; returns every emitted flow. */
function run(trades: Trade[], from: number, to: number, intervals: string[]): OrderFlow[] {
  const e = engine({ intervals });
  const out: OrderFlow[] = [];
  let i = 0;
  for (let end = from + 1000; end <= to; end += 1000) {
    for (; i < trades.length && trades[i]!.exchangeTs < end; i++) e.addTrade(trades[i]!);
    out.push(...e.closeSecond(snap(end)));
  }
  return out;
}

describe('OrderFlowEngine: interval rollups', () => {
  const trades = tape(T0, T0 + 300_000, 7);
  const flows = run(trades, T0, T0 + 300_000, ['1m', '5m']);

  it('equals folding the same trades directly, for every 1m bucket and the 5m bucket', () => {
    const minutes = flows.filter((f) => f.interval === '1m');
    expect(minutes.map((f) => f.openTime)).toEqual([0, 1, 2, 3, 4].map((m) => T0 + m * 60_000));
    for (const m of minutes) {
      const inside = trades.filter((t) => t.exchangeTs >= m.openTime && t.exchangeTs < m.closeTime);
      const want = directFold(inside, 2);
      expect({ ...m, vwap: 0 }).toMatchObject({ ...want, vwap: 0 });
      expect(m.vwap).toBeCloseTo(want.vwap, 9);
    }
    const [five] = flows.filter((f) => f.interval === '5m');
    const want = directFold(trades, 5);
    expect(five).toMatchObject({ openTime: T0, closeTime: T0 + 300_000, ...want, vwap: five!.vwap });
    expect(five!.vwap).toBeCloseTo(want.vwap, 9);
    // The tape is dense enough for stacks to occur somewhere, so the comparison covers them.
    expect(minutes.some((m) => m.stackedBuyImbalances + m.stackedSellImbalances > 0)).toBe(true);
  });

  it('sums the seconds and keeps the last second’s cumulative delta', () => {
    const seconds = flows.filter((f) => f.interval === '1s');
    const five = flowOf(flows, '5m');
    expect(five.tradeCount).toBe(seconds.reduce((s, f) => s + f.tradeCount, 0));
    expect(five.cumulativeDelta).toBe(seconds[seconds.length - 1]!.cumulativeDelta);
    expect(five.delta).toBe(seconds.reduce((s, f) => s + f.delta, 0));
  });

  it('emits a bucket the engine joined midway, with the seconds it saw', () => {
    const e = engine({ intervals: ['1m'] });
    const outs: OrderFlow[][] = [];
    for (let s = 31; s <= 60; s++) {
      e.addTrade(trade(T0 + s * 1000 - 500, 200, 1, s % 2 === 0 ? 'buy' : 'sell'));
      outs.push(e.closeSecond(snap(T0 + s * 1000)));
    }
    const m = flowOf(outs[outs.length - 1]!, '1m');
    expect(m).toMatchObject({ openTime: T0, closeTime: T0 + 60_000, tradeCount: 30, buyVolume: 15, sellVolume: 15 });
    expect(outs.slice(0, -1).every((o) => o.length === 1)).toBe(true);
  });

  it('does not emit a bucket whose closing second was skipped, nor carry it into the next', () => {
    const e = engine({ intervals: ['1m'] });
    e.addTrade(trade(T0 + 10_000, 200, 5, 'buy'));
    expect(e.closeSecond(snap(T0 + 11_000))).toHaveLength(1);
    // The service was down from 0:11 to 1:30.
    e.addTrade(trade(T0 + 90_500, 200, 1, 'sell'));
    expect(e.closeSecond(snap(T0 + 91_000))).toHaveLength(1);
    let last: OrderFlow[] = [];
    for (let s = 92; s <= 120; s++) last = e.closeSecond(snap(T0 + s * 1000));
    expect(flowOf(last, '1m')).toMatchObject({ openTime: T0 + 60_000, tradeCount: 1, buyVolume: 0, sellVolume: 1 });
  });

  it('sums late trades and the counts of the seconds', () => {
    const e = engine({ intervals: ['1m'] });
    let last: OrderFlow[] = [];
    for (let s = 1; s <= 60; s++) {
      e.addTrade(trade(T0 + s * 1000 - 100, 200, 1, 'buy', { receivedTs: T0 + s * 1000 + 5000, tradeCount: 2 }));
      last = e.closeSecond(snap(T0 + s * 1000));
    }
    expect(flowOf(last, '1m')).toMatchObject({ lateTrades: 120, tradeCount: 0, buyVolume: 0 });
  });
});

import { readFileSync } from 'node:fs';
import { Completeness, type BookSnapshot, type Liquidation, type OrderFlow, type Trade } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { OrderFlowEngine } from '../../src/index.js';
import { INSTRUMENT, T0, liquidation, rng, snap, trade } from './flow-test-helpers.js';

interface Second {
  book: BookSnapshot;
  trades: Trade[];
  liquidations: Liquidation[];
}

/**
 * Three minutes of random inputs: bursts of trades sharing a millisecond (ids crossing a power of ten,
 * so only a numeric-aware order is stable), sizes whose sums depend on order, late receipts,
 * liquidations of both flags, books with walls coming and going, resyncs and a gap.
 */
function market(seed: number): Second[] {
  const r = rng(seed);
  const seconds: Second[] = [];
  let id = 99_950;
  let mid = 60_000;
  for (let s = 1; s <= 180; s++) {
    if (s > 100 && s < 110) continue; // the service was down
    const start = T0 + (s - 1) * 1000;
    const trades: Trade[] = [];
    for (let k = Math.floor(r() * 12); k > 0; k--) {
      const ts = start + Math.floor(r() * 1000);
      const burst = 1 + Math.floor(r() * 3);
      for (let b = 0; b < burst; b++) {
        mid += (r() - 0.5) * 4;
        const late = r() < 0.05 ? 3000 : 0;
        trades.push(
          trade(ts, Math.round(mid * 100) / 100, Math.round(r() * 1e5) / 1e4, r() < 0.5 ? 'buy' : 'sell', {
            tradeId: String(id++),
            receivedTs: ts + 10 + late,
          }),
        );
      }
    }
    const liquidations: Liquidation[] = [];
    if (r() < 0.3) {
      const ts = start + Math.floor(r() * 1000);
      for (let k = 2 + Math.floor(r() * 7); k > 0; k--) {
        liquidations.push(
          liquidation(ts, Math.round(mid * 10) / 10, Math.round(r() * 1e3) / 1e3, r() < 0.5 ? 'buy' : 'sell', {
            completeness: r() < 0.3 ? Completeness.COMPLETENESS_SAMPLED : Completeness.COMPLETENESS_FULL,
          }),
        );
      }
    }
    const level = () => (r() < 0.08 ? 10 + r() * 30 : 0.5 + r());
    const bids = Array.from({ length: 40 }, (_, i) => [Math.round((mid - 0.5 - i) * 100) / 100, level()] as [number, number]);
    const asks = Array.from({ length: 40 }, (_, i) => [Math.round((mid + 0.5 + i) * 100) / 100, level()] as [number, number]);
    seconds.push({ book: snap(start + 1000, bids, asks, r() < 0.05), trades, liquidations });
  }
  return seconds;
}

/** Feeds each second's inputs in time order right before closing it. */
function inOrder(seconds: Second[]): OrderFlow[][] {
  const e = new OrderFlowEngine({ ...INSTRUMENT, liquidationCompleteness: Completeness.COMPLETENESS_FULL });
  return seconds.map((x) => {
    x.trades.forEach((t) => e.addTrade(t));
    x.liquidations.forEach((l) => e.addLiquidation(l));
    return e.closeSecond(x.book);
  });
}

/** The same inputs shuffled, some redelivered, and fed in chunks up to three seconds ahead of their close. */
function scrambled(seconds: Second[], seed: number): OrderFlow[][] {
  const r = rng(seed);
  const e = new OrderFlowEngine({ ...INSTRUMENT, liquidationCompleteness: Completeness.COMPLETENESS_FULL });
  const pending = seconds.map((x) => {
    const items: (Trade | Liquidation)[] = [...x.trades, ...x.trades.filter(() => r() < 0.1).map((t) => ({ ...t })), ...x.liquidations];
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  });
  const feed = (i: number, all: boolean) => {
    const items = pending[i];
    if (items === undefined) return;
    for (let n = all ? items.length : Math.floor(r() * (items.length + 1)); n > 0; n--) {
      const x = items.pop()!;
      if ('tradeId' in x) e.addTrade(x);
      else e.addLiquidation(x);
    }
  };
  return seconds.map((x, i) => {
    for (let k = 3; k >= 1; k--) if (seconds[i + k]?.book.ts === x.book.ts + k * 1000) feed(i + k, false);
    feed(i, true);
    return e.closeSecond(x.book);
  });
}

describe('OrderFlowEngine: determinism', () => {
  it('gives identical output whatever the arrival order, split and redeliveries of each second’s inputs', () => {
    const seconds = market(11);
    const want = inOrder(seconds);
    expect(scrambled(seconds, 1)).toEqual(want);
    expect(scrambled(seconds, 2)).toEqual(want);
    // The tape exercises what it claims to.
    const flows = want.flat();
    expect(flows.filter((f) => f.interval === '1m')).toHaveLength(3); // the gap skips no minute close
    expect(flows.some((f) => f.lateTrades > 0)).toBe(true);
    expect(flows.some((f) => f.liquidationCompleteness === Completeness.COMPLETENESS_SAMPLED)).toBe(true);
    expect(flows.some((f) => f.wallsPulled + f.wallsConsumed > 0)).toBe(true);
    expect(flows.some((f) => !Number.isNaN(f.panicIndex) && !Number.isNaN(f.absorption))).toBe(true);
  });

  it('gives identical output on real Binance trades in any order', () => {
    // fixtures/binance/spot_rest_aggTrades.real.json: BTCUSDT aggTrades; m = true when the buyer was the maker.
    const raw = JSON.parse(
      readFileSync(new URL('../../../../fixtures/binance/spot_rest_aggTrades.real.json', import.meta.url), 'utf8'),
    ) as { a: number; p: string; q: string; f: number; l: number; T: number; m: boolean }[];
    const trades = raw.map((x) =>
      trade(x.T, Number(x.p), Number(x.q), x.m ? 'sell' : 'buy', { tradeId: String(x.a), tradeCount: x.l - x.f + 1 }),
    );
    const run = (ts: Trade[]) => {
      const e = new OrderFlowEngine({ ...INSTRUMENT, intervals: [] });
      ts.forEach((t) => e.addTrade(t));
      const first = Math.floor(raw[0]!.T / 1000) * 1000;
      return [1, 2, 3].map((k) => e.closeSecond(snap(first + k * 1000))[0]!);
    };
    const flows = run(trades);
    expect(run([...trades].reverse())).toEqual(flows);
    const buy = raw.filter((x) => !x.m).reduce((s, x) => s + Number(x.q), 0);
    const sell = raw.filter((x) => x.m).reduce((s, x) => s + Number(x.q), 0);
    expect(flows.reduce((s, f) => s + f.buyVolume, 0)).toBeCloseTo(buy, 12);
    expect(flows.reduce((s, f) => s + f.sellVolume, 0)).toBeCloseTo(sell, 12);
    expect(flows.reduce((s, f) => s + f.tradeCount, 0)).toBe(raw.reduce((s, x) => s + x.l - x.f + 1, 0));
    expect(flows[0]!.footprintStep).toBe(1); // BTC near 60 000: five significant digits
  });
});

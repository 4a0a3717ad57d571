import type { BookFeatures, BookSnapshot } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { BOOK_FEATURE_TABLE, BookFeatureCalculator, takeBookSnapshot } from '../../src/index.js';
import { T0, fixtureBook, meta } from './book-test-helpers.js';

/** The definitions written out plainly: two-pass moments, look-ups by ts in a map. */
function reference(snaps: BookSnapshot[]): Map<number, Record<string, number>> {
  const out = new Map<number, Record<string, number>>();
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const std = (xs: number[]) => {
    const m = mean(xs);
    return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
  };
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  for (const s of snaps) {
    const mid = ((s.bidPrices[0] ?? NaN) + (s.askPrices[0] ?? NaN)) / 2;
    const spread = (s.askPrices[0] ?? NaN) - (s.bidPrices[0] ?? NaN);
    const pressure = (ps: number[], qs: number[]) => sum(qs.map((q, i) => (q / (i + 1)) * (1 - Math.abs((ps[i] as number) - mid) / mid)));
    const buy = pressure(s.bidPrices, s.bidSizes);
    const sell = pressure(s.askPrices, s.askSizes);
    const bv = sum(s.bidSizes);
    const av = sum(s.askSizes);
    const f: Record<string, number> = {
      bidLevels: s.bidPrices.length, askLevels: s.askPrices.length, midPrice: mid, spread, spreadPct: (spread / mid) * 100,
      buyPressure: buy, sellPressure: sell, netPressure: buy - sell, pressureRatio: buy / sell, totalPressure: buy + sell,
      bidVolume: bv, askVolume: av, volumeImbalance: (bv - av) / (bv + av),
      bidPriceMean: mean(s.bidPrices), bidPriceStd: std(s.bidPrices), askPriceMean: mean(s.askPrices), askPriceStd: std(s.askPrices),
      bidSizeMean: mean(s.bidSizes), bidSizeStd: std(s.bidSizes), askSizeMean: mean(s.askSizes), askSizeStd: std(s.askSizes),
      bidTop10Concentration: sum(s.bidSizes.slice(0, 10)) / bv, askTop10Concentration: sum(s.askSizes.slice(0, 10)) / av,
    };
    const at = (k: number) => out.get(s.ts - k * 1000);
    const pct = (k: number) => (at(k) ? (mid / (at(k)?.midPrice as number) - 1) * 100 : NaN);
    const diff = (key: string, k: number) => (at(k) ? (f[key] as number) - (at(k)?.[key] as number) : NaN);
    f.priceChange1s = pct(1);
    f.priceChange5s = pct(5);
    f.priceChange30s = pct(30);
    f.spreadChange1s = diff('spreadPct', 1);
    f.spreadChange5s = diff('spreadPct', 5);
    f.imbalanceChange1s = diff('volumeImbalance', 1);
    f.imbalanceChange5s = diff('volumeImbalance', 5);
    f.buyPressureChange1s = diff('buyPressure', 1);
    f.sellPressureChange1s = diff('sellPressure', 1);
    f.netPressureChange1s = diff('netPressure', 1);
    // The 1 s changes at t−29 … t, each needing its own second and the one before.
    const vol = (key: string) => {
      const xs: number[] = [];
      for (let j = 0; j < 30; j++) xs.push(j === 0 ? (f[key] as number) : (at(j)?.[key] ?? NaN));
      return std(xs);
    };
    f.priceVolatility30s = vol('priceChange1s');
    f.spreadVolatility30s = vol('spreadChange1s');
    f.imbalanceVolatility30s = vol('imbalanceChange1s');
    f.buyPressureVolatility30s = vol('buyPressureChange1s');
    f.sellPressureVolatility30s = vol('sellPressureChange1s');
    f.netPressureVolatility30s = vol('netPressureChange1s');
    out.set(s.ts, f);
  }
  return out;
}

/** 90 seconds of a real book (fixtures/binance/spot_rest_depth_limit1000.real.json) under seeded churn; second 40 missing. */
function churn(): BookSnapshot[] {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const book = fixtureBook('spot_rest_depth_limit1000.real.json');
  const tick = 0.0001;
  const snaps: BookSnapshot[] = [];
  for (let k = 0; k < 90; k++) {
    for (let c = 0; c < 40; c++) {
      const side = c % 2 === 0 ? book.bids : book.asks;
      const levels = side.levels(150);
      const [p] = levels[Math.floor(rnd() * rnd() * levels.length)] as [number, number];
      side.set(p, rnd() < 0.2 ? 0 : Math.round(rnd() * 20_000));
    }
    // Move the touch now and then, keeping the book uncrossed.
    if (rnd() < 0.3) {
      const up = rnd() < 0.5;
      const bid = book.bestBid();
      const ask = book.bestAsk();
      if (up && ask - bid > 1.5 * tick) book.bids.set(Math.round((bid + tick) * 1e4) / 1e4, 500);
      if (!up && ask - bid > 1.5 * tick) book.asks.set(Math.round((ask - tick) * 1e4) / 1e4, 500);
    }
    if (k !== 40) snaps.push(takeBookSnapshot(book, meta(T0 + k * 1000)));
  }
  return snaps;
}

describe('BookFeatureCalculator against the written-out definitions', () => {
  it('agrees on 89 real 100-level snapshots, every feature', () => {
    const snaps = churn();
    const ref = reference(snaps);
    const calc = new BookFeatureCalculator();
    let defined = 0;
    for (const s of snaps) {
      expect([s.bidPrices.length, s.askPrices.length]).toEqual([100, 100]);
      const got: BookFeatures = calc.next(s);
      const want = ref.get(s.ts) as Record<string, number>;
      for (const { name } of BOOK_FEATURE_TABLE) {
        const g = got[name];
        const w = want[name] as number;
        if (Number.isNaN(w)) expect(g, `${name} at ${s.ts}`).toBeNaN();
        else {
          defined++;
          expect(Math.abs(g - w), `${name} at ${s.ts}: ${g} vs ${w}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(w)));
        }
      }
    }
    // Volatilities are defined at 30…39 and 71…89 (after the gap at 40): the comparison is not vacuous.
    const series = (key: string) => snaps.map((s) => ref.get(s.ts)?.[key] as number).filter((v) => !Number.isNaN(v));
    expect(series('priceVolatility30s')).toHaveLength(10 + 19);
    expect(series('priceChange1s').filter((v) => v !== 0).length).toBeGreaterThan(10); // the mid moves
    expect(defined).toBeGreaterThan(89 * 23);
  });
});

import { describe, expect, it } from 'vitest';
import { TIMEFRAME_MS, type TimeframeBars } from '../src/bars.js';
import type { LevelDetectFn } from '../src/evaluation/types.js';
import { labelCandles } from '../src/labels.js';
import { DAY, T0, barsOf, dailyOnly, fixedDetector, level, rangingSeries } from './evaluation-fixtures.js';

const closes = [105, 101.4, 100, 95, 101.6, 110.5];
const bars = dailyOnly(barsOf(closes.map((c) => [c + 0.2, c - 0.2, c] as const)));
// Levels 100 [99, 101] and 110 [109, 111]; ATR 2, so 0.25 ATR = 0.5.
const detect = fixedDetector([level(99, 101), level(109, 111)], 2);

describe('labelCandles', () => {
  it('labels closes within 0.25 ATR of a zone and measures the nearest levels in ATRs, by hand', () => {
    const out = labelCandles(bars, '1d', {}, detect);
    expect(out.map((l) => l.label)).toEqual([0, 1, 1, 0, 0, 1]);
    const expected = [2.5, 0.7, 0, Number.NaN, 0.8, 0.25];
    out.forEach((l, i) => (Number.isNaN(expected[i]) ? expect(l.supportDistanceAtr).toBeNaN() : expect(l.supportDistanceAtr).toBeCloseTo(expected[i]!, 12)));
    expect(out[0]!.resistanceDistanceAtr).toBe(2.5);
    expect(out[2]!.resistanceDistanceAtr).toBe(5);
    expect(out[3]!.resistanceDistanceAtr).toBe(2.5);
    expect(out[5]!.resistanceDistanceAtr).toBeNaN();
    expect(out.map((l) => l.openTime)).toEqual(closes.map((_, i) => T0 + i * DAY));
  });

  it('takes a threshold in percent of the close', () => {
    // 0.5 % of 101.4 = 0.507 ≥ gap 0.4; 0.5 % of 101.6 = 0.508 < gap 0.6.
    const out = labelCandles(bars, '1d', { threshold: { pct: 0.5 } }, detect);
    expect(out.map((l) => l.label)).toEqual([0, 1, 1, 0, 0, 1]);
    const tight = labelCandles(bars, '1d', { threshold: { pct: 0.3 } }, detect);
    expect(tight.map((l) => l.label)).toEqual([0, 0, 1, 0, 0, 1]);
  });

  it('labels only the candles opened in [fromTs, toTs)', () => {
    const out = labelCandles(bars, '1d', { fromTs: T0 + DAY, toTs: T0 + 3 * DAY }, detect);
    expect(out.map((l) => l.openTime)).toEqual([T0 + DAY, T0 + 2 * DAY]);
  });

  it('recomputes every N bars from bars closed by the recompute only', () => {
    const H4 = TIMEFRAME_MS['4h'];
    const all: TimeframeBars = { d1: rangingSeries(10, 1, 90, 110, '1d'), h4: rangingSeries(60, 2, 90, 110, '4h'), h1: rangingSeries(240, 3, 90, 110, '1h') };
    const calls: number[] = [];
    // A level around the last close seen: a candle is labelled 1 only with the levels of its recompute.
    const spy: LevelDetectFn = (b) => {
      const last = b.h4[b.h4.length - 1]!;
      for (const s of [b.d1, b.h4, b.h1]) expect(s.every((x) => x.openTime < last.openTime + H4)).toBe(true);
      expect(b.h1[b.h1.length - 1]!.openTime + TIMEFRAME_MS['1h']).toBe(last.openTime + H4);
      calls.push(last.openTime + H4);
      return { currentPrice: last.close, atr: 1, levels: [level(last.close - 0.01, last.close + 0.01)] };
    };
    const out = labelCandles(all, '4h', { recomputeBars: 3, fromTs: T0 + 2 * DAY, threshold: { atr: 0 } }, spy);
    expect(out).toHaveLength(48);
    expect(calls).toHaveLength(16);
    out.forEach((l, k) => {
      const recompute = T0 + 2 * DAY + (k - (k % 3) + 1) * H4;
      expect(l.levelsAsOf).toBe(recompute);
      expect(l.levelsAsOf).toBeLessThanOrEqual(l.openTime + H4);
      if (k % 3 === 0) expect(l.label).toBe(1); // its own close is the level
    });
  });

  it('gives 0 and NaN distances without levels, and rejects a bad threshold or recompute step', () => {
    const out = labelCandles(bars, '1d', {}, fixedDetector([], 2));
    expect(out.every((l) => l.label === 0 && Number.isNaN(l.supportDistanceAtr) && Number.isNaN(l.resistanceDistanceAtr))).toBe(true);
    expect(() => labelCandles(bars, '1d', { threshold: { atr: -1 } }, detect)).toThrow(/threshold/);
    expect(() => labelCandles(bars, '1d', { recomputeBars: 0 }, detect)).toThrow(/recomputeBars/);
  });
});

import { describe, expect, it } from 'vitest';
import { TIMEFRAME_MS, type Bar, type TimeframeBars } from '../src/bars.js';
import { evaluateLevels } from '../src/evaluation/evaluate.js';
import type { EvaluateLevelsOptions, LevelDetectFn } from '../src/evaluation/types.js';
import { DAY, T0, barsOf, dailyOnly, fixedDetector, level, rangingSeries } from './evaluation-fixtures.js';

/** The series of evaluation-touches.test.ts: zone [100, 102] is touched 5 times (3 bounces, 1 break). */
const handSeries = barsOf([
  [111, 109, 110], [111, 105, 106], [106, 101, 103], [105, 102.5, 104], [104.5, 101.5, 101], [101.5, 99, 99.5],
  [99.8, 97, 97.5], [100.5, 97, 97.2], [99, 96, 98.5], [101, 98, 100.5], [101.5, 100, 101], [101.8, 100.2, 101.2],
  [103, 101, 102.5], [102.6, 101.9, 102.4], [103.5, 102.2, 103], [104.2, 102.5, 104],
]);

const base = (bars: TimeframeBars, over: Partial<EvaluateLevelsOptions> = {}): EvaluateLevelsOptions => ({
  bars, interval: '1d', fromTs: T0 + DAY, toTs: T0 + 16 * DAY, horizonBars: 2, bounceMultiple: 1, randomDraws: 200, seed: 1, ...over,
});

describe('evaluateLevels on a series counted by hand', () => {
  const zoneA = level(100, 102, { score: 0.9, firstTouchTs: T0 - 400 * DAY, bounces: 3 });
  const zoneB = level(96.5, 97.5, { score: 0.2, firstTouchTs: T0, bounces: 0 });

  it('counts the touches of one step (the last touch has a full horizon before toTs)', () => {
    const r = evaluateLevels(base(dailyOnly(handSeries), { stepBars: 100 }), fixedDetector([zoneA]));
    expect(r).toMatchObject({ steps: 1, touches: 5, bounces: 3, breaks: 1, unresolved: 1, bounce_rate: 0.6 });
  });

  it('gives the same counts when the levels are recomputed at every bar', () => {
    const r = evaluateLevels(base(dailyOnly(handSeries), { stepBars: 1 }), fixedDetector([zoneA]));
    expect(r).toMatchObject({ steps: 13, touches: 5, bounces: 3, breaks: 1 });
  });

  it('drops the touches without a full horizon before toTs', () => {
    // toTs at bar 14's close: touches must be at bar ≤ 12, so the touch at 13 goes.
    const r = evaluateLevels(base(dailyOnly(handSeries), { stepBars: 100, toTs: T0 + 15 * DAY }), fixedDetector([zoneA]));
    expect(r).toMatchObject({ touches: 4, bounces: 2, breaks: 1, unresolved: 1 });
  });

  it('groups the touches by age and by prior bounces of their level', () => {
    // Zone B [96.5, 97.5]: touched at bar 6 from above, bounces at bar 7 (high 100.5 ≥ 98.5).
    const r = evaluateLevels(base(dailyOnly(handSeries), { stepBars: 100 }), fixedDetector([zoneA, zoneB]));
    expect(r).toMatchObject({ touches: 6, bounces: 4 });
    expect(r.by_age).toEqual([{ label: '<30d', touches: 1, bounce_rate: 1 }, { label: '>=365d', touches: 5, bounce_rate: 0.6 }]);
    expect(r.by_prior_bounces).toEqual([{ label: '0', touches: 1, bounce_rate: 1 }, { label: '3-4', touches: 5, bounce_rate: 0.6 }]);
    expect(r.by_score_decile.reduce((n, b) => n + b.touches, 0)).toBe(6);
    expect(r.by_score_decile[0]).toEqual({ label: 'D2 0.20-0.20', touches: 1, bounce_rate: 1 });
  });

  it('skips levels without a zone of positive width', () => {
    const r = evaluateLevels(base(dailyOnly(handSeries), { stepBars: 100 }), fixedDetector([level(101, 101), zoneA]));
    expect(r.touches).toBe(5);
  });

  it('rejects bad options', () => {
    const d = fixedDetector([zoneA]);
    expect(() => evaluateLevels(base(dailyOnly(handSeries), { randomDraws: 199 }), d)).toThrow(/randomDraws/);
    expect(() => evaluateLevels(base(dailyOnly(handSeries), { toTs: T0 }), d)).toThrow(/after fromTs/);
    expect(() => evaluateLevels(base(dailyOnly(handSeries), { stepBars: 0 }), d)).toThrow(/stepBars/);
    expect(() => evaluateLevels(base(dailyOnly(handSeries), { horizonBars: 1.5 }), d)).toThrow(/horizonBars/);
    expect(() => evaluateLevels(base(dailyOnly(handSeries), { bounceMultiple: 0 }), d)).toThrow(/bounceMultiple/);
  });
});

describe('evaluateLevels without look-ahead', () => {
  const days = 60;
  const bars: TimeframeBars = {
    d1: rangingSeries(days, 3, 90, 110, '1d'),
    h4: rangingSeries(days * 6, 4, 90, 110, '4h'),
    h1: rangingSeries(days * 24, 5, 90, 110, '1h'),
  };

  it('calls the detector once per step, only with bars closed by the step', () => {
    const seen: { d1: number; h4: number; h1: number }[] = [];
    const lastClose = (s: readonly Bar[], tf: keyof typeof TIMEFRAME_MS) => (s.length ? s[s.length - 1]!.openTime + TIMEFRAME_MS[tf] : -1);
    const detect: LevelDetectFn = (b) => {
      seen.push({ d1: lastClose(b.d1, '1d'), h4: lastClose(b.h4, '4h'), h1: lastClose(b.h1, '1h') });
      // A level just under the last 1h close it was given: touched soon after if the data reached further.
      const c = b.h1[b.h1.length - 1]!.close;
      return { currentPrice: c, atr: 2, levels: [level(c - 1.5, c - 0.5)] };
    };
    const H4 = TIMEFRAME_MS['4h'];
    const fromTs = T0 + 10 * DAY;
    const r = evaluateLevels({ bars, interval: '4h', fromTs, toTs: T0 + 50 * DAY, stepBars: 5, horizonBars: 6, bounceMultiple: 1, randomDraws: 200, seed: 7 }, detect);
    expect(r.steps).toBe(seen.length);
    // Step k is the close of 4h bar (fromTs / 4h) + 5k: exactly what the detector saw last of each timeframe.
    seen.forEach((s, k) => {
      const t = fromTs + 5 * k * H4;
      expect(s.h4).toBe(t);
      expect(s.h1).toBe(t);
      expect(s.d1).toBe(Math.floor(t / DAY) * DAY);
    });
    expect(seen.length).toBe(47); // 40 days of 4h bars, one step every 5, the last 6 bars kept for the horizon
    expect(r.touches).toBeGreaterThan(0);
  });

  it('gives the detector only the bars of historyMs before the step when asked', () => {
    const sizes: number[] = [];
    const detect: LevelDetectFn = (b) => {
      sizes.push(b.d1.length);
      return { currentPrice: 100, atr: 1, levels: [] };
    };
    evaluateLevels({ bars, interval: '1d', fromTs: T0 + 20 * DAY, toTs: T0 + 40 * DAY, stepBars: 1, horizonBars: 2, bounceMultiple: 1, randomDraws: 200, seed: 1, historyMs: 10 * DAY }, detect);
    expect(new Set(sizes)).toEqual(new Set([10]));
  });
});

import { describe, expect, it } from 'vitest';
import { randomZone, roundUnit, roundZones } from '../src/evaluation/baselines.js';
import { bootstrapLift, quantile } from '../src/evaluation/bootstrap.js';
import { scoreDeciles } from '../src/evaluation/buckets.js';
import { evaluateLevels } from '../src/evaluation/evaluate.js';
import { Prng } from '../src/evaluation/prng.js';
import type { EvaluateLevelsOptions, LevelDetectFn } from '../src/evaluation/types.js';
import { DAY, T0, dailyOnly, fixedDetector, level, rangingSeries } from './evaluation-fixtures.js';

describe('Prng', () => {
  it('repeats a sequence for a seed and differs between seeds', () => {
    const seq = (seed: number) => Array.from({ length: 5 }, ((r) => () => r.next())(new Prng(seed)));
    expect(seq(1)).toEqual(seq(1));
    expect(seq(1)).not.toEqual(seq(2));
    expect(seq(1).every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('random and round baselines', () => {
  const pool = Float64Array.from([80, 84, 86, 90, 94, 96, 99, 101, 104, 106, 112, 114, 116, 130]).sort();

  it('draws a random level among the closes at 0.5-1.5 times the level distance, keeping the zone shape', () => {
    const rng = new Prng(3);
    const seen = new Set<number>();
    for (let k = 0; k < 500; k++) {
      const z = randomZone(pool, 100, level(109, 111), rng); // distance 10: band [85, 95] ∪ [105, 115]
      const centre = (z.low + z.high) / 2;
      expect(z.high - z.low).toBeCloseTo(2, 12);
      seen.add(centre);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([86, 90, 94, 106, 112, 114]);
  });

  it('falls back to a uniform price in the band when no close lies in it', () => {
    const rng = new Prng(4);
    for (let k = 0; k < 200; k++) {
      const z = randomZone(pool, 100, level(149, 151), rng); // band [25, 75] ∪ [125, 175]: only 130 in the pool
      expect((z.low + z.high) / 2).toBe(130);
      const empty = randomZone(Float64Array.from([100]), 100, level(149, 151), rng);
      const e = (empty.low + empty.high) / 2;
      expect((e >= 25 && e <= 75) || (e >= 125 && e <= 175)).toBe(true);
    }
  });

  it('puts round levels at 5 × 10^(digits − 2) across the span of the levels, median width', () => {
    expect([roundUnit(9_000), roundUnit(300), roundUnit(0.5), roundUnit(62_000)]).toEqual([500, 50, 0.05, 5_000]);
    const zones = roundZones(9_100, [level(8_400, 8_500), level(9_950, 10_100), level(10_900, 11_000)]);
    expect(zones.map((z) => (z.low + z.high) / 2).sort((a, b) => a - b)).toEqual([8_500, 9_000, 9_500, 10_000, 10_500]); // centres span 8 450-10 950
    expect(zones.every((z) => z.high - z.low === 100)).toBe(true);
    expect(roundZones(9_100, [])).toEqual([]);
  });
});

describe('bootstrap and deciles', () => {
  it('percentiles interpolate between ranks', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([0, 10], 0.025)).toBeCloseTo(0.25, 12);
    expect(Number.isNaN(quantile([], 0.5))).toBe(true);
  });

  it('the lift interval of two identical level sets is exactly 1', () => {
    const steps = { touches: Int32Array.from([3, 1, 0, 4, 2]), bounces: Int32Array.from([1, 1, 0, 2, 0]) };
    expect(bootstrapLift(steps, [steps, steps, steps], new Prng(1))).toEqual({ low: 1, high: 1 });
  });

  it('score deciles cut the touches by rank into ten groups', () => {
    const scores = Array.from({ length: 20 }, (_, i) => (20 - i) / 20);
    const bounced = scores.map((s) => s > 0.5);
    const d = scoreDeciles(scores, bounced);
    expect(d).toHaveLength(10);
    expect(d[0]).toEqual({ label: 'D1 0.05-0.10', touches: 2, bounce_rate: 0 });
    expect(d[9]).toEqual({ label: 'D10 0.95-1.00', touches: 2, bounce_rate: 1 });
  });
});

describe('evaluateLevels against its baselines', () => {
  const bars = dailyOnly(rangingSeries(700, 11));
  const opts = (seed: number, over: Partial<EvaluateLevelsOptions> = {}): EvaluateLevelsOptions => ({
    bars, interval: '1d', fromTs: T0 + 100 * DAY, toTs: T0 + 700 * DAY, stepBars: 5, horizonBars: 10, bounceMultiple: 1, randomDraws: 200, seed, ...over,
  });

  it('is deterministic for a seed; another seed only moves the baseline', () => {
    const detect = fixedDetector([level(89.5, 91), level(109, 110.5), level(99, 101)]);
    const a = evaluateLevels(opts(5), detect);
    expect(evaluateLevels(opts(5), detect)).toEqual(a);
    const b = evaluateLevels(opts(6), detect);
    expect(b.touches).toBe(a.touches);
    expect(b.bounce_rate).toBe(a.bounce_rate);
    expect(b.random_bounce_rate).not.toBe(a.random_bounce_rate);
  });

  it('levels at the edges of a range beat random levels, with an interval above 1', () => {
    const r = evaluateLevels(opts(1), fixedDetector([level(89.5, 91), level(109, 110.5)]));
    expect(r.touches).toBeGreaterThan(30);
    expect(r.random_touches).toBeGreaterThan(30);
    expect(r.lift).toBeGreaterThan(1.3);
    expect(r.lift_ci_low).toBeGreaterThan(1);
    expect(r.lift_ci_low).toBeLessThanOrEqual(r.lift);
    expect(r.lift_ci_high).toBeGreaterThanOrEqual(r.lift);
  });

  it('levels placed at random past closes do not beat the random baseline', () => {
    // The detector draws its levels the way the baseline does: at closes it was given.
    const detect: LevelDetectFn = (b) => {
      const rng = new Prng(b.d1.length);
      const levels = Array.from({ length: 4 }, () => {
        const c = b.d1[b.d1.length - 1 - rng.int(Math.min(365, b.d1.length))]!.close;
        return level(c - 0.75, c + 0.75);
      });
      return { currentPrice: b.d1[b.d1.length - 1]!.close, atr: 2, levels };
    };
    const r = evaluateLevels(opts(2), detect);
    expect(r.touches).toBeGreaterThan(100);
    expect(r.lift_ci_low).toBeLessThan(1);
    expect(r.lift_ci_high).toBeGreaterThan(1);
  });

  it('measures round-number levels with the median zone width of the step', () => {
    // One level [99, 101] spans only the round price 100 (unit 50 at ~100): same zone, same counts.
    const r = evaluateLevels(opts(1), fixedDetector([level(99, 101)]));
    expect(r.round_touches).toBe(r.touches);
    expect(r.round_bounce_rate).toBe(r.bounce_rate);
  });
});

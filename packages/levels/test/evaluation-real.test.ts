import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TIMEFRAME_MS, type Bar, type TimeframeBars } from '../src/bars.js';
import { parseBarsCsv } from '../src/bars-csv.js';
import { detectLevels } from '../src/detect.js';
import { evaluateLevels } from '../src/evaluation/evaluate.js';

/**
 * The evaluation on real Binance BTCUSDT candles (fixtures/ohlcv), 2019-2020 stepped daily with the real
 * detector. Only what does not hang on the detector's tuning is asserted: the walk runs, finds a good
 * number of touches for levels and baselines, never shows the detector a bar from after its step, and
 * gives a finite interval around the lift. The lift itself is measured and reported, not asserted.
 */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/ohlcv');
const load = (tf: string): Bar[] => parseBarsCsv(readFileSync(resolve(FIXTURES, `binance_spot_BTCUSDT_${tf}.csv`), 'utf8'));

describe('evaluateLevels on real BTCUSDT bars', () => {
  const bars: TimeframeBars = { d1: load('1d'), h4: load('4h'), h1: load('1h') };

  it('runs over two years of daily steps with touches, baselines and a finite lift interval', () => {
    let calls = 0;
    let lookAhead = 0;
    const fromTs = Date.UTC(2019, 0, 1);
    const r = evaluateLevels({ bars, interval: '1d', fromTs, toTs: Date.UTC(2021, 0, 1), horizonBars: 10, bounceMultiple: 1, randomDraws: 200, seed: 1 }, (b) => {
      const t = fromTs + calls * TIMEFRAME_MS['1d'];
      calls += 1;
      for (const [s, tf] of [[b.d1, '1d'], [b.h4, '4h'], [b.h1, '1h']] as const) {
        if (s.length > 0 && s[s.length - 1]!.openTime + TIMEFRAME_MS[tf] > t) lookAhead += 1;
      }
      return detectLevels(b);
    });
    expect(r.steps).toBe(731 - 10);
    expect(calls).toBe(r.steps);
    expect(lookAhead).toBe(0);
    expect(r.touches).toBeGreaterThan(150);
    expect(r.random_touches).toBeGreaterThan(150);
    expect(r.round_touches).toBeGreaterThan(50);
    expect(r.bounces + r.breaks + r.unresolved).toBe(r.touches);
    for (const x of [r.bounce_rate, r.random_bounce_rate, r.round_bounce_rate]) {
      expect(x).toBeGreaterThan(0.1);
      expect(x).toBeLessThan(0.9);
    }
    expect(Number.isFinite(r.lift_ci_low) && Number.isFinite(r.lift_ci_high)).toBe(true);
    expect(r.lift_ci_low).toBeLessThan(r.lift);
    expect(r.lift_ci_high).toBeGreaterThan(r.lift);
    expect(r.by_score_decile).toHaveLength(10);
    expect(r.by_age.reduce((n, b) => n + b.touches, 0)).toBe(r.touches);
    expect(r.by_prior_bounces.reduce((n, b) => n + b.touches, 0)).toBe(r.touches);
  });
});

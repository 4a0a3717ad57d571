import type { Level } from '@pricelevel/contracts';
import { TIMEFRAME_MS, type Bar, type LevelTimeframe } from '../bars.js';
import { barsClosedBy, closedCount, seriesOf } from './bars-at.js';
import { randomZone, roundZones } from './baselines.js';
import { bootstrapLift, type StepCounts } from './bootstrap.js';
import { AGE_ORDER, BucketCounts, PRIOR_BOUNCES_ORDER, ageLabel, priorBouncesLabel, scoreDeciles } from './buckets.js';
import { Prng } from './prng.js';
import { emptyCounts, scanZone, type TouchCounts } from './touches.js';
import type { EvaluateLevelsOptions, LevelDetectFn, LevelEvaluation } from './types.js';

export const MIN_RANDOM_DRAWS = 200;
const DEFAULT_RANDOM_LOOKBACK_MS = 365 * 86_400_000;

/** One recompute a day unless told otherwise. */
export function defaultStepBars(interval: LevelTimeframe): number {
  return TIMEFRAME_MS['1d'] / TIMEFRAME_MS[interval];
}

/** Horizon a touch gets to resolve when none is given: 10 days on 1d, 5 days on 4h, 3 days on 1h. */
export function defaultHorizonBars(interval: LevelTimeframe): number {
  return { '1d': 10, '4h': 30, '1h': 72 }[interval];
}

/** Default bounce size, in zone widths. */
export const DEFAULT_BOUNCE_MULTIPLE = 1;

function checkOptions(o: EvaluateLevelsOptions): void {
  const posInt = (v: number, what: string) => {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${what} must be a positive integer, got ${v}`);
  };
  if (!(o.interval in TIMEFRAME_MS)) throw new RangeError(`interval must be 1d, 4h or 1h, got ${String(o.interval)}`);
  if (!Number.isFinite(o.fromTs) || !Number.isFinite(o.toTs) || o.toTs <= o.fromTs) {
    throw new RangeError(`toTs (${o.toTs}) must be after fromTs (${o.fromTs})`);
  }
  posInt(o.stepBars ?? 1, 'stepBars');
  posInt(o.horizonBars, 'horizonBars');
  if (!(o.bounceMultiple > 0) || !Number.isFinite(o.bounceMultiple)) throw new RangeError(`bounceMultiple must be > 0, got ${o.bounceMultiple}`);
  if (!Number.isSafeInteger(o.randomDraws) || o.randomDraws < MIN_RANDOM_DRAWS) {
    throw new RangeError(`randomDraws must be an integer ≥ ${MIN_RANDOM_DRAWS}, got ${o.randomDraws}`);
  }
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`seed must be an integer, got ${o.seed}`);
}

/** Levels a touch can be measured against: a finite zone of positive width. */
const usable = (l: Level) => Number.isFinite(l.zoneLow) && Number.isFinite(l.zoneHigh) && l.zoneHigh > l.zoneLow;

/** Ascending closes of the bars in (t − lookback, t], bars[end − 1] closing at t. */
function closePool(series: readonly Bar[], tfMs: number, end: number, t: number, lookbackMs: number): Float64Array {
  const start = closedCount(series, tfMs, t - lookbackMs);
  const pool = new Float64Array(end - start);
  for (let k = start; k < end; k++) pool[k - start] = series[k]!.close;
  return pool.sort();
}

const newSteps = (n: number): StepCounts => ({ touches: new Int32Array(n), bounces: new Int32Array(n) });

/**
 * Walk-forward evaluation of a level detector on real bars.
 *
 * Steps are the closes of every `stepBars`-th bar of `interval` from the first bar closing at or after
 * fromTs. At step t the detector sees only bars closed at or before t; its levels are then scanned for
 * touches (see scanZone) on the bars up to the next step, each touch resolved within `horizonBars`
 * (touches too close to toTs for a full horizon are not counted, and no bar closing after toTs is read).
 * The same scan runs on two baselines built at the same steps: `randomDraws` random level sets (see
 * randomZone) and the round numbers spanning the same prices (see roundZones).
 */
export function evaluateLevels(options: EvaluateLevelsOptions, detect: LevelDetectFn): LevelEvaluation {
  checkOptions(options);
  const { bars, interval, fromTs, toTs, horizonBars: horizon, bounceMultiple: multiple, randomDraws, seed } = options;
  const stepBars = options.stepBars ?? defaultStepBars(interval);
  const lookbackMs = options.randomLookbackMs ?? DEFAULT_RANDOM_LOOKBACK_MS;
  const tfMs = TIMEFRAME_MS[interval];
  const series = seriesOf(bars, interval);
  const closeOf = (i: number) => series[i]!.openTime + tfMs;

  // Step bar i needs bar i + 1 to scan and a full horizon after every scanned bar.
  const lastTouch = closedCount(series, tfMs, toTs) - 1 - horizon;
  const stepIdx: number[] = [];
  for (let i = closedCount(series, tfMs, fromTs - 1); i + 1 <= lastTouch; i += stepBars) stepIdx.push(i);

  const steps = stepIdx.length;
  const realSteps = newSteps(steps);
  const drawSteps = Array.from({ length: randomDraws }, () => newSteps(steps));
  const real = emptyCounts();
  const round = emptyCounts();
  let randomTouches = 0;
  let randomBounces = 0;
  const byAge = new BucketCounts();
  const byPrior = new BucketCounts();
  const touchScores: number[] = [];
  const touchBounced: boolean[] = [];
  const rng = new Prng(seed);

  stepIdx.forEach((i, s) => {
    const t = closeOf(i);
    const first = i + 1;
    const last = Math.min(i + stepBars, lastTouch);
    const levels = detect(barsClosedBy(bars, t, options.historyMs)).levels.filter(usable);
    const price = series[i]!.close;

    for (const level of levels) {
      const c = emptyCounts();
      scanZone(series, level.zoneLow, level.zoneHigh, first, last, horizon, multiple, c);
      if (c.touches === 0) continue;
      addCounts(real, c);
      realSteps.touches[s]! += c.touches;
      realSteps.bounces[s]! += c.bounces;
      byAge.add(ageLabel(level, t), c.touches, c.bounces);
      byPrior.add(priorBouncesLabel(level), c.touches, c.bounces);
      for (let k = 0; k < c.touches; k++) {
        touchScores.push(level.score);
        touchBounced.push(k < c.bounces);
      }
    }

    if (levels.length > 0) {
      const pool = closePool(series, tfMs, i + 1, t, lookbackMs);
      for (const draw of drawSteps) {
        const c = emptyCounts();
        for (const level of levels) {
          const zone = randomZone(pool, price, level, rng);
          scanZone(series, zone.low, zone.high, first, last, horizon, multiple, c);
        }
        draw.touches[s] = c.touches;
        draw.bounces[s] = c.bounces;
        randomTouches += c.touches;
        randomBounces += c.bounces;
      }
    }

    for (const zone of roundZones(price, levels)) scanZone(series, zone.low, zone.high, first, last, horizon, multiple, round);
  });

  const bounceRate = real.bounces / real.touches;
  const randomRate = randomBounces / randomTouches;
  const roundRate = round.bounces / round.touches;
  const ci = bootstrapLift(realSteps, drawSteps, rng);
  return {
    interval,
    from_ts: fromTs,
    to_ts: toTs,
    steps,
    step_bars: stepBars,
    horizon_bars: horizon,
    bounce_multiple: multiple,
    random_draws: randomDraws,
    seed,
    touches: real.touches,
    bounces: real.bounces,
    breaks: real.breaks,
    unresolved: real.touches - real.bounces - real.breaks,
    bounce_rate: bounceRate,
    random_touches: Math.round(randomTouches / randomDraws),
    random_bounce_rate: randomRate,
    lift: bounceRate / randomRate,
    lift_ci_low: ci.low,
    lift_ci_high: ci.high,
    round_touches: round.touches,
    round_bounce_rate: roundRate,
    round_lift: bounceRate / roundRate,
    by_score_decile: scoreDeciles(touchScores, touchBounced),
    by_age: byAge.list(AGE_ORDER),
    by_prior_bounces: byPrior.list(PRIOR_BOUNCES_ORDER),
  };
}

function addCounts(into: TouchCounts, c: TouchCounts): void {
  into.touches += c.touches;
  into.bounces += c.bounces;
  into.breaks += c.breaks;
}

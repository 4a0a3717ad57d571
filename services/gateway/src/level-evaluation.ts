import type { EvaluateLevelsRequest, EvaluateLevelsResponse } from '@pricelevel/contracts';
import {
  DEFAULT_BOUNCE_MULTIPLE, defaultHorizonBars, MIN_RANDOM_DRAWS, TIMEFRAME_MS, type EvaluateLevelsOptions, type HistoryDays,
  type LevelEvaluation, type LevelTimeframe, type TimeframeBars,
} from '@pricelevel/levels';
import { checkInstrumentAnd } from './candle-query.js';
import { invalid, type InstrumentCatalog, type InstrumentRef, type RequestProblem } from './instruments.js';
import { LEVEL_TIMEFRAMES } from './level-query.js';
import { checkTimestamps, fail, type Resolved } from './query-args.js';

const DAY_MS = 86_400_000;
/** Six years (of 365.25 days): ~2200 daily steps, ~52 600 hourly bars. */
export const MAX_EVALUATION_RANGE_MS = 6 * 365.25 * DAY_MS;
export const DEFAULT_RANDOM_DRAWS = MIN_RANDOM_DRAWS;
export const MAX_RANDOM_DRAWS = 2000;

/**
 * The request does not choose how touches are judged (the package's default horizon and bounce
 * multiple) nor the seed, so answers are comparable and reproducible: the same request over the same
 * candles gives the same numbers.
 */
export const EVALUATION_SEED = 1;

export interface EvaluationPlan extends InstrumentRef {
  interval: LevelTimeframe;
  fromTs: number;
  toTs: number;
  randomDraws: number;
}

function checkArgs(req: EvaluateLevelsRequest, now: number): RequestProblem | undefined {
  if (!(LEVEL_TIMEFRAMES as readonly string[]).includes(req.interval)) {
    return invalid(`interval ${JSON.stringify(req.interval)} is unknown: one of ${LEVEL_TIMEFRAMES.join(', ')}`);
  }
  const badTs = checkTimestamps(req);
  if (badTs) return badTs;
  const toTs = req.toTs === 0 ? now : req.toTs;
  if (req.fromTs >= toTs) return invalid(`from_ts (${req.fromTs}) must be before to_ts (${toTs})`);
  if (toTs - req.fromTs > MAX_EVALUATION_RANGE_MS) {
    return invalid(`range of ${toTs - req.fromTs} ms exceeds the maximum of ${MAX_EVALUATION_RANGE_MS} ms (6 years): narrow from_ts/to_ts`);
  }
  const draws = req.randomDraws;
  if (!Number.isInteger(draws) || draws < 0 || (draws > 0 && draws < MIN_RANDOM_DRAWS) || draws > MAX_RANDOM_DRAWS) {
    return invalid(`random_draws must be 0 (= ${DEFAULT_RANDOM_DRAWS}) or in ${MIN_RANDOM_DRAWS}..${MAX_RANDOM_DRAWS}, got ${draws}`);
  }
  return undefined;
}

/** Validates an EvaluateLevels request (to_ts 0 = now). Pure: `now` comes from the caller's clock. */
export function resolveEvaluation(req: EvaluateLevelsRequest, ctx: { catalog: InstrumentCatalog; now: number }): Resolved<EvaluationPlan> {
  const problem = checkInstrumentAnd(req, ctx.catalog, checkArgs(req, ctx.now));
  if (problem) return fail(problem);
  return {
    ok: true,
    value: {
      exchange: req.exchange,
      market: req.market,
      symbol: req.symbol,
      interval: req.interval as LevelTimeframe,
      fromTs: req.fromTs,
      toTs: req.toTs === 0 ? ctx.now : req.toTs,
      randomDraws: req.randomDraws === 0 ? DEFAULT_RANDOM_DRAWS : req.randomDraws,
    },
  };
}

/** The history to read from the store: the evaluated range plus what the detector sees before its first step. */
export function historyToLoad(plan: EvaluationPlan, detector: HistoryDays): HistoryDays {
  const rangeDays = Math.ceil((plan.toTs - plan.fromTs) / DAY_MS);
  return { d1: rangeDays + detector.d1, h4: rangeDays + detector.h4, h1: rangeDays + detector.h1 };
}

/** Why the stored candles cannot be evaluated, or undefined. */
export function barsProblem(plan: EvaluationPlan, bars: TimeframeBars): string | undefined {
  const key = `${plan.exchange}:${plan.market}:${plan.symbol}`;
  if (bars.d1.length === 0) return `no daily candles stored for ${key} before ${new Date(plan.toTs).toISOString()}`;
  const series = plan.interval === '1d' ? bars.d1 : plan.interval === '4h' ? bars.h4 : bars.h1;
  const tf = TIMEFRAME_MS[plan.interval];
  if (!series.some((b) => b.openTime + tf > plan.fromTs && b.openTime + tf <= plan.toTs)) {
    return `no ${plan.interval} candles of ${key} close in [from_ts, to_ts)`;
  }
  return undefined;
}

export function evaluationOptions(plan: EvaluationPlan, bars: TimeframeBars): EvaluateLevelsOptions {
  return {
    bars,
    interval: plan.interval,
    fromTs: plan.fromTs,
    toTs: plan.toTs,
    horizonBars: defaultHorizonBars(plan.interval),
    bounceMultiple: DEFAULT_BOUNCE_MULTIPLE,
    randomDraws: plan.randomDraws,
    seed: EVALUATION_SEED,
  };
}

/** Index of the first bar opened at or after `t` (bars oldest first). */
export function evaluationResponse(e: LevelEvaluation): EvaluateLevelsResponse {
  const buckets = (list: LevelEvaluation['by_age']) => list.map((b) => ({ label: b.label, touches: b.touches, bounceRate: b.bounce_rate }));
  return {
    touches: e.touches,
    bounceRate: e.bounce_rate,
    randomBounceRate: e.random_bounce_rate,
    lift: e.lift,
    liftCiLow: e.lift_ci_low,
    liftCiHigh: e.lift_ci_high,
    roundBounceRate: e.round_bounce_rate,
    roundTouches: e.round_touches,
    randomTouches: e.random_touches,
    byScoreDecile: buckets(e.by_score_decile),
    byAge: buckets(e.by_age),
    byPriorBounces: buckets(e.by_prior_bounces),
    steps: e.steps,
  };
}

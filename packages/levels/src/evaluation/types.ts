import type { Level } from '@pricelevel/contracts';
import type { LevelTimeframe, TimeframeBars } from '../bars.js';

/** What evaluation and labelling read from one detector run (the detector's DetectedLevels fits it). */
export interface LevelSnapshot {
  currentPrice: number;
  /** Daily ATR the zones and distances are scaled by. */
  atr: number;
  levels: readonly Level[];
}

/**
 * A level detector as evaluation and labelling call it: levels from the given closed bars only.
 * Passed in (not imported) so the walk-forward code can be checked with a detector built for a test.
 */
export type LevelDetectFn = (bars: TimeframeBars) => LevelSnapshot;

export interface EvaluateLevelsOptions {
  bars: TimeframeBars;
  /** The series stepped through and scanned for touches. */
  interval: LevelTimeframe;
  /** Steps are the closes of `interval` bars in [fromTs, toTs]; no bar closing after toTs is read. */
  fromTs: number;
  toTs: number;
  /** Bars from one level recompute to the next (default: one day's worth: 1d 1, 4h 6, 1h 24). */
  stepBars?: number;
  /** Bars after a touch within which it must bounce (else it is unresolved: counted, not a bounce). */
  horizonBars: number;
  /** A bounce leaves the zone on the approach side by at least this many zone widths. */
  bounceMultiple: number;
  /** Random level sets drawn (each over every step); also the bootstrap iterations. At least 200. */
  randomDraws: number;
  seed: number;
  /** Closes of `interval` bars in this window before a step are the random levels' price pool (default 365 days). */
  randomLookbackMs?: number;
  /** Only bars opened within this window before a step are given to the detector (default: all history). */
  historyMs?: number;
}

/** Bounce rate of the touches in one group (of the detector's levels). */
export interface EvaluationBucket {
  label: string;
  touches: number;
  bounce_rate: number;
}

/** Result of a walk-forward evaluation; field names as in EvaluateLevelsResponse (snake_case). */
export interface LevelEvaluation {
  interval: LevelTimeframe;
  from_ts: number;
  to_ts: number;
  /** Level recomputes (detector calls). */
  steps: number;
  step_bars: number;
  horizon_bars: number;
  bounce_multiple: number;
  random_draws: number;
  seed: number;
  /** Touches of the detector's levels; every touch has a full horizon of bars after it. */
  touches: number;
  bounces: number;
  breaks: number;
  /** Neither bounce nor break within the horizon (counted in `touches`, not a bounce). */
  unresolved: number;
  bounce_rate: number;
  /** Touches of the random levels per draw (mean over draws, rounded). */
  random_touches: number;
  /** Bounces / touches of the random levels pooled over all draws. */
  random_bounce_rate: number;
  /** bounce_rate / random_bounce_rate. */
  lift: number;
  /** 95 % percentile bootstrap of the lift (moving blocks of steps, one random draw per iteration). */
  lift_ci_low: number;
  lift_ci_high: number;
  round_touches: number;
  round_bounce_rate: number;
  /** bounce_rate / round_bounce_rate. */
  round_lift: number;
  by_score_decile: EvaluationBucket[];
  by_age: EvaluationBucket[];
  by_prior_bounces: EvaluationBucket[];
}

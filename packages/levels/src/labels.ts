import { TIMEFRAME_MS, type LevelTimeframe, type TimeframeBars } from './bars.js';
import { barsClosedBy, closedCount, seriesOf } from './evaluation/bars-at.js';
import { defaultStepBars } from './evaluation/evaluate.js';
import type { LevelDetectFn, LevelSnapshot } from './evaluation/types.js';

/** How near a close must be to a level's zone to be labelled 1: in daily ATRs, or in percent of the close. */
export type LabelThreshold = { atr: number } | { pct: number };

export interface LabelOptions {
  /** Label the candles opened in [fromTs, toTs) (default: the whole series). */
  fromTs?: number;
  toTs?: number;
  /** Bars between level recomputes (default one day's worth: 1d 1, 4h 6, 1h 24). */
  recomputeBars?: number;
  /** Default { atr: 0.25 }. */
  threshold?: LabelThreshold;
  /** Only bars opened within this window before a recompute are given to the detector (default: all). */
  historyMs?: number;
}

export interface CandleLabel {
  openTime: number;
  /** 1 when the close is within the threshold of a level's zone (0 inside it), else 0. */
  label: 0 | 1;
  /** (close − highest level centre at or below the close) / ATR; NaN without such a level. */
  supportDistanceAtr: number;
  /** (lowest level centre above the close − close) / ATR; NaN without such a level. */
  resistanceDistanceAtr: number;
  /** Close time of the last bar the levels were computed from (≤ this candle's close). */
  levelsAsOf: number;
}

/**
 * Binary "near a level" labels for the candles of one series, without look-ahead: the levels used for
 * a candle are those computed at the close of the most recent recompute bar at or before it (every
 * `recomputeBars` bars counted from the first labelled candle, so that candle always gets its own),
 * from the bars closed by then only.
 */
export function labelCandles(bars: TimeframeBars, interval: LevelTimeframe, opts: LabelOptions, detect: LevelDetectFn): CandleLabel[] {
  const every = opts.recomputeBars ?? defaultStepBars(interval);
  if (!Number.isSafeInteger(every) || every < 1) throw new RangeError(`recomputeBars must be a positive integer, got ${every}`);
  const threshold = opts.threshold ?? { atr: 0.25 };
  const limit = 'atr' in threshold ? threshold.atr : threshold.pct;
  if (!(limit >= 0) || !Number.isFinite(limit)) throw new RangeError(`the label threshold must be a finite number ≥ 0, got ${limit}`);
  const tfMs = TIMEFRAME_MS[interval];
  const series = seriesOf(bars, interval);
  const start = closedCount(series, 0, (opts.fromTs ?? -Infinity) - 1);
  const end = closedCount(series, 0, (opts.toTs ?? Infinity) - 1);
  const out: CandleLabel[] = [];
  let snap: LevelSnapshot | undefined;
  let asOf = 0;
  for (let i = start; i < end; i++) {
    const bar = series[i]!;
    if ((i - start) % every === 0) {
      asOf = bar.openTime + tfMs;
      snap = detect(barsClosedBy(bars, asOf, opts.historyMs));
    }
    out.push({ openTime: bar.openTime, ...labelOne(bar.close, snap!, threshold), levelsAsOf: asOf });
  }
  return out;
}

function labelOne(close: number, snap: LevelSnapshot, threshold: LabelThreshold): Omit<CandleLabel, 'openTime' | 'levelsAsOf'> {
  const { atr } = snap;
  const limit = 'atr' in threshold ? threshold.atr * atr : (threshold.pct / 100) * close;
  let near = false;
  let support = -Infinity;
  let resistance = Infinity;
  for (const l of snap.levels) {
    const gap = Math.max(l.zoneLow - close, close - l.zoneHigh, 0);
    if (gap <= limit) near = true;
    if (l.price <= close) support = Math.max(support, l.price);
    else resistance = Math.min(resistance, l.price);
  }
  const inAtr = (d: number) => (Number.isFinite(d) && atr > 0 ? d / atr : Number.NaN);
  return { label: near ? 1 : 0, supportDistanceAtr: inAtr(close - support), resistanceDistanceAtr: inAtr(resistance - close) };
}

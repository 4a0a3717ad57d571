/** How the daily ATR averages true ranges. */
export type AtrMethod = 'wilder' | 'simple';
/** How the DBSCAN neighbourhood radius is measured. */
export type EpsilonMode = 'percent' | 'atr';

/** Relative weights of the score components; they are normalized by their sum, each component is in [0, 1]. */
export interface LevelScoreWeights {
  /** Daily touch count, saturating at `touchesForFullScore`. */
  touches: number;
  /** Share of resolved daily touches that held: (bounces + false breakouts + 1) / (bounces + breaks + 2). */
  bounces: number;
  /** 4h volume at touches relative to average: min(touchVolumeRatio / 2, 1). */
  volume: number;
  /** Exponential decay of the time since the last touch, half-life `recencyHalfLifeDays`. */
  recency: number;
  /** Timeframes (1d, 4h, 1h) and sources (extrema, volume profile, round number) that agree on the zone. */
  confluence: number;
}

/**
 * Every knob of the level detector. Prices are in quote currency, ATR is the daily ATR at computation time,
 * bar counts are in bars of the named timeframe.
 */
export interface LevelConfig {
  /** Daily ATR period, in 1d bars. */
  atrPeriod: number;
  /** 'wilder': Wilder's smoothing seeded with the mean of the first `atrPeriod` true ranges; 'simple': mean of the last `atrPeriod`. */
  atrMethod: AtrMethod;
  /** A 1d bar is a local high (low) when its high (low) is the extreme within ±this many 1d bars. */
  extremaWindowD1: number;
  /** The same on 4h bars (±12 bars = ±2 days). */
  extremaWindowH4: number;
  /** The same on 1h bars; 1h extrema only confirm a zone (timeframe "1h"), they never create one. */
  extremaWindowH1: number;
  /** true: 4h extrema join the 1d extrema in the clustering (an extremum on both counts once); false: 4h only confirms. */
  clusterH4Extrema: boolean;
  /**
   * 'percent': two extrema are neighbours when their prices differ by ≤ `epsilonPct`; 'atr': by ≤ `epsilonAtr` ×
   * ATR / current price, i.e. k ATRs at today's price and the same fraction at other prices (log distance both ways).
   */
  epsilonMode: EpsilonMode;
  /** DBSCAN radius as a fraction of price (0.005 = 0.5 %), for `epsilonMode` 'percent'. */
  epsilonPct: number;
  /** DBSCAN radius in daily ATRs (at the current price), for `epsilonMode` 'atr'. */
  epsilonAtr: number;
  /** DBSCAN min samples: an extremum is a core point when this many extrema (itself included) lie within the radius. */
  minSamples: number;
  /** Each zone is widened by this many ATRs on both sides. */
  atrBuffer: number;
  /** Upper bound of a zone's width in ATRs: wider clusters are split at their largest gap, merges that would exceed it are not made. */
  maxZoneWidthAtr: number;
  /** Whether volume-profile candidates (point of control and high-volume nodes) are added. */
  volumeProfile: boolean;
  /** Volume-profile window length in days; windows are aligned to multiples of it since the epoch so they do not slide. */
  vpWindowDays: number;
  /** Volume-profile bin width as a fraction of price (log-spaced bins). */
  vpBinPct: number;
  /** A bin is a high-volume node when it is a local maximum (±2 bins) with volume ≥ this × the mean non-empty bin. */
  vpNodeFactor: number;
  /** At most this many nodes per window, the point of control first. */
  vpMaxNodes: number;
  /** A window is profiled only when it holds at least this fraction of its 4h bars. */
  vpMinFill: number;
  /** Whether round-number candidates are added. */
  roundNumbers: boolean;
  /** Round-number spacing: the smallest 1, 2.5 or 5 × 10^k ≥ this fraction of the current price… */
  roundStepPct: number;
  /** …and ≥ this many ATRs, so round zones never overlap each other and stay few in a volatile market. */
  roundMinStepAtr: number;
  /** Touches, bounces and breaks are counted on the 1d bars of the last this many days only (old crossings say little). */
  touchLookbackDays: number;
  /** Touch filter switch. */
  touchFilter: boolean;
  /** Minimum daily touches of a zone found only by extrema. */
  minTouches: number;
  /** Minimum daily touches of a zone that is (also) a round number. */
  minTouchesRound: number;
  /** Minimum daily touches of a zone that is (also) a volume node. */
  minTouchesVolume: number;
  /** Age filter switch. */
  ageFilter: boolean;
  /** A level is dropped when its last daily touch is older than this many days (measured from `asOf`). */
  maxAgeDays: number;
  /** 4h volume filter switch (passes when there are no 4h bars to judge by). */
  volumeFilter: boolean;
  /**
   * Minimum touchVolumeRatio: the mean over 4h touches of max(touch bar volume, next bar volume) / mean volume
   * of the `volumeAvgBars` 4h bars before the touch.
   */
  volumeFactor: number;
  /** Length of the trailing 4h volume average a touch bar is compared with. */
  volumeAvgBars: number;
  /** 1h approach filter switch: drops levels close to the price that the price is running into fast (expected to break). */
  approachFilter: boolean;
  /** Approach is measured over the last this many 1h bars. */
  approachHours: number;
  /** Dropped when the move toward the level over `approachHours` exceeds this many ATRs… */
  approachMaxAtr: number;
  /** …and the level lies within this many ATRs of the price. */
  approachWithinAtr: number;
  /** A break is a false breakout when a daily close returns to the approach side within this many 1d bars. */
  falseBreakoutBars: number;
  /** Half-life of the recency score, in days since the last touch. */
  recencyHalfLifeDays: number;
  /** Touch count that earns the full touch score. */
  touchesForFullScore: number;
  /** Score component weights (a partial override replaces the whole object). */
  scoreWeights: LevelScoreWeights;
  /** The id rounds the zone centre to log-buckets of this fraction of price. */
  idBucketPct: number;
}

export const DEFAULT_LEVEL_CONFIG: LevelConfig = Object.freeze({
  atrPeriod: 7,
  atrMethod: 'wilder',
  extremaWindowD1: 12,
  extremaWindowH4: 12,
  extremaWindowH1: 12,
  clusterH4Extrema: true,
  epsilonMode: 'atr',
  epsilonPct: 0.005,
  epsilonAtr: 0.25,
  minSamples: 4,
  atrBuffer: 0.2,
  maxZoneWidthAtr: 1.5,
  volumeProfile: true,
  vpWindowDays: 90,
  vpBinPct: 0.005,
  vpNodeFactor: 1.5,
  vpMaxNodes: 3,
  vpMinFill: 0.25,
  roundNumbers: true,
  roundStepPct: 0.025,
  roundMinStepAtr: 1,
  touchLookbackDays: 365,
  touchFilter: true,
  minTouches: 4,
  minTouchesRound: 2,
  minTouchesVolume: 2,
  ageFilter: true,
  maxAgeDays: 90,
  volumeFilter: true,
  volumeFactor: 1.3,
  volumeAvgBars: 42,
  approachFilter: false,
  approachHours: 24,
  approachMaxAtr: 1.5,
  approachWithinAtr: 1,
  falseBreakoutBars: 3,
  recencyHalfLifeDays: 30,
  touchesForFullScore: 10,
  scoreWeights: Object.freeze({ touches: 0.25, bounces: 0.25, volume: 0.15, recency: 0.2, confluence: 0.15 }),
  idBucketPct: 0.01,
}) as LevelConfig;

/** Merges a partial config over the defaults and rejects values the detector cannot work with. */
export function resolveLevelConfig(partial: Partial<LevelConfig> = {}): LevelConfig {
  const c: LevelConfig = { ...DEFAULT_LEVEL_CONFIG, ...partial };
  const positiveInts: (keyof LevelConfig)[] = [
    'atrPeriod', 'extremaWindowD1', 'extremaWindowH4', 'extremaWindowH1', 'minSamples', 'vpMaxNodes',
    'volumeAvgBars', 'approachHours', 'falseBreakoutBars',
  ];
  for (const k of positiveInts) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`level config: ${k} must be an integer ≥ 1, got ${String(v)}`);
  }
  const positives: (keyof LevelConfig)[] = [
    'epsilonPct', 'epsilonAtr', 'maxZoneWidthAtr', 'vpWindowDays', 'vpBinPct', 'roundStepPct', 'touchLookbackDays', 'maxAgeDays',
    'recencyHalfLifeDays', 'touchesForFullScore', 'idBucketPct',
  ];
  for (const k of positives) {
    const v = c[k];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new Error(`level config: ${k} must be a finite number > 0, got ${String(v)}`);
  }
  const nonNegatives: (keyof LevelConfig)[] = [
    'atrBuffer', 'vpNodeFactor', 'vpMinFill', 'roundMinStepAtr', 'minTouches', 'minTouchesRound', 'minTouchesVolume', 'volumeFactor',
    'approachMaxAtr', 'approachWithinAtr',
  ];
  for (const k of nonNegatives) {
    const v = c[k];
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new Error(`level config: ${k} must be a finite number ≥ 0, got ${String(v)}`);
  }
  if (c.atrMethod !== 'wilder' && c.atrMethod !== 'simple') throw new Error(`level config: atrMethod must be 'wilder' or 'simple'`);
  if (c.epsilonMode !== 'percent' && c.epsilonMode !== 'atr') throw new Error(`level config: epsilonMode must be 'percent' or 'atr'`);
  const w = c.scoreWeights;
  const ws = [w.touches, w.bounces, w.volume, w.recency, w.confluence];
  if (ws.some((x) => !(x >= 0) || !Number.isFinite(x)) || !(ws.reduce((a, b) => a + b, 0) > 0)) {
    throw new Error('level config: scoreWeights must be finite, ≥ 0 and not all 0');
  }
  return c;
}

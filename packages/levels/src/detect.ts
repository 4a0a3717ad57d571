import { LevelKind, LevelSource, type Level } from '@pricelevel/contracts';
import { TIMEFRAME_MS, type LevelTimeframe, type TimeframeBars } from './bars.js';
import { averageTrueRange } from './atr.js';
import { toColumns, type BarColumns } from './columns.js';
import { resolveLevelConfig, type LevelConfig } from './config.js';
import { dbscan1d, splitWide } from './dbscan.js';
import { localExtrema, withoutDailyDuplicates, type Extremum } from './extrema.js';
import { levelId } from './level-id.js';
import { roundNumbersBetween, roundStep } from './round-numbers.js';
import { touchStats, touchVolumeRatio, volumePrefix } from './touches.js';
import { volumeNodes } from './volume-profile.js';

/** The detector's answer at one point in time. */
export interface DetectedLevels {
  /** Close of the most recent bar given (of whichever timeframe closed last). */
  currentPrice: number;
  /** Daily ATR at the last 1d bar (0 without 1d bars). */
  atr: number;
  /** Close time (ms) of the last d1/h4/h1 bar used (0 without bars). */
  asOf: number;
  /** Every level that passed the filters, ascending price, zones not overlapping. */
  levels: Level[];
  /** The support (below the price) nearest to it. */
  nearestSupport?: Level;
  /** The resistance (above the price) nearest to it. */
  nearestResistance?: Level;
}

const DAY_MS = TIMEFRAME_MS['1d'];

interface Candidate {
  low: number;
  high: number;
  sources: Set<LevelSource>;
}

/**
 * Support/resistance levels from daily, 4h and 1h bars (each oldest first, closed bars only). Uses only the
 * bars given, so the caller decides what "now" is; deterministic, no clock.
 */
export function detectLevels(bars: TimeframeBars, config: Partial<LevelConfig> = {}): DetectedLevels {
  const cfg = resolveLevelConfig(config);
  const d1 = toColumns(bars.d1);
  const h4 = toColumns(bars.h4);
  const h1 = toColumns(bars.h1);
  const { currentPrice, asOf } = latest(bars);
  const atr = averageTrueRange(d1, cfg.atrPeriod, cfg.atrMethod);
  const result: DetectedLevels = { currentPrice, atr, asOf, levels: [] };
  if (d1.n <= cfg.atrPeriod || !(currentPrice > 0) || !(atr > 0)) return result;

  const buffer = cfg.atrBuffer * atr;
  const maxWidth = cfg.maxZoneWidthAtr * atr;

  // 1. Candidates: extrema clusters, volume nodes, round numbers.
  const ext1d = localExtrema(d1, cfg.extremaWindowD1, '1d');
  const ext4h = localExtrema(h4, cfg.extremaWindowH4, '4h');
  const ext1h = localExtrema(h1, cfg.extremaWindowH1, '1h');
  const clustered = cfg.clusterH4Extrema ? ext1d.concat(withoutDailyDuplicates(ext4h, ext1d, DAY_MS)) : ext1d;
  const candidates: Candidate[] = extremaClusters(clustered, cfg, atr / currentPrice, buffer, maxWidth);
  if (cfg.volumeProfile && h4.n > 0) {
    const nodes = volumeNodes(h4, {
      windowMs: cfg.vpWindowDays * DAY_MS, barMs: TIMEFRAME_MS['4h'], binPct: cfg.vpBinPct,
      nodeFactor: cfg.vpNodeFactor, maxNodes: cfg.vpMaxNodes, minFill: cfg.vpMinFill,
    });
    for (const v of nodes) candidates.push({ low: v.low - buffer, high: v.high + buffer, sources: new Set([LevelSource.LEVEL_SOURCE_VOLUME_PROFILE]) });
  }
  if (cfg.roundNumbers) {
    const [lo, hi] = recentRange(d1, cfg.ageFilter ? asOf - cfg.maxAgeDays * DAY_MS : -Infinity);
    for (const r of roundNumbersBetween(lo, hi, roundStep(Math.max(currentPrice * cfg.roundStepPct, cfg.roundMinStepAtr * atr)))) {
      candidates.push({ low: r - buffer, high: r + buffer, sources: new Set([LevelSource.LEVEL_SOURCE_ROUND_NUMBER]) });
    }
  }

  // 2. Overlapping candidates become one zone recording all sources.
  const zones = mergeOverlapping(candidates, maxWidth);

  // 3. Touches, filters, score.
  const sortedByTf = {
    '1d': sortedPrices(ext1d), '4h': sortedPrices(ext4h), '1h': sortedPrices(ext1h),
  } satisfies Record<LevelTimeframe, Float64Array>;
  const h4Prefix = volumePrefix(h4);
  const w = cfg.scoreWeights;
  const wSum = w.touches + w.bounces + w.volume + w.recency + w.confluence;
  const approach = approachMove(h1, cfg.approachHours, atr);
  const recentD1 = sliceFrom(d1, asOf - cfg.touchLookbackDays * DAY_MS);
  const kept: Level[] = [];
  for (const z of zones) {
    const t = touchStats(recentD1, z.low, z.high, cfg.falseBreakoutBars);
    const required = Math.min(
      ...[...z.sources].map((s) => (s === LevelSource.LEVEL_SOURCE_ROUND_NUMBER ? cfg.minTouchesRound
        : s === LevelSource.LEVEL_SOURCE_VOLUME_PROFILE ? cfg.minTouchesVolume : cfg.minTouches)),
    );
    if (cfg.touchFilter && t.touches < required) continue;
    if (t.touches === 0) continue; // a level price never came to has no history to score
    const ageDays = Math.max(0, (asOf - (t.lastInZone + DAY_MS)) / DAY_MS);
    if (cfg.ageFilter && ageDays > cfg.maxAgeDays) continue;
    const t4 = touchStats(h4, z.low, z.high, cfg.falseBreakoutBars, true);
    const volRatio = touchVolumeRatio(h4, t4.touchBars, cfg.volumeAvgBars, h4Prefix);
    if (cfg.volumeFilter && h4.n > 0 && volRatio < cfg.volumeFactor) continue;
    const price = (z.low + z.high) / 2;
    const distanceAtr = (price - currentPrice) / atr;
    if (cfg.approachFilter && Math.abs(distanceAtr) <= cfg.approachWithinAtr) {
      const toward = price < currentPrice ? -approach : approach;
      if (toward > cfg.approachMaxAtr) continue;
    }

    const timeframes: LevelTimeframe[] = [];
    for (const tf of ['1d', '4h', '1h'] as const) {
      if (anyWithin(sortedByTf[tf], z.low, z.high) || (tf === '4h' && z.sources.has(LevelSource.LEVEL_SOURCE_VOLUME_PROFILE))) timeframes.push(tf);
    }
    const sources = [...z.sources].sort((a, b) => a - b);
    const held = t.bounces + t.falseBreakouts;
    const resolved = t.bounces + t.breaks;
    const components =
      w.touches * Math.min(t.touches / cfg.touchesForFullScore, 1) +
      w.bounces * ((held + 1) / (resolved + 2)) +
      w.volume * Math.min(volRatio / 2, 1) +
      w.recency * Math.pow(0.5, ageDays / cfg.recencyHalfLifeDays) +
      w.confluence * (timeframes.length / 3 + sources.length / 3) / 2;
    kept.push({
      id: '',
      price,
      zoneLow: z.low,
      zoneHigh: z.high,
      kind: price < currentPrice ? LevelKind.LEVEL_KIND_SUPPORT : LevelKind.LEVEL_KIND_RESISTANCE,
      sources,
      timeframes,
      touches: t.touches,
      bounces: t.bounces,
      breaks: t.breaks,
      falseBreakouts: t.falseBreakouts,
      firstTouchTs: t.firstTouch,
      lastTouchTs: t.lastInZone,
      touchVolumeRatio: volRatio,
      score: Math.min(1, Math.max(0, components / wSum)),
      distanceAtr,
    });
  }

  // 4. Zones that still overlap (a merge refused for width): the better-scored one wins.
  const levels = suppressOverlaps(kept).sort((a, b) => a.price - b.price);
  const seen = new Map<string, number>();
  for (const l of levels) {
    const base = levelId(l.price, firstContaining(d1, l.price), cfg.idBucketPct);
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    l.id = k === 1 ? base : `${base}-${k}`;
  }
  result.levels = levels;
  for (const l of levels) {
    if (l.kind === LevelKind.LEVEL_KIND_SUPPORT) result.nearestSupport = l;
    else if (!result.nearestResistance) result.nearestResistance = l;
  }
  return result;
}

/** Price and close time of the bar that closed last across the three timeframes. */
function latest(bars: TimeframeBars): { currentPrice: number; asOf: number } {
  let asOf = 0;
  let currentPrice = 0;
  for (const [tf, list] of [['1d', bars.d1], ['4h', bars.h4], ['1h', bars.h1]] as const) {
    const last = list[list.length - 1];
    if (!last) continue;
    const closeTime = last.openTime + TIMEFRAME_MS[tf];
    if (closeTime > asOf) {
      asOf = closeTime;
      currentPrice = last.close;
    }
  }
  return { currentPrice, asOf };
}

/** DBSCAN over extrema prices (log prices for a percent radius), each cluster a zone widened by the buffer. */
function extremaClusters(points: Extremum[], cfg: LevelConfig, atrPct: number, buffer: number, maxWidth: number): Candidate[] {
  const prices = Float64Array.from(points.map((p) => p.price).filter((p) => p > 0)).sort();
  // Both modes cluster log prices, so a radius is a fraction of price and old extrema at other price levels
  // are judged on the same relative scale; 'atr' takes that fraction from the ATR at the current price.
  const keys = prices.map(Math.log);
  const eps = Math.log1p(cfg.epsilonMode === 'percent' ? cfg.epsilonPct : cfg.epsilonAtr * atrPct);
  const maxSpan = Math.max(0, maxWidth - 2 * buffer);
  const out: Candidate[] = [];
  for (const [first, last] of dbscan1d(keys, eps, cfg.minSamples)) {
    const pieces: Array<[number, number]> = [];
    splitWide(prices, first, last, maxSpan, cfg.minSamples, pieces);
    for (const [a, b] of pieces) {
      out.push({ low: prices[a]! - buffer, high: prices[b]! + buffer, sources: new Set([LevelSource.LEVEL_SOURCE_EXTREMA]) });
    }
  }
  return out;
}

/** Sweeps candidates by low edge; an overlapping one joins the current zone unless the union would exceed maxWidth. */
function mergeOverlapping(candidates: Candidate[], maxWidth: number): Candidate[] {
  candidates.sort((a, b) => a.low - b.low || a.high - b.high);
  const zones: Candidate[] = [];
  let cur: Candidate | undefined;
  for (const c of candidates) {
    if (cur && c.low <= cur.high && Math.max(cur.high, c.high) - cur.low <= maxWidth * (1 + 1e-12)) {
      cur.high = Math.max(cur.high, c.high);
      for (const s of c.sources) cur.sources.add(s);
      continue;
    }
    cur = { low: c.low, high: c.high, sources: new Set(c.sources) };
    zones.push(cur);
  }
  return zones;
}

function suppressOverlaps(levels: Level[]): Level[] {
  const byScore = [...levels].sort((a, b) => b.score - a.score || a.price - b.price);
  const kept: Level[] = [];
  for (const l of byScore) {
    if (kept.every((k) => l.zoneHigh < k.zoneLow || l.zoneLow > k.zoneHigh)) kept.push(l);
  }
  return kept;
}

/** The bars opening at or after `from`, as views (no copy); the bar before is kept so the first touch has an approach side. */
function sliceFrom(c: BarColumns, from: number): BarColumns {
  let start = c.n;
  while (start > 0 && c.time[start - 1]! >= from) start--;
  start = Math.max(0, start - 1);
  return {
    n: c.n - start,
    time: c.time.subarray(start), high: c.high.subarray(start), low: c.low.subarray(start),
    close: c.close.subarray(start), volume: c.volume.subarray(start),
  };
}

/** Lowest low and highest high of the daily bars opening at or after `from` (all bars if none do). */
function recentRange(d1: BarColumns, from: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  let start = d1.n;
  while (start > 0 && d1.time[start - 1]! >= from) start--;
  if (start === d1.n) start = 0;
  for (let i = start; i < d1.n; i++) {
    lo = Math.min(lo, d1.low[i]!);
    hi = Math.max(hi, d1.high[i]!);
  }
  return [lo, hi];
}

function sortedPrices(ext: readonly Extremum[]): Float64Array {
  return Float64Array.from(ext, (e) => e.price).sort();
}

/** Whether any sorted value lies in [low, high] (binary search). */
function anyWithin(sorted: Float64Array, low: number, high: number): boolean {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (sorted[m]! < low) a = m + 1;
    else b = m;
  }
  return a < sorted.length && sorted[a]! <= high;
}

/** Open time of the first daily bar whose range contains the price (the last bar's if none does). */
function firstContaining(d1: BarColumns, price: number): number {
  for (let i = 0; i < d1.n; i++) if (d1.low[i]! <= price && d1.high[i]! >= price) return d1.time[i]!;
  return d1.time[d1.n - 1] ?? 0;
}

/** Close-to-close move over the last `hours` 1h bars, in ATRs (0 with too few bars). */
function approachMove(h1: BarColumns, hours: number, atr: number): number {
  if (h1.n <= hours) return 0;
  return (h1.close[h1.n - 1]! - h1.close[h1.n - 1 - hours]!) / atr;
}

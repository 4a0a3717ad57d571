import {
  instrumentKey, LevelKind, type GetLevelHistoryRequest, type GetLevelsRequest, type GetNearestLevelsRequest, type Level, type LevelSet,
} from '@pricelevel/contracts';
import type { SeriesQuery } from '@pricelevel/platform';
import { checkInstrumentAnd } from './candle-query.js';
import { invalid, type InstrumentCatalog, type InstrumentRef, type RequestProblem } from './instruments.js';
import type { GatewayLimits } from './limits.js';
import { checkRange, checkTimestamps, fail, resolveLimit, type Resolved } from './query-args.js';

/** Timeframes a level can be found or confirmed on ("" in a request = any). */
export const LEVEL_TIMEFRAMES = ['1d', '4h', '1h'] as const;
export const MAX_LEVELS_LIMIT = 1000;
export const MAX_NEAREST_COUNT = 20;
export const DEFAULT_HISTORY_SETS = 100;
export const MAX_HISTORY_SETS = 1000;

/** What GetLevels keeps of the current set. */
export interface LevelFilter {
  /** "" = every timeframe. */
  timeframe: string;
  minScore: number;
  /** 0 = every level. */
  limit: number;
}

export function noLevelsYet(ref: InstrumentRef): RequestProblem {
  return { kind: 'not_found', message: `no levels computed yet for ${instrumentKey(ref)}` };
}

/** The instrument (malformed before not collected) and another check of the same request. */
function checkWith<T>(req: InstrumentRef, catalog: InstrumentCatalog, other: RequestProblem | undefined, value: () => T): Resolved<T> {
  const problem = checkInstrumentAnd(req, catalog, other);
  return problem ? fail(problem) : { ok: true, value: value() };
}

function checkTimeframe(timeframe: string): RequestProblem | undefined {
  if (timeframe === '' || (LEVEL_TIMEFRAMES as readonly string[]).includes(timeframe)) return undefined;
  return invalid(`timeframe ${JSON.stringify(timeframe)} is unknown: "" (all) or one of ${LEVEL_TIMEFRAMES.join(', ')}`);
}

function checkLevelsArgs(req: GetLevelsRequest): RequestProblem | undefined {
  const timeframe = checkTimeframe(req.timeframe);
  if (timeframe) return timeframe;
  if (!(req.minScore >= 0 && req.minScore <= 1)) return invalid(`min_score must be in [0, 1], got ${req.minScore}`);
  const limit = resolveLimit(req.limit, MAX_LEVELS_LIMIT, 0);
  return limit.ok ? undefined : limit.problem;
}

export function resolveLevelsRequest(req: GetLevelsRequest, catalog: InstrumentCatalog): Resolved<LevelFilter> {
  return checkWith(req, catalog, checkLevelsArgs(req), () => ({ timeframe: req.timeframe, minScore: req.minScore, limit: req.limit }));
}

/**
 * The levels of `set` found or confirmed on the timeframe with a score of at least minScore; with a limit,
 * the best `limit` by score (ties: nearer the price first). Still by price ascending; the nearest support
 * and resistance are those of the levels kept.
 */
export function filterLevels(set: LevelSet, f: LevelFilter): LevelSet {
  let levels = set.levels.filter((l) => l.score >= f.minScore && (f.timeframe === '' || l.timeframes.includes(f.timeframe)));
  if (f.limit > 0 && levels.length > f.limit) {
    const away = (l: Level) => Math.abs(l.price - set.currentPrice);
    const best = [...levels].sort((a, b) => b.score - a.score || away(a) - away(b) || a.price - b.price);
    const kept = new Set(best.slice(0, f.limit));
    levels = levels.filter((l) => kept.has(l));
  }
  if (levels.length === set.levels.length) return set;
  return { ...set, levels, nearestSupport: levels.findLast(isSupport), nearestResistance: levels.find((l) => !isSupport(l)) };
}

/** As the detector labels them: a support lies below the price it was computed at. */
function isSupport(l: Level): boolean {
  return l.kind === LevelKind.LEVEL_KIND_SUPPORT;
}

export interface NearestQuery {
  /** 0 = the current price of the set. */
  price: number;
  count: number;
}

function checkNearestArgs(req: GetNearestLevelsRequest): RequestProblem | undefined {
  if (!(Number.isFinite(req.price) && req.price >= 0)) return invalid(`price must be a finite price > 0 (or 0 for the current price), got ${req.price}`);
  if (!Number.isInteger(req.count) || req.count < 0) return invalid(`count must be >= 0, got ${req.count}`);
  if (req.count > MAX_NEAREST_COUNT) return invalid(`count ${req.count} exceeds the maximum of ${MAX_NEAREST_COUNT}`);
  return undefined;
}

export function resolveNearestRequest(req: GetNearestLevelsRequest, catalog: InstrumentCatalog): Resolved<NearestQuery> {
  return checkWith(req, catalog, checkNearestArgs(req), () => ({ price: req.price, count: req.count === 0 ? 1 : req.count }));
}

export interface NearestLevels {
  price: number;
  supports: Level[];
  resistances: Level[];
  version: number;
}

/**
 * The `count` levels each side of the price, nearest first: supports have their centre below it,
 * resistances at or above it (the detector's rule, so at the current price they are its kinds).
 */
export function nearestLevels(set: LevelSet, q: NearestQuery): NearestLevels {
  const price = q.price === 0 ? set.currentPrice : q.price;
  // Levels are by price ascending: the first at or above the price splits the two sides.
  let split = set.levels.findIndex((l) => l.price >= price);
  if (split < 0) split = set.levels.length;
  return {
    price,
    supports: set.levels.slice(Math.max(0, split - q.count), split).reverse(),
    resistances: set.levels.slice(split, split + q.count),
    version: set.version,
  };
}

/**
 * Turns a GetLevelHistory request into a store query, or says why not. Pure: `now` comes from the caller's
 * clock. to_ts 0 = now; from_ts 0 = the newest `limit` sets before to_ts (looking back at most maxRangeMs).
 */
export function resolveLevelHistoryQuery(
  req: GetLevelHistoryRequest,
  ctx: { catalog: InstrumentCatalog; limits: GatewayLimits; now: number },
): Resolved<SeriesQuery> {
  const instrument = ctx.catalog.check(req);
  if (instrument?.kind === 'invalid') return fail(instrument);
  const limit = resolveLimit(req.limit, MAX_HISTORY_SETS, DEFAULT_HISTORY_SETS);
  if (!limit.ok) return limit;
  const badTs = checkTimestamps(req);
  if (badTs) return fail(badTs);
  const toTs = req.toTs === 0 ? ctx.now : req.toTs;
  const tail = req.fromTs === 0;
  const fromTs = tail ? Math.max(0, toTs - ctx.limits.maxRangeMs) : req.fromTs;
  const badRange = checkRange(fromTs, toTs, ctx.limits.maxRangeMs);
  if (badRange) return fail(badRange);
  if (instrument) return fail(instrument);
  const { exchange, market, symbol } = req;
  return { ok: true, value: { exchange, market, symbol, fromTs, toTs, limit: limit.value, tail } };
}

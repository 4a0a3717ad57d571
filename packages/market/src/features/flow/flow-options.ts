import { Completeness, INTERVALS, isInterval, type Interval } from '@pricelevel/contracts';

export const SECOND_MS = 1000;
/** Seconds buffered ahead of the last closed one at most; trades opening one more are dropped, counted. */
export const MAX_OPEN_SECONDS = 120;
/** Samples a rolling statistic needs before z-scores and absorption are defined. */
export const MIN_HISTORY_S = 30;
/** Half-life of the decayed liquidation and traded notional behind the cascade intensity. */
export const CASCADE_HALF_LIFE_S = 10;
/** A cascade ends once its intensity has fallen to this fraction of its peak (exhaustion ≥ 0.95). */
export const CASCADE_END_FRACTION = 0.05;

/** The footprint bucket width of each interval, as a multiple of the base step. */
export const FOOTPRINT_MULTIPLIERS: Readonly<Record<'1s' | Interval, number>> = {
  '1s': 1,
  '1m': 2,
  '5m': 5,
  '15m': 10,
  '1h': 20,
  '4h': 50,
  '1d': 100,
};

export const DEFAULT_FLOW_INTERVALS: readonly Interval[] = ['1m', '5m', '15m', '1h', '4h', '1d'];

export interface OrderFlowOptions {
  exchange: string;
  market: string;
  symbol: string;
  /** Candle intervals rolled up from the seconds. Default 1m, 5m, 15m, 1h, 4h, 1d. */
  intervals?: readonly string[];
  /** A trade received later than its second's end + this is left out and counted in late_trades. Default 1000. */
  latenessMs?: number;
  /** Diagonal ratio that makes a footprint bucket imbalanced. Default 3. */
  imbalanceRatio?: number;
  /** Adjacent imbalanced buckets that make a stack. Default 3. */
  stackMin?: number;
  /** A book level at least this many times its side's median size is a wall. Default 5. */
  wallMultiple?: number;
  /** Seconds of history behind the z-scores and the absorption normalization. Default 300. */
  zWindowS?: number;
  /** The venue's liquidation stream completeness; the worst of this and the messages' flags is reported. */
  liquidationCompleteness?: Completeness;
}

export interface ResolvedFlowOptions {
  exchange: string;
  market: string;
  symbol: string;
  /** Ascending by length, no duplicates. */
  intervals: Interval[];
  latenessMs: number;
  imbalanceRatio: number;
  stackMin: number;
  wallMultiple: number;
  zWindowS: number;
  liquidationCompleteness: Completeness;
}

export function resolveFlowOptions(o: OrderFlowOptions): ResolvedFlowOptions {
  for (const k of ['exchange', 'market', 'symbol'] as const) {
    if (typeof o[k] !== 'string' || o[k] === '') throw new RangeError(`order flow: ${k} must be a non-empty string`);
  }
  const names = o.intervals ?? DEFAULT_FLOW_INTERVALS;
  for (const n of names) {
    if (!isInterval(n)) throw new RangeError(`order flow: unknown interval ${JSON.stringify(n)}`);
  }
  const intervals = [...new Set(names as readonly Interval[])].sort((a, b) => INTERVALS[a] - INTERVALS[b]);
  const r: ResolvedFlowOptions = {
    exchange: o.exchange,
    market: o.market,
    symbol: o.symbol,
    intervals,
    latenessMs: o.latenessMs ?? 1000,
    imbalanceRatio: o.imbalanceRatio ?? 3,
    stackMin: o.stackMin ?? 3,
    wallMultiple: o.wallMultiple ?? 5,
    zWindowS: o.zWindowS ?? 300,
    liquidationCompleteness: o.liquidationCompleteness ?? Completeness.COMPLETENESS_UNSPECIFIED,
  };
  if (!(Number.isFinite(r.latenessMs) && r.latenessMs >= 0)) throw new RangeError('order flow: latenessMs must be ≥ 0');
  if (!(Number.isFinite(r.imbalanceRatio) && r.imbalanceRatio > 0)) throw new RangeError('order flow: imbalanceRatio must be > 0');
  if (!(Number.isInteger(r.stackMin) && r.stackMin >= 1)) throw new RangeError('order flow: stackMin must be an integer ≥ 1');
  if (!(Number.isFinite(r.wallMultiple) && r.wallMultiple > 0)) throw new RangeError('order flow: wallMultiple must be > 0');
  if (!(Number.isInteger(r.zWindowS) && r.zWindowS >= MIN_HISTORY_S)) {
    throw new RangeError(`order flow: zWindowS must be an integer ≥ ${MIN_HISTORY_S}`);
  }
  return r;
}

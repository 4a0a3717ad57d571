import type { Candle } from '@pricelevel/contracts';

export const MINUTE_MS = 60_000;

/** Higher timeframes, each rolled up from 1m candles. */
export const ROLLUP_INTERVALS = ['5m', '15m', '1h', '4h', '1d'] as const;

export type CandleSink = (candle: Candle) => void;

export interface CandleSettings {
  /** Receives every emission; the builder never touches an emitted object again. */
  onCandle: CandleSink;
  /** A sink that throws is counted (`stats().sinkErrors`) and reported here; folding goes on. */
  onSinkError?: (err: unknown, candle: Candle) => void;
  /** The clock closes a 1m candle at bucket end + this. Default 2000. */
  allowedLatenessMs?: number;
  /** Open candles are emitted at most this often (clock time, via advanceTime). 0 = never. Default 1000. */
  partialEveryMs?: number;
  /** Closed 1m candles kept for late trades; older late trades are dropped and counted. Default 1 day. */
  lateHorizonMs?: number;
  /**
   * Once the clock is known, a trade opening a bucket more than this ahead of it is dropped and
   * counted: a bad timestamp must not flood the bus with flat candles. Default 5 minutes.
   */
  maxFutureMs?: number;
}

export interface InstrumentId {
  exchange: string;
  market: string;
  symbol: string;
}

export type CandleBuilderOptions = CandleSettings & InstrumentId;

export interface CandleBuilderStats {
  /** Trades folded into a candle (including accepted late ones). */
  trades: number;
  /** Candles handed to the sink. */
  emitted: number;
  /** Late trades that corrected a closed 1m candle. */
  lateAccepted: number;
  /** Late trades older than the horizon. */
  lateDropped: number;
  /** Trades with a non-finite or negative time, or a non-positive or non-finite price or size. */
  invalidDropped: number;
  /** Trades too far ahead of the clock (see maxFutureMs). */
  futureDropped: number;
  /** Emissions whose sink threw. */
  sinkErrors: number;
}

export function emptyStats(): CandleBuilderStats {
  return {
    trades: 0,
    emitted: 0,
    lateAccepted: 0,
    lateDropped: 0,
    invalidDropped: 0,
    futureDropped: 0,
    sinkErrors: 0,
  };
}

export interface ResolvedSettings {
  allowedLatenessMs: number;
  partialEveryMs: number;
  lateHorizonMs: number;
  maxFutureMs: number;
}

export function resolveSettings(o: CandleSettings): ResolvedSettings {
  if (typeof o.onCandle !== 'function') throw new TypeError('candle builder: onCandle must be a function');
  const r: ResolvedSettings = {
    allowedLatenessMs: o.allowedLatenessMs ?? 2000,
    partialEveryMs: o.partialEveryMs ?? 1000,
    lateHorizonMs: o.lateHorizonMs ?? 86_400_000,
    maxFutureMs: o.maxFutureMs ?? 300_000,
  };
  for (const [k, v] of Object.entries(r)) {
    if (!Number.isFinite(v) || v < 0)
      throw new RangeError(`candle builder: ${k} must be a finite number >= 0, got ${v}`);
  }
  if (r.lateHorizonMs % MINUTE_MS !== 0) {
    throw new RangeError(
      `candle builder: lateHorizonMs must be a whole number of minutes, got ${r.lateHorizonMs}`,
    );
  }
  return r;
}

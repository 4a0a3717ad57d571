import { INTERVALS, type Candle, type CandleQuality, type QualityMinute } from '@pricelevel/contracts';
import type { CandleQuery, QualityMinuteQuery } from '@pricelevel/platform';

const MAX_BUCKETS = 1_000_000;

/**
 * The store query for the quality of the candles a GetCandles call returns: ledger minutes over the
 * candles' span, aggregated per candle interval in the store (counts summed, latency histograms merged,
 * so p50/p99 are read from the merged histogram: within 1 % of exact, never a max or mean of minute p99s).
 */
export function qualityQueryFor(query: CandleQuery, candles: readonly Candle[]): QualityMinuteQuery | undefined {
  const first = candles[0];
  const last = candles[candles.length - 1];
  if (first === undefined || last === undefined) return undefined;
  const bucketMs = INTERVALS[query.interval as keyof typeof INTERVALS];
  const toTs = last.openTime + bucketMs;
  return {
    exchange: query.exchange,
    market: query.market,
    symbol: query.symbol,
    fromTs: first.openTime,
    toTs,
    bucketMs,
    limit: Math.min(MAX_BUCKETS, Math.ceil((toTs - first.openTime) / bucketMs)),
  };
}

/** quality[i] for candles[i]: the ledger's bucket with the candle's open time, or zeros (minutes 0) when it has none. */
export function candleQualities(candles: readonly Candle[], buckets: readonly QualityMinute[]): CandleQuality[] {
  const byStart = new Map(buckets.map((b) => [b.windowStart, b]));
  return candles.map((c) => {
    const b = byStart.get(c.openTime);
    return {
      openTime: c.openTime,
      minutes: b?.minutes ?? 0,
      messages: b?.messages ?? 0,
      trades: b?.trades ?? 0,
      bookUpdates: b?.bookUpdates ?? 0,
      tickers: b?.tickers ?? 0,
      sequenceGaps: b?.sequenceGaps ?? 0,
      resyncs: b?.resyncs ?? 0,
      reconnects: b?.reconnects ?? 0,
      staleEvents: b?.staleEvents ?? 0,
      staleSeconds: b?.staleSeconds ?? 0,
      latencySamples: b?.latencySamples ?? 0,
      latencyP50Ms: b?.latencyP50Ms,
      latencyP99Ms: b?.latencyP99Ms,
    };
  });
}

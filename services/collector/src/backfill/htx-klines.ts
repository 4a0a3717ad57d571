import type { Candle, Interval, Market } from '@pricelevel/contracts';
import type { HtxRestClient } from '../exchanges/htx/htx-rest.js';
import { HTX_PERIODS, MAX_KLINE_SIZE } from '../exchanges/htx/periods.js';
import { HTX, normalizeHtxSymbol } from '../exchanges/htx/symbols.js';
import type { PageRequest } from './kline-pager.js';
import type { KlineSource } from './kline-source.js';

/** HTX period name of each project interval. HTX days (and weeks) start at 00:00 UTC+8 = 16:00 UTC. */
export const HTX_INTERVAL_PERIODS: Record<Interval, string> = Object.fromEntries(
  Object.entries(HTX_PERIODS).map(([period, p]) => [p.interval, period]),
) as Record<Interval, string>;

/**
 * HTX spot `/market/history/kline`: no start/end, only the latest `size` ≤ 2000 candles. History
 * older than 2000 periods back from now cannot be fetched from HTX at all (2000 × 1m ≈ 33 h,
 * × 1h ≈ 83 days, × 1d ≈ 5.5 years): the backfill stores what is reachable and reports the rest.
 */
export class HtxKlineSource implements KlineSource {
  readonly exchange = HTX;
  readonly market: Market = 'spot';
  readonly mode = 'latest' as const;
  readonly maxLimit = MAX_KLINE_SIZE;

  constructor(private readonly rest: HtxRestClient) {}

  normalize(symbol: string): string {
    return normalizeHtxSymbol(symbol);
  }

  fetch(symbol: string, interval: Interval, req: PageRequest, signal?: AbortSignal): Promise<Candle[]> {
    const period = HTX_INTERVAL_PERIODS[interval];
    if (!period) return Promise.reject(new RangeError(`HTX has no kline period for ${interval}`));
    // The parser already yields source "exchange", version 1, final = closed at the time of the answer.
    return this.rest.klines(symbol, period, req.limit, signal);
  }
}

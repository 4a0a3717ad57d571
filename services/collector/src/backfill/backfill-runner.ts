import { INTERVALS, isInterval, type Interval, type Market } from '@pricelevel/contracts';
import type { Clock, Logger, Store } from '@pricelevel/platform';
import { AbortedError } from '../exchanges/binance/weight-limiter.js';
import { KlinePager, planRange, type UnreachableRange } from './kline-pager.js';
import type { KlineSource } from './kline-source.js';
import type { ProgressSink } from './progress.js';
import { withRetry, type RetryOptions } from './retry.js';

/** What the backfill needs of the store. */
export type BackfillStore = Pick<Store, 'insertCandles' | 'candleSpan'>;

export interface BackfillSeries {
  /** Any spelling the venue accepts (BTCUSDT, BTC-USDT); stored normalized. */
  symbol: string;
  interval: Interval;
  /** First open time wanted (ms). */
  since: number;
  /** Open times before this (ms); default: up to the last closed candle. */
  until?: number;
  /** Ignore what the store holds and fetch [since, until) again (idempotent: the store replaces). */
  full?: boolean;
}

export interface BackfillDeps {
  store: BackfillStore;
  /** The venue market to fetch from; its exchange and market name the stored series. */
  source: KlineSource;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** Candles per request; default (and at most) the venue's largest page. */
  pageLimit?: number;
  retry?: Omit<RetryOptions, 'clock' | 'signal'>;
}

export interface BackfillResult {
  exchange: string;
  market: Market;
  symbol: string;
  interval: Interval;
  /** The planned open-time range [from, to); empty when the store was already up to date. */
  from: number;
  to: number;
  requests: number;
  stored: number;
  /** The store's last open time for the series after the run. */
  lastOpenTime?: number;
  /** History the venue can no longer serve (HTX: older than its latest 2000 candles). */
  unreachable?: UnreachableRange;
}

/**
 * Fetches the venue klines a series lacks and stores them (source "exchange", version 1, final):
 * from where the store ends (see planRange) to the last closed candle, page by page, oldest first.
 * Each page is stored before the next is asked for, so an interrupted run leaves a contiguous prefix
 * and the next run resumes after it. Rate limits and transient failures are retried with back-off
 * (Binance additionally waits in its weight limiter); a venue whose answers do not advance the
 * cursor fails with BackfillPagingError.
 */
export async function backfillSeries(series: BackfillSeries, deps: BackfillDeps): Promise<BackfillResult> {
  const { source, store, clock, signal } = deps;
  if (!isInterval(series.interval)) throw new RangeError(`unknown interval ${JSON.stringify(series.interval)}`);
  if (!Number.isSafeInteger(series.since)) throw new RangeError('since must be epoch ms');
  const symbol = source.normalize(series.symbol);
  const interval = series.interval;
  const intervalMs = INTERVALS[interval];
  const key = { exchange: source.exchange, market: source.market, symbol, interval, source: 'exchange' };
  const label = `${source.exchange}:${source.market}:${symbol} ${interval}`;
  const log = deps.logger.child({ component: 'backfill', series: label });
  const pageLimit = Math.min(deps.pageLimit ?? source.maxLimit, source.maxLimit);

  const stored = await store.candleSpan(key);
  const now = clock.now();
  const range = planRange({ since: series.since, ...(series.until !== undefined ? { until: series.until } : {}), now, intervalMs, ...(stored ? { stored } : {}), full: series.full ?? false });
  if (range.headBefore !== undefined) {
    log.info(
      { since: iso(series.since), storeStartsAt: iso(range.headBefore) },
      'the store starts after since: taken as the start of the venue history (run with full to fetch before it)',
    );
  }
  const result: BackfillResult = {
    exchange: source.exchange, market: source.market, symbol, interval, from: range.start, to: Math.max(range.start, range.end), requests: 0, stored: 0,
    ...(stored ? { lastOpenTime: stored.lastOpenTime } : {}),
  };
  const pager = new KlinePager({ mode: source.mode, start: range.start, end: range.end, intervalMs, limit: pageLimit, now });
  const report = (phase: 'start' | 'page' | 'end') =>
    deps.progress?.({ phase, label, ...pager.progress(), stored: result.stored, requests: result.requests });
  if (pager.done) {
    log.debug({ from: iso(range.start), to: iso(range.end) }, 'backfill: nothing missing');
    return result;
  }
  report('start');
  for (let req = pager.next(); req; req = pager.next()) {
    if (signal?.aborted) throw new AbortedError();
    const page = req;
    const rows = await withRetry(
      () => {
        result.requests++;
        return source.fetch(symbol, interval, page, signal);
      },
      { ...deps.retry, clock, ...(signal ? { signal } : {}), onRetry: (err, attempt, delayMs) => log.warn({ err: String(err), attempt, delayMs }, 'backfill request failed; retrying') },
    );
    const keep = pager.accept(rows).map((c) => ({ ...c, symbol, final: true }));
    if (keep.length > 0) {
      await store.insertCandles(keep);
      result.stored += keep.length;
      result.lastOpenTime = keep[keep.length - 1]!.openTime;
    }
    report('page');
  }
  report('end');
  if (pager.unreachable) {
    result.unreachable = pager.unreachable;
    log.warn(
      { from: iso(pager.unreachable.from), to: iso(pager.unreachable.to) },
      'the venue no longer serves this part of the range (it keeps only its latest candles): not backfilled',
    );
  }
  log.debug({ from: iso(range.start), to: iso(range.end), requests: result.requests, stored: result.stored }, 'backfill done');
  return result;
}

function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

import { Side, type Market, type Trade } from '@pricelevel/contracts';
import type { Clock } from '@pricelevel/platform';
import type { GapFetcher } from '../trade-gap-filler.js';
import { nextIdPage } from '../trade-continuity.js';
import { BinanceRestError } from './binance-rest.js';
import { BINANCE } from './symbols.js';
import type { WeightLimiter } from './weight-limiter.js';

/** `aggTrades` answers at most 1000 rows; weight 4 on spot (/api/v3), 20 on USDⓈ-M (/fapi/v1). */
export const AGG_TRADES_MAX_LIMIT = 1000;
export const aggTradesWeight = (market: Market): number => (market === 'spot' ? 4 : 20);

export interface AggTradesFetcherOptions {
  restUrl: string;
  market: Market;
  limiter: WeightLimiter;
  clock: Clock;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  /** Trades fetched per gap at most; the rest of a longer gap is reported unrecoverable. Default 10 000. */
  maxTradesPerGap?: number;
}

/** One REST aggTrade row (`{a,p,q,f,l,T,m,M}`) → Trade; throws on anything else. */
export function parseRestAggTrade(row: unknown, market: Market, symbol: string, receivedTs: number): Trade {
  const r = row as Record<string, unknown> | null;
  const price = typeof r?.p === 'string' ? Number(r.p) : NaN;
  const size = typeof r?.q === 'string' ? Number(r.q) : NaN;
  const ints = [r?.a, r?.f, r?.l, r?.T];
  if (!r || !(price > 0 && price < Infinity && size >= 0 && size < Infinity) || !ints.every((x) => Number.isSafeInteger(x)) || typeof r.m !== 'boolean') {
    throw new Error(`aggTrades row invalid: ${JSON.stringify(row).slice(0, 80)}`);
  }
  const [a, f, l, T] = ints as number[];
  return {
    exchange: BINANCE,
    market,
    symbol,
    tradeId: String(a),
    price,
    size,
    side: r.m ? Side.SIDE_SELL : Side.SIDE_BUY,
    exchangeTs: T!,
    receivedTs,
    tradeCount: l! - f! + 1,
  };
}

/**
 * Binance aggTrade ids `a` are consecutive per symbol and market, so a gap is fetched exactly with
 * `aggTrades?fromId=<first missing>&limit=<count>`, paging by 1000 behind the weight limiter.
 */
export function aggTradesGapFetcher(options: AggTradesFetcherOptions): GapFetcher {
  const base = options.restUrl.replace(/\/+$/, '');
  const path = options.market === 'spot' ? '/api/v3/aggTrades' : '/fapi/v1/aggTrades';
  const fetchFn = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxTrades = options.maxTradesPerGap ?? 10_000;

  async function page(symbol: string, fromId: number, limit: number, signal: AbortSignal): Promise<Trade[]> {
    // Low priority: gap fills use half the weight budget, so book resyncs are never starved by them.
    await options.limiter.acquire(aggTradesWeight(options.market), signal, true);
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = options.clock.setTimeout(() => controller.abort(), timeoutMs);
    try {
      const url = `${base}${path}?${new URLSearchParams({ symbol, fromId: String(fromId), limit: String(limit) }).toString()}`;
      const res = await fetchFn(url, { signal: controller.signal, headers: { accept: 'application/json' } });
      options.limiter.onResponse(res.status, res.headers);
      const text = await res.text();
      if (!res.ok) throw new BinanceRestError(`GET ${path} → ${res.status}: ${text.slice(0, 80)}`, res.status);
      const body: unknown = JSON.parse(text);
      if (!Array.isArray(body)) throw new Error(`GET ${path}: body is not an array`);
      const now = options.clock.now();
      return body.map((row) => parseRestAggTrade(row, options.market, symbol, now));
    } catch (err) {
      if (controller.signal.aborted && !(err instanceof BinanceRestError)) {
        throw new Error(signal.aborted ? `GET ${path} aborted` : `GET ${path} timed out after ${timeoutMs} ms`);
      }
      throw err;
    } finally {
      timer.cancel();
      signal.removeEventListener('abort', onAbort);
    }
  }

  return async function* (gap, _tracker, signal) {
    const last = Math.min(gap.toId, gap.fromId + maxTrades - 1);
    let cursor = gap.fromId;
    for (let p = nextIdPage({ ...gap, toId: last }, cursor, AGG_TRADES_MAX_LIMIT); p; p = nextIdPage({ ...gap, toId: last }, cursor, AGG_TRADES_MAX_LIMIT)) {
      const trades = await page(gap.symbol, p.fromId, p.limit, signal);
      yield trades;
      const top = trades.reduce((m, t) => Math.max(m, Number(t.tradeId)), -1);
      // An empty page or one that does not move forward: the venue has nothing more for this range.
      if (top < cursor) return;
      cursor = top + 1;
    }
  };
}

import type { Market, Venue } from '@pricelevel/contracts';
import type { Candle, Interval } from '@pricelevel/contracts';
import type { Clock, Config } from '@pricelevel/platform';
import { BinanceRestClient } from '../exchanges/binance/binance-rest.js';
import { PERP_WEIGHT_PER_MINUTE, SPOT_WEIGHT_PER_MINUTE, WeightLimiter } from '../exchanges/binance/weight-limiter.js';
import { BingxRestClient } from '../exchanges/bingx/bingx-rest.js';
import { BybitRestClient } from '../exchanges/bybit/bybit-rest.js';
import { HtxRestClient } from '../exchanges/htx/htx-rest.js';
import { BinanceKlineSource } from './binance-klines.js';
import { BingxKlineSource } from './bingx-klines.js';
import { BybitKlineSource } from './bybit-klines.js';
import { HtxKlineSource } from './htx-klines.js';
import type { PageRequest } from './kline-pager.js';
import type { KlineSource } from './kline-source.js';
import { RequestPacer } from './retry.js';

/** The REST endpoints a backfill reads, as configured. */
export type KlineRestUrls = Pick<
  Config,
  'BINANCE_SPOT_REST_URL' | 'BINANCE_PERP_REST_URL' | 'BYBIT_REST_URL' | 'BINGX_PERP_REST_URL' | 'HTX_REST_URL'
>;

/**
 * Least time between two kline requests to venues whose REST client has no limiter. Venue limits per
 * IP: Bybit 600 requests / 5 s, BingX and HTX on the order of 10 / s for market data; the backfill
 * keeps well under, leaving the budget to the live collector. Binance goes through its weight limiter.
 */
export const DEFAULT_MIN_GAP_MS: Record<Venue, number> = { binance: 0, bybit: 50, bingx: 200, htx: 100 };

export interface KlineSourceDeps {
  clock: Clock;
  fetch?: typeof globalThis.fetch;
  /** Share the collector's Binance limiter for this market; by default the source makes its own. */
  binanceLimiter?: WeightLimiter;
  minGapMs?: Partial<Record<Venue, number>>;
}

/** The kline source of one venue market, on the venue's REST client. Throws for a market the venue lacks. */
export function klineSourceFor(exchange: Venue, market: Market, urls: KlineRestUrls, deps: KlineSourceDeps): KlineSource {
  const { clock } = deps;
  const f = deps.fetch ? { fetch: deps.fetch } : {};
  const gap = deps.minGapMs?.[exchange] ?? DEFAULT_MIN_GAP_MS[exchange];
  const paced = (s: KlineSource) => (gap > 0 ? withPacing(s, new RequestPacer(clock, gap)) : s);
  switch (exchange) {
    case 'binance': {
      const limiter =
        deps.binanceLimiter ?? new WeightLimiter({ limitPerMinute: market === 'spot' ? SPOT_WEIGHT_PER_MINUTE : PERP_WEIGHT_PER_MINUTE, clock });
      const restUrl = market === 'spot' ? urls.BINANCE_SPOT_REST_URL : urls.BINANCE_PERP_REST_URL;
      return paced(new BinanceKlineSource(new BinanceRestClient({ restUrl, market, limiter, clock, ...f }), market, clock));
    }
    case 'bybit':
      return paced(new BybitKlineSource(new BybitRestClient({ restUrl: urls.BYBIT_REST_URL, market, clock, ...f }), market, clock));
    case 'bingx':
      if (market !== 'perp') throw new Error('BingX klines exist for the perp market only');
      return paced(new BingxKlineSource(new BingxRestClient({ restUrl: urls.BINGX_PERP_REST_URL, market, clock, ...f }), market, clock));
    case 'htx':
      if (market !== 'spot') throw new Error('HTX klines exist for the spot market only');
      return paced(new HtxKlineSource(new HtxRestClient({ restUrl: urls.HTX_REST_URL, clock, ...f })));
    default:
      throw new Error(`no kline source for exchange ${JSON.stringify(exchange)}`);
  }
}

/** The same source, with at least the pacer's gap between request starts. */
export function withPacing(source: KlineSource, pacer: RequestPacer): KlineSource {
  return {
    exchange: source.exchange,
    market: source.market,
    mode: source.mode,
    maxLimit: source.maxLimit,
    normalize: (s) => source.normalize(s),
    async fetch(symbol: string, interval: Interval, req: PageRequest, signal?: AbortSignal): Promise<Candle[]> {
      await pacer.wait(signal);
      return source.fetch(symbol, interval, req, signal);
    },
  };
}

import { venueHasMarket, type Market, type Venue } from '@pricelevel/contracts';
import type { Config, Platform } from '@pricelevel/platform';
import { BinanceAdapter } from './exchanges/binance/binance-adapter.js';
import { BingxAdapter } from './exchanges/bingx/bingx-adapter.js';
import { BybitAdapter } from './exchanges/bybit/bybit-adapter.js';
import type { ExchangeAdapter, ExchangeAdapterOptions } from './exchanges/exchange-adapter.js';
import { HtxAdapter } from './exchanges/htx/htx-adapter.js';

type Base = Omit<ExchangeAdapterOptions, 'market' | 'urls'>;

function adapterFor(venue: Venue, market: Market, base: Base, c: Config): ExchangeAdapter {
  switch (venue) {
    case 'binance':
      return new BinanceAdapter({
        ...base,
        market,
        urls:
          market === 'spot'
            ? { wsUrl: c.BINANCE_SPOT_WS_URL, restUrl: c.BINANCE_SPOT_REST_URL }
            : { wsUrl: c.BINANCE_PERP_WS_URL, restUrl: c.BINANCE_PERP_REST_URL },
        openInterestIntervalMs: c.BINANCE_OI_POLL_MS,
      });
    case 'bybit':
      return new BybitAdapter({
        ...base,
        market,
        urls: { wsUrl: market === 'spot' ? c.BYBIT_SPOT_WS_URL : c.BYBIT_PERP_WS_URL, restUrl: c.BYBIT_REST_URL },
      });
    case 'bingx':
      return new BingxAdapter({
        ...base,
        market,
        urls: { wsUrl: c.BINGX_PERP_WS_URL, restUrl: c.BINGX_PERP_REST_URL },
        restPollIntervalMs: c.BINGX_REST_POLL_MS,
      });
    case 'htx':
      return new HtxAdapter({ ...base, market, urls: { wsUrl: c.HTX_WS_URL, restUrl: c.HTX_REST_URL } });
  }
}

/** One adapter per configured (venue, market) the venue has, all on the platform's bus, clock and logger. */
export function adaptersFromConfig(platform: Pick<Platform, 'bus' | 'clock' | 'logger'>, c: Config): ExchangeAdapter[] {
  const base: Base = { symbols: c.PL_SYMBOLS, bus: platform.bus, clock: platform.clock, logger: platform.logger };
  return c.PL_EXCHANGES.flatMap((venue) =>
    c.PL_MARKETS.filter((m) => venueHasMarket(venue, m)).map((market) => adapterFor(venue, market, base, c)),
  );
}

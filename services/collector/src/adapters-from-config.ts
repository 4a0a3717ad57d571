import type { Config, Platform } from '@pricelevel/platform';
import { BinanceAdapter } from './exchanges/binance/binance-adapter.js';
import type { ExchangeAdapter } from './exchanges/exchange-adapter.js';

/** One adapter per configured (venue, market), all on the platform's bus, clock and logger. */
export function adaptersFromConfig(platform: Pick<Platform, 'bus' | 'clock' | 'logger'>, c: Config): ExchangeAdapter[] {
  const out: ExchangeAdapter[] = [];
  for (const exchange of c.PL_EXCHANGES) {
    for (const market of c.PL_MARKETS) {
      switch (exchange) {
        case 'binance':
          out.push(
            new BinanceAdapter({
              symbols: c.PL_SYMBOLS,
              market,
              urls:
                market === 'spot'
                  ? { wsUrl: c.BINANCE_SPOT_WS_URL, restUrl: c.BINANCE_SPOT_REST_URL }
                  : { wsUrl: c.BINANCE_PERP_WS_URL, restUrl: c.BINANCE_PERP_REST_URL },
              bus: platform.bus,
              clock: platform.clock,
              logger: platform.logger,
              openInterestIntervalMs: c.BINANCE_OI_POLL_MS,
            }),
          );
          break;
      }
    }
  }
  return out;
}

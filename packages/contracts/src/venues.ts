import type { Market } from './topics.js';
import { Completeness } from './gen/pricelevel/marketdata/v1/liquidation.js';

/** The venues pricelevel collects and the markets each one has (BingX: perpetual swaps; HTX: spot). */
export const VENUE_MARKETS = {
  binance: ['spot', 'perp'],
  bybit: ['spot', 'perp'],
  bingx: ['perp'],
  htx: ['spot'],
} as const satisfies Record<string, readonly Market[]>;

export type Venue = keyof typeof VENUE_MARKETS;
export const VENUES = Object.keys(VENUE_MARKETS) as Venue[];

export function venueHasMarket(venue: Venue, market: Market): boolean {
  return (VENUE_MARKETS[venue] as readonly Market[]).includes(market);
}

/**
 * How much of a venue market's liquidations its public stream carries (see liquidation.proto):
 * Binance USDⓈ-M pushes at most one per symbol per second, Bybit's allLiquidation is complete, BingX
 * has no public stream, and spot markets have no liquidations.
 */
export function liquidationCompleteness(venue: string, market: string): Completeness {
  if (market !== 'perp') return Completeness.COMPLETENESS_UNAVAILABLE;
  switch (venue) {
    case 'binance':
      return Completeness.COMPLETENESS_SAMPLED;
    case 'bybit':
      return Completeness.COMPLETENESS_FULL;
    default:
      return Completeness.COMPLETENESS_UNAVAILABLE;
  }
}

import type { Market } from './topics.js';

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

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { VENUE_MARKETS, VENUES, venueHasMarket, type Market, type Venue } from '@pricelevel/contracts';

/** A bad command line: the command prints it with its usage and exits 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every instrument command takes: --exchange (default binance), --market (default spot), --symbol, --help. */
export const INSTRUMENT_OPTIONS = {
  exchange: { type: 'string', default: 'binance' },
  market: { type: 'string', default: 'spot' },
  symbol: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

/** Strict flags, no positionals; a parse error is a UsageError. */
type Flags<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; strict: true; allowPositionals: false; options: O }>>['values'];

export function parseFlags<O extends Options>(argv: string[], options: O): Flags<O> {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** A venue the project collects, and one of its markets (all of its markets when `market` is undefined). */
export function venueAndMarkets(exchange: string | undefined, market: string | undefined): { venue: Venue; markets: Market[] } {
  if (!exchange) throw new UsageError('--exchange is required');
  if (!(VENUES as readonly string[]).includes(exchange)) throw new UsageError(`unknown exchange ${JSON.stringify(exchange)}; one of ${VENUES.join(', ')}`);
  const venue = exchange as Venue;
  if (market === undefined) return { venue, markets: [...VENUE_MARKETS[venue]] };
  if (market !== 'spot' && market !== 'perp') throw new UsageError(`--market must be spot or perp, got ${JSON.stringify(market)}`);
  if (!venueHasMarket(venue, market)) throw new UsageError(`${venue} has no ${market} market (it has ${VENUE_MARKETS[venue].join(', ')})`);
  return { venue, markets: [market] };
}

/** One venue market, as the single-market commands take it. */
export function venueAndMarket(exchange: string | undefined, market: string | undefined): { venue: Venue; market: Market } {
  const { venue, markets } = venueAndMarkets(exchange, market ?? 'spot');
  return { venue, market: markets[0]! };
}

/** A comma-separated list, trimmed, empty items dropped. */
export function list(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

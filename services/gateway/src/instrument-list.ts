import { INTERVAL_NAMES, liquidationCompleteness, MARKETS, type Instrument, type ListInstrumentsRequest } from '@pricelevel/contracts';
import { EXCHANGE_RE, invalid, type InstrumentRef } from './instruments.js';
import { fail, type Resolved } from './query-args.js';

/** What the gateway knows of each instrument beyond its name. */
export interface InstrumentState {
  hasFeatures(ref: InstrumentRef): boolean;
  hasLevels(ref: InstrumentRef): boolean;
}

/**
 * The collected instruments matching the request's filters, in catalog order. Every instrument gets
 * every candle interval: the aggregator builds them all for whatever the collector records.
 */
export function listInstruments(req: ListInstrumentsRequest, catalog: readonly InstrumentRef[], state: InstrumentState): Resolved<Instrument[]> {
  const { exchange, market } = req;
  if (exchange !== undefined && !EXCHANGE_RE.test(exchange)) {
    return fail(invalid(`exchange ${JSON.stringify(exchange)} is malformed: lower-case letters, digits, _ or -`));
  }
  if (market !== undefined && !(MARKETS as readonly string[]).includes(market)) {
    return fail(invalid(`market ${JSON.stringify(market)} is unknown: one of ${MARKETS.join(', ')}`));
  }
  const value = catalog
    .filter((ref) => (exchange === undefined || ref.exchange === exchange) && (market === undefined || ref.market === market))
    .map((ref) => ({
      exchange: ref.exchange,
      market: ref.market,
      symbol: ref.symbol,
      intervals: [...INTERVAL_NAMES],
      hasFeatures: state.hasFeatures(ref),
      hasLevels: state.hasLevels(ref),
      liquidationCompleteness: liquidationCompleteness(ref.exchange, ref.market),
    }));
  return { ok: true, value };
}

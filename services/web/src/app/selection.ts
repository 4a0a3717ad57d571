import { channels, type Channel } from '@pricelevel/client/protocol';
import { arr, str, type Json } from './json-fields.js';

/** What the chart shows. */
export interface Selection {
  exchange: string;
  market: string;
  symbol: string;
  interval: string;
}

/** One row of ListInstruments, as the pickers need it. */
export interface InstrumentRow {
  exchange: string;
  market: string;
  symbol: string;
  intervals: string[];
  hasLevels: boolean;
}

export function readInstruments(rows: readonly Json[]): InstrumentRow[] {
  return rows.map((r) => ({
    exchange: str(r, 'exchange'),
    market: str(r, 'market'),
    symbol: str(r, 'symbol'),
    intervals: arr(r, 'intervals').filter((x): x is string => typeof x === 'string'),
    hasLevels: r.hasLevels === true,
  }));
}

const unique = (xs: string[]) => [...new Set(xs)];

/** The choices each picker offers given the ones above it (exchange → market → symbol → interval). */
export function choices(list: readonly InstrumentRow[], s: Partial<Selection>) {
  const exchanges = unique(list.map((r) => r.exchange));
  const markets = unique(list.filter((r) => r.exchange === s.exchange).map((r) => r.market));
  const symbols = unique(list.filter((r) => r.exchange === s.exchange && r.market === s.market).map((r) => r.symbol));
  const row = list.find((r) => r.exchange === s.exchange && r.market === s.market && r.symbol === s.symbol);
  return { exchanges, markets, symbols, intervals: row?.intervals ?? [] };
}

/**
 * A valid selection as close to `wanted` as the list allows: each part kept when offered, else the first
 * offered; the first instrument with levels is the default. Undefined when the list is empty.
 */
export function resolveSelection(list: readonly InstrumentRow[], wanted: Partial<Selection>): Selection | undefined {
  const first = list.find((r) => r.hasLevels) ?? list[0];
  if (!first) return undefined;
  const pick = (offered: string[], want: string | undefined, fallback: string | undefined) =>
    want !== undefined && offered.includes(want) ? want : fallback !== undefined && offered.includes(fallback) ? fallback : offered[0];
  const exchange = pick(choices(list, {}).exchanges, wanted.exchange, first.exchange)!;
  const market = pick(choices(list, { exchange }).markets, wanted.market, first.market)!;
  const symbol = pick(choices(list, { exchange, market }).symbols, wanted.symbol, first.symbol)!;
  const intervals = choices(list, { exchange, market, symbol }).intervals;
  const interval = pick(intervals, wanted.interval, '1m') ?? '1m';
  return { exchange, market, symbol, interval };
}

export function selectionFromQuery(q: URLSearchParams): Partial<Selection> {
  const out: Partial<Selection> = {};
  for (const k of ['exchange', 'market', 'symbol', 'interval'] as const) {
    const v = q.get(k);
    if (v) out[k] = v;
  }
  return out;
}

/** The WebSocket channels the page watches for one selection. */
export interface ChartChannels {
  candles: Channel<'candles'>;
  levels: Channel<'levels'>;
  features: Channel<'features'>;
  quality: Channel<'quality'>;
}

export function chartChannels(s: Selection): ChartChannels {
  return {
    candles: channels.candles(s.exchange, s.market, s.symbol, s.interval),
    levels: channels.levels(s.exchange, s.market, s.symbol),
    features: channels.features(s.exchange, s.market, s.symbol),
    quality: channels.quality(s.exchange, s.market, s.symbol),
  };
}

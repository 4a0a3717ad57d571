import type { Market } from '@pricelevel/contracts';

export const BINANCE = 'binance';

const SYMBOL_RE = /^[A-Z0-9_]{2,32}$/;

/**
 * Normalized instrument symbol: upper case, separators removed (`btcusdt`, `BTC-USDT`, `btc/usdt`
 * → `BTCUSDT`). `_` stays: it is part of Binance delivery symbols (`BTCUSDT_240628`).
 * Throws on anything that cannot be a Binance symbol, so bad config fails loudly at start.
 */
export function normalizeSymbol(raw: string): string {
  const s = String(raw).trim().toUpperCase().replace(/[-/]/g, '');
  if (!SYMBOL_RE.test(s)) throw new Error(`invalid Binance symbol: ${JSON.stringify(raw)}`);
  return s;
}

/** Normalized, de-duplicated symbol list; throws on an empty list or an invalid symbol. */
export function normalizeSymbols(raw: readonly string[]): string[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new Error('at least one symbol is required');
  return [...new Set(raw.map(normalizeSymbol))];
}

/** Streams the collector subscribes per symbol: spot trades + 100 ms diffs; perp adds mark price and liquidations. */
export function streamsFor(symbol: string, market: Market): string[] {
  const s = symbol.toLowerCase();
  const streams = [`${s}@aggTrade`, `${s}@depth@100ms`];
  if (market === 'perp') streams.push(`${s}@markPrice@1s`, `${s}@forceOrder`);
  return streams;
}

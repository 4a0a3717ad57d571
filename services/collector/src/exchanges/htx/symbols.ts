export const HTX = 'htx';

const SYMBOL_RE = /^[A-Z0-9]{2,32}$/;

/**
 * Normalized symbol (`btcusdt`, `BTC-USDT`, `btc/usdt` → `BTCUSDT`). HTX spot names are the same
 * letters in lower case (`btcusdt`): see `nativeSymbol`. Throws on anything that cannot be one.
 */
export function normalizeHtxSymbol(raw: string): string {
  const s = String(raw).trim().toUpperCase().replace(/[-/_]/g, '');
  if (!SYMBOL_RE.test(s)) throw new Error(`invalid HTX symbol: ${JSON.stringify(raw)}`);
  return s;
}

/** The venue's own name of a normalized symbol (`BTCUSDT` → `btcusdt`). */
export function nativeSymbol(symbol: string): string {
  return symbol.toLowerCase();
}

/** Normalized, de-duplicated symbol list; throws on an empty list or an invalid symbol. */
export function normalizeHtxSymbols(raw: readonly string[]): string[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new Error('at least one symbol is required');
  return [...new Set(raw.map(normalizeHtxSymbol))];
}

/** Depth of the MBP incremental channel the collector uses (REQ refresh exists for 5, 20 and 150). */
export const MBP_LEVELS = 150;

export const tradeTopic = (symbol: string): string => `market.${nativeSymbol(symbol)}.trade.detail`;
export const klineTopic = (symbol: string, period = '1min'): string => `market.${nativeSymbol(symbol)}.kline.${period}`;
export const mbpTopic = (symbol: string, levels = MBP_LEVELS): string => `market.${nativeSymbol(symbol)}.mbp.${levels}`;

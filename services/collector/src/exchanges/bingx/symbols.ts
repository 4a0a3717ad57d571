export const BINGX = 'bingx';

const QUOTES = ['USDT', 'USDC', 'USD'];
const NATIVE_RE = /^[A-Z0-9]{1,20}-[A-Z0-9]{2,10}$/;

/** One instrument under both names: the project's (`BTCUSDT`) and the venue's (`BTC-USDT`). */
export interface BingxSymbol {
  symbol: string;
  native: string;
}

/**
 * `BTCUSDT`, `btc-usdt`, `BTC/USDT`, `BTC-USDT` → { symbol: 'BTCUSDT', native: 'BTC-USDT' }. A name
 * without a hyphen is split before its quote asset (USDT, USDC, USD). Throws on anything else, so bad
 * config fails loudly at start.
 */
export function bingxSymbol(raw: string): BingxSymbol {
  const s = String(raw).trim().toUpperCase().replace('/', '-');
  let native = s;
  if (!s.includes('-')) {
    const q = QUOTES.find((quote) => s.length > quote.length && s.endsWith(quote));
    native = q ? `${s.slice(0, -q.length)}-${q}` : s;
  }
  if (!NATIVE_RE.test(native)) throw new Error(`invalid BingX swap symbol: ${JSON.stringify(raw)}`);
  return { symbol: native.replace('-', ''), native };
}

/** Normalized, de-duplicated list; throws on an empty list or an invalid symbol. */
export function bingxSymbols(raw: readonly string[]): BingxSymbol[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new Error('at least one symbol is required');
  const seen = new Map<string, BingxSymbol>();
  for (const r of raw) {
    const s = bingxSymbol(r);
    seen.set(s.symbol, s);
  }
  return [...seen.values()];
}

/** The dataTypes the collector subscribes per symbol: trades, incremental depth, mark price. */
export function bingxTopicsFor(native: string): string[] {
  return [`${native}@trade`, `${native}@incrDepth`, `${native}@markPrice`];
}

/**
 * BingX perpetual swap V2 instruments: native names carry a hyphen (`BTC-USDT`), the project's names do
 * not (`BTCUSDT`). Precision follows the real captures: BTC-USDT prices with 1 decimal and quantities with
 * 4 ("42214.0" × "0.0248", rest_swap_v2_quote_trades), ETH-USDT 2 and 2 ("2983.48" × "1.92", ws_swap_trade).
 */
import { symbolSpec, type SymbolSpec } from '../symbol-spec.js';

const KNOWN: Record<string, Omit<SymbolSpec, 'symbol' | 'market'>> = {
  BTCUSDT: { priceDecimals: 1, tickUnits: 1, qtyDecimals: 4, lotUnits: 1 },
  ETHUSDT: { priceDecimals: 2, tickUnits: 1, qtyDecimals: 2, lotUnits: 1 },
};

const QUOTES = ['USDT', 'USDC', 'USD'];

/** `BTCUSDT`, `btc-usdt`, `BTC-USDT` → `BTC-USDT`; throws when no known quote asset ends the name. */
export function bingxNative(symbol: string): string {
  const s = symbol.trim().toUpperCase();
  if (/^[A-Z0-9]+-[A-Z0-9]+$/.test(s)) return s;
  const flat = s.replace(/[-/_]/g, '');
  for (const q of QUOTES) {
    if (flat.length > q.length && flat.endsWith(q)) return `${flat.slice(0, -q.length)}-${q}`;
  }
  throw new Error(`not a BingX swap symbol: ${JSON.stringify(symbol)}`);
}

/** `BTC-USDT` → `BTCUSDT`. */
export function bingxFlat(native: string): string {
  return native.replace('-', '');
}

export function bingxSpec(flat: string, price: number): SymbolSpec {
  const known = KNOWN[flat];
  return known ? { symbol: flat, market: 'perp', ...known } : symbolSpec('perp', flat, price);
}

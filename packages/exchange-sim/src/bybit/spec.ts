/**
 * Bybit instrument precision and number formatting. Spot strings are trimmed of trailing zeros
 * ("20575", "65557.7"); linear strings carry the contract's fixed price/qty scale ("16493.50", "0.006").
 */
import { formatScaled } from '../decimal.js';
import type { Market, SymbolSpec } from '../symbol-spec.js';

const KNOWN: Record<Market, Record<string, Omit<SymbolSpec, 'symbol' | 'market'>>> = {
  // Bybit instruments-info: spot BTCUSDT tick 0.01 / base step 0.000001; ETHUSDT tick 0.01 / 0.00001.
  spot: {
    BTCUSDT: { priceDecimals: 2, tickUnits: 1, qtyDecimals: 6, lotUnits: 1 },
    ETHUSDT: { priceDecimals: 2, tickUnits: 1, qtyDecimals: 5, lotUnits: 1 },
  },
  // linear BTCUSDT priceScale 2, tick 0.10, qty step 0.001; ETHUSDT tick 0.01, qty step 0.01.
  perp: {
    BTCUSDT: { priceDecimals: 2, tickUnits: 10, qtyDecimals: 3, lotUnits: 1 },
    ETHUSDT: { priceDecimals: 2, tickUnits: 1, qtyDecimals: 2, lotUnits: 1 },
  },
};

export const BYBIT_START_PRICE: Record<string, number> = { BTCUSDT: 60_000, ETHUSDT: 3_000, XRPUSDT: 2 };

/** Spec for a symbol: real filters for known symbols, else derived from the price's magnitude. */
export function bybitSpec(market: Market, symbol: string, price: number): SymbolSpec {
  const known = KNOWN[market][symbol];
  if (known) return { symbol, market, ...known };
  const mag = Math.floor(Math.log10(Math.max(price, 1e-8)));
  const priceDecimals = Math.min(Math.max(4 - mag, 1), 7);
  // Keep price × qty decimals ≤ 8 so every notional sum is exact in the kline turnover.
  const qtyDecimals = Math.min(Math.max(mag - 1, 0), 8 - priceDecimals, 3);
  return { symbol, market, priceDecimals, tickUnits: 1, qtyDecimals: Math.max(0, qtyDecimals), lotUnits: 1 };
}

/** Remove trailing fractional zeros (and a bare point): "20575.00" → "20575". */
export function trimZeros(s: string): string {
  if (s.indexOf('.') < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

export function fmtPrice(spec: SymbolSpec, units: number | bigint): string {
  const s = formatScaled(units, spec.priceDecimals);
  return spec.market === 'spot' ? trimZeros(s) : s;
}

export function fmtQty(spec: SymbolSpec, units: number | bigint): string {
  if (units === 0 || units === 0n) return '0';
  const s = formatScaled(units, spec.qtyDecimals);
  return spec.market === 'spot' ? trimZeros(s) : s;
}

/** Bybit's category for our market names. */
export type BybitCategory = 'spot' | 'linear';
export const categoryOf = (m: Market): BybitCategory => (m === 'spot' ? 'spot' : 'linear');
export const marketOf = (c: string): Market | null => (c === 'spot' ? 'spot' : c === 'linear' ? 'perp' : null);

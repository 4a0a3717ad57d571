import type { SymbolSpec } from '../symbol-spec.js';

/** HTX spot precisions (price-precision / amount-precision of /v1/common/symbols) for known symbols. */
const KNOWN: Record<string, Omit<SymbolSpec, 'symbol' | 'market'>> = {
  BTCUSDT: { priceDecimals: 2, tickUnits: 1, qtyDecimals: 6, lotUnits: 1 },
  ETHUSDT: { priceDecimals: 2, tickUnits: 1, qtyDecimals: 4, lotUnits: 1 },
};

export const HTX_DEFAULT_START_PRICE: Record<string, number> = { BTCUSDT: 60_000, ETHUSDT: 3_000 };

/** Spec of an HTX spot symbol: the venue's precisions when known, else ~5 significant price digits. */
export function htxSpec(symbol: string, price: number): SymbolSpec {
  const known = KNOWN[symbol];
  if (known) return { symbol, market: 'spot', ...known };
  const mag = Math.floor(Math.log10(Math.max(price, 1e-10)));
  const priceDecimals = Math.min(Math.max(4 - mag, 0), 10);
  const qtyDecimals = Math.min(Math.max(mag + 2, 0), 8);
  return { symbol, market: 'spot', priceDecimals, tickUnits: 1, qtyDecimals, lotUnits: 1 };
}

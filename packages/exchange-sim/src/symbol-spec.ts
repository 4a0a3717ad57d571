import { formatScaled } from './decimal.js';

export type Market = 'spot' | 'perp';

/**
 * How a symbol's prices and quantities look on a market. Internally a price is an integer number of
 * 10^-priceDecimals units (a multiple of `tickUnits`); a quantity an integer number of 10^-qtyDecimals
 * units (a multiple of `lotUnits`). Spot strings always carry 8 decimals (as the venue sends them);
 * USDⓈ-M strings carry the contract's own precision ("58665.00", "0.043").
 */
export interface SymbolSpec {
  symbol: string;
  market: Market;
  priceDecimals: number;
  tickUnits: number;
  qtyDecimals: number;
  lotUnits: number;
}

const KNOWN: Record<Market, Record<string, Omit<SymbolSpec, 'symbol' | 'market'>>> = {
  // Binance filters: spot BTCUSDT tick 0.01 / step 0.00001; ETHUSDT tick 0.01 / step 0.0001.
  spot: {
    BTCUSDT: { priceDecimals: 8, tickUnits: 1_000_000, qtyDecimals: 8, lotUnits: 1_000 },
    ETHUSDT: { priceDecimals: 8, tickUnits: 1_000_000, qtyDecimals: 8, lotUnits: 10_000 },
  },
  // USDⓈ-M: BTCUSDT tick 0.10 / step 0.001 (2 price decimals shown); ETHUSDT tick 0.01 / step 0.001.
  perp: {
    BTCUSDT: { priceDecimals: 2, tickUnits: 10, qtyDecimals: 3, lotUnits: 1 },
    ETHUSDT: { priceDecimals: 2, tickUnits: 1, qtyDecimals: 3, lotUnits: 1 },
  },
};

export const DEFAULT_START_PRICE: Record<string, number> = { BTCUSDT: 60_000, ETHUSDT: 3_000 };

/** Spec for a symbol: the real filters for known symbols, else ones derived from the price's magnitude. */
export function symbolSpec(market: Market, symbol: string, price: number): SymbolSpec {
  const known = KNOWN[market][symbol];
  if (known) return { symbol, market, ...known };
  const mag = Math.floor(Math.log10(Math.max(price, 1e-8)));
  if (market === 'spot') {
    // ~5 significant price digits, and tick × lot ≤ 1e-8 so every notional is exact in 8 decimals.
    const tickExp = Math.max(mag - 4, -8); // tick = 10^tickExp
    const lotExp = Math.min(Math.max(-8 - tickExp, -8), 0);
    return {
      symbol,
      market,
      priceDecimals: 8,
      tickUnits: 10 ** (tickExp + 8),
      qtyDecimals: 8,
      lotUnits: 10 ** (lotExp + 8),
    };
  }
  const priceDecimals = Math.min(Math.max(4 - mag, 1), 7);
  const qtyDecimals = Math.min(Math.max(mag - 1, 0), 3);
  return { symbol, market, priceDecimals, tickUnits: 1, qtyDecimals, lotUnits: 1 };
}

export function priceStr(spec: SymbolSpec, units: number | bigint): string {
  return formatScaled(units, spec.priceDecimals);
}

export function qtyStr(spec: SymbolSpec, units: number | bigint): string {
  return formatScaled(units, spec.qtyDecimals);
}

export function priceNum(spec: SymbolSpec, units: number): number {
  return units / 10 ** spec.priceDecimals;
}

export function qtyNum(spec: SymbolSpec, units: number): number {
  return units / 10 ** spec.qtyDecimals;
}

/** Nearest valid price (in units) at or below `price`. */
export function toTicks(spec: SymbolSpec, price: number): number {
  const units = Math.round(price * 10 ** spec.priceDecimals);
  return Math.max(spec.tickUnits, Math.floor(units / spec.tickUnits) * spec.tickUnits);
}

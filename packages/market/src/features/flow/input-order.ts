import type { Liquidation, Trade } from '@pricelevel/contracts';

// A second's inputs are folded in one canonical order, so sums come out bit-identical whatever order
// they arrived in (live) or were read in (recompute).

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * By exchange time, then trade id numeric-aware (a shorter id first: venue ids are decimal integers,
 * some above 2^53), then the latest receipt first, as the store orders and dedups them; the remaining
 * keys only order records that claim the same id.
 */
export function compareTrades(a: Trade, b: Trade): number {
  return (
    a.exchangeTs - b.exchangeTs ||
    a.tradeId.length - b.tradeId.length ||
    compareText(a.tradeId, b.tradeId) ||
    b.receivedTs - a.receivedTs ||
    a.price - b.price ||
    a.size - b.size ||
    a.side - b.side ||
    a.tradeCount - b.tradeCount
  );
}

/** By exchange time, price, size and side, then the remaining fields so that equal keys are equal records. */
export function compareLiquidations(a: Liquidation, b: Liquidation): number {
  return (
    a.exchangeTs - b.exchangeTs ||
    a.price - b.price ||
    a.size - b.size ||
    a.side - b.side ||
    a.liquidatedPosition - b.liquidatedPosition ||
    a.completeness - b.completeness ||
    a.receivedTs - b.receivedTs
  );
}

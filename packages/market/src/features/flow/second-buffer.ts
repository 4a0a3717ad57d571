import type { Liquidation, Trade } from '@pricelevel/contracts';
import { tradeWeight, type FlowTotals } from './flow-totals.js';
import { compareLiquidations, compareTrades } from './input-order.js';

/** The inputs of one open second, as they arrived. */
export class SecondBuffer {
  readonly trades: Trade[] = [];
  readonly liquidations: Liquidation[] = [];
}

/**
 * Folds a second's inputs into `totals` in canonical order. A record received after `deadline` is left
 * out: a trade is counted in late_trades, a liquidation in the returned count. Redeliveries of a trade
 * id are folded once, keeping the latest receipt as the store does.
 */
export function foldSecond(buf: SecondBuffer, deadline: number, totals: FlowTotals): number {
  buf.trades.sort(compareTrades);
  let prevId = '';
  let prevTs = NaN;
  for (const t of buf.trades) {
    if (t.tradeId !== '' && t.tradeId === prevId && t.exchangeTs === prevTs) continue;
    prevId = t.tradeId;
    prevTs = t.exchangeTs;
    if (t.receivedTs > deadline) totals.lateTrades += tradeWeight(t);
    else totals.addTrade(t);
  }
  buf.liquidations.sort(compareLiquidations);
  let late = 0;
  for (const l of buf.liquidations) {
    if (l.receivedTs > deadline) late++;
    else totals.addLiquidation(l);
  }
  return late;
}

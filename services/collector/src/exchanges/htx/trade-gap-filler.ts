import type { GapFetcher } from '../trade-gap-filler.js';
import { latestCountReaching } from '../trade-continuity.js';
import type { HtxRestClient } from './htx-rest.js';

/** `/market/history/trade` serves the latest `size` ≤ 2000 trade groups and nothing older. */
export const HTX_MAX_TRADE_GROUPS = 2000;

/**
 * HTX `tradeId` (WS) / `trade-id` (REST) are consecutive per symbol (see fixtures/htx
 * ws_trade_detail.real.jsonl: 56 fil3susdt trades 5957203…5957258 without a hole), but the only
 * REST source is "the latest N groups": ask for enough groups to reach back to the first missing id
 * (one group holds ≥ 1 trade, so `newest − fromId + 1` groups always suffice) and take what is
 * still served. Older trades are lost; the filler reports them as unrecoverable.
 */
export function htxTradesGapFetcher(rest: Pick<HtxRestClient, 'trades'>): GapFetcher {
  return async function* (gap, tracker, signal) {
    const newest = Math.max(tracker.lastId ?? gap.receivedId, gap.receivedId);
    const size = latestCountReaching(gap.fromId, newest, HTX_MAX_TRADE_GROUPS);
    const { trades } = await rest.trades(gap.symbol, size, signal);
    yield trades;
  };
}

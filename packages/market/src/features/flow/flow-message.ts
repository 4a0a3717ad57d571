import { Completeness, type OrderFlow } from '@pricelevel/contracts';
import type { ResolvedFlowOptions } from './flow-options.js';
import type { FlowTotals } from './flow-totals.js';
import { summarizeFootprint } from './footprint.js';
import type { SideWalls } from './walls.js';

/** The non-additive values of a bucket: taken from its last second, or a maximum over its seconds. */
export interface BucketContext {
  cumulativeDelta: number;
  absorption: number;
  bid: SideWalls;
  ask: SideWalls;
  mid: number;
  volatilityZ: number;
  volumeZ: number;
  panicIndex: number;
  cascadeIntensity: number;
  cascadeExhaustion: number;
}

export function orderFlowMessage(
  o: ResolvedFlowOptions,
  interval: string,
  openTime: number,
  closeTime: number,
  t: FlowTotals,
  c: BucketContext,
): OrderFlow {
  const fp = summarizeFootprint(t.footprint, o.imbalanceRatio, o.stackMin);
  const ended = t.wallsPulled + t.wallsConsumed;
  // No public stream: the liquidation values are unknown, not zero.
  const liq = t.completeness !== Completeness.COMPLETENESS_UNAVAILABLE;
  return {
    exchange: o.exchange,
    market: o.market,
    symbol: o.symbol,
    interval,
    openTime,
    closeTime,
    tradeCount: t.tradeCount,
    lateTrades: t.lateTrades,
    buyVolume: t.buyVolume,
    sellVolume: t.sellVolume,
    delta: t.delta,
    cumulativeDelta: c.cumulativeDelta,
    vwap: t.volume > 0 ? t.notional / t.volume : NaN,
    priceChange: Number.isNaN(t.firstPrice) ? 0 : t.lastPrice - t.firstPrice,
    footprintStep: fp.step,
    footprint: fp.levels,
    stackedBuyImbalances: fp.stackedBuy,
    stackedSellImbalances: fp.stackedSell,
    absorption: c.absorption,
    bidWalls: c.bid.prices.length,
    askWalls: c.ask.prices.length,
    nearestBidWallPrice: c.bid.nearestPrice,
    nearestBidWallSize: c.bid.nearestSize,
    nearestBidWallDistancePct: ((c.mid - c.bid.nearestPrice) / c.mid) * 100,
    nearestAskWallPrice: c.ask.nearestPrice,
    nearestAskWallSize: c.ask.nearestSize,
    nearestAskWallDistancePct: ((c.ask.nearestPrice - c.mid) / c.mid) * 100,
    wallsPulled: t.wallsPulled,
    wallsConsumed: t.wallsConsumed,
    wallLifetimeMeanS: ended > 0 ? t.wallLifetimeSumS / ended : NaN,
    liquidationCompleteness: t.completeness,
    liquidatedLongVolume: liq ? t.liquidatedLong : NaN,
    liquidatedShortVolume: liq ? t.liquidatedShort : NaN,
    liquidationCount: liq ? t.liquidationCount : 0,
    cascadeIntensity: liq ? c.cascadeIntensity : NaN,
    cascadeExhaustion: liq ? c.cascadeExhaustion : NaN,
    volatilityZ: c.volatilityZ,
    volumeZ: c.volumeZ,
    panicIndex: c.panicIndex,
  };
}

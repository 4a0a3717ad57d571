import { Completeness, PositionSide, Side, type Liquidation, type Trade } from '@pricelevel/contracts';
import { FootprintGrid } from './footprint.js';

const COMPLETENESS_RANK: Readonly<Record<number, number>> = {
  [Completeness.COMPLETENESS_FULL]: 1,
  [Completeness.COMPLETENESS_SAMPLED]: 2,
  [Completeness.COMPLETENESS_UNAVAILABLE]: 3,
};

/** The less complete of two flags (UNAVAILABLE > SAMPLED > FULL > unspecified). */
export function worstCompleteness(a: Completeness, b: Completeness): Completeness {
  return (COMPLETENESS_RANK[b] ?? 0) > (COMPLETENESS_RANK[a] ?? 0) ? b : a;
}

/** Whether a liquidation closed a long position (by its position flag, else a sell order closes a long). */
export function liquidatesLong(l: Liquidation): boolean {
  if (l.liquidatedPosition === PositionSide.POSITION_SIDE_LONG) return true;
  if (l.liquidatedPosition === PositionSide.POSITION_SIDE_SHORT) return false;
  return l.side === Side.SIDE_SELL;
}

/** Venue trades a trade record stands for. */
export function tradeWeight(t: Trade): number {
  return t.tradeCount > 0 ? t.tradeCount : 1;
}

/** The additive part of a bucket's order flow: a second folds trades in, a rollup merges seconds. */
export class FlowTotals {
  tradeCount = 0;
  lateTrades = 0;
  buyVolume = 0;
  sellVolume = 0;
  /** All sides, including trades whose aggressor the venue does not give. */
  volume = 0;
  notional = 0;
  firstPrice = NaN;
  lastPrice = NaN;
  /** Extremes of the aggressive trades: did a second trade at or through a wall's price. */
  minSellPrice = Infinity;
  maxBuyPrice = -Infinity;
  readonly footprint: FootprintGrid;
  completeness: Completeness;
  liquidatedLong = 0;
  liquidatedShort = 0;
  liquidationCount = 0;
  wallsPulled = 0;
  wallsConsumed = 0;
  wallLifetimeSumS = 0;

  constructor(footprintMultiplier: number, completeness: Completeness) {
    this.footprint = new FootprintGrid(footprintMultiplier);
    this.completeness = completeness;
  }

  get delta(): number {
    return this.buyVolume - this.sellVolume;
  }

  addTrade(t: Trade): void {
    const { price, size } = t;
    if (Number.isNaN(this.firstPrice)) {
      this.firstPrice = price;
      this.footprint.start(price);
    }
    this.lastPrice = price;
    this.tradeCount += tradeWeight(t);
    this.volume += size;
    this.notional += price * size;
    if (t.side === Side.SIDE_BUY) {
      this.buyVolume += size;
      if (price > this.maxBuyPrice) this.maxBuyPrice = price;
      this.footprint.add(price, size, true);
    } else if (t.side === Side.SIDE_SELL) {
      this.sellVolume += size;
      if (price < this.minSellPrice) this.minSellPrice = price;
      this.footprint.add(price, size, false);
    }
  }

  addLiquidation(l: Liquidation): void {
    this.completeness = worstCompleteness(this.completeness, l.completeness);
    const quote = l.price * l.size;
    if (liquidatesLong(l)) this.liquidatedLong += quote;
    else this.liquidatedShort += quote;
    this.liquidationCount++;
  }

  /** Adds a later bucket's totals (seconds are merged in time order). */
  merge(o: FlowTotals): void {
    this.tradeCount += o.tradeCount;
    this.lateTrades += o.lateTrades;
    this.buyVolume += o.buyVolume;
    this.sellVolume += o.sellVolume;
    this.volume += o.volume;
    this.notional += o.notional;
    if (Number.isNaN(this.firstPrice)) this.firstPrice = o.firstPrice;
    if (!Number.isNaN(o.lastPrice)) this.lastPrice = o.lastPrice;
    this.minSellPrice = Math.min(this.minSellPrice, o.minSellPrice);
    this.maxBuyPrice = Math.max(this.maxBuyPrice, o.maxBuyPrice);
    this.footprint.merge(o.footprint);
    this.completeness = worstCompleteness(this.completeness, o.completeness);
    this.liquidatedLong += o.liquidatedLong;
    this.liquidatedShort += o.liquidatedShort;
    this.liquidationCount += o.liquidationCount;
    this.wallsPulled += o.wallsPulled;
    this.wallsConsumed += o.wallsConsumed;
    this.wallLifetimeSumS += o.wallLifetimeSumS;
  }
}

import {
  BookFeatures, BookSnapshot, Candle, Completeness, Level, LevelKind, LevelSet, LevelSource, OrderFlow,
} from '@pricelevel/contracts';

export type Instrument = { exchange: string; market: string; symbol: string };

export const BTC: Instrument = { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT' };
export const ETH: Instrument = { exchange: 'binance', market: 'spot', symbol: 'ETHUSDT' };
/** 2024-01-01T00:00:00Z */
export const T0 = 1_704_067_200_000;
export const MIN = 60_000;

export function candle(ref: Instrument, interval: string, openTime: number, patch: Partial<Candle> = {}): Candle {
  return Candle.fromPartial({
    ...ref, interval, openTime, closeTime: openTime + MIN, open: 100, high: 110, low: 90, close: 105, volume: 2, quoteVolume: 210, tradeCount: 7,
    version: 1, final: true, source: 'trades', ...patch,
  });
}

/** Book features at `ts`; the 30 s features still NaN, as in the first seconds of a feed. */
export function bookFeatures(ref: Instrument, ts: number): BookFeatures {
  return BookFeatures.fromPartial({
    ...ref, ts, bidLevels: 100, askLevels: 100, midPrice: 100.05, spread: 0.1, spreadPct: 0.0999, buyPressure: 12.5, sellPressure: 10, netPressure: 2.5,
    pressureRatio: 1.25, totalPressure: 22.5, bidVolume: 40, askVolume: 35, volumeImbalance: 0.0667, priceChange1s: NaN, priceChange30s: NaN,
    priceVolatility30s: NaN, netPressureVolatility30s: NaN,
  });
}

export function orderFlow(ref: Instrument, interval: string, openTime: number): OrderFlow {
  return OrderFlow.fromPartial({
    ...ref, interval, openTime, closeTime: openTime + 1000, tradeCount: 3, buyVolume: 1.5, sellVolume: 0.5, delta: 1, cumulativeDelta: 4, vwap: 100.02,
    footprintStep: 0.1, footprint: [{ price: 100, buyVolume: 1.5, sellVolume: 0.5, buyImbalanceRatio: 3 }], nearestBidWallPrice: NaN,
    nearestAskWallPrice: NaN, wallLifetimeMeanS: NaN, liquidationCompleteness: Completeness.COMPLETENESS_SAMPLED,
  });
}

export function bookSnapshot(ref: Instrument, ts: number): BookSnapshot {
  return BookSnapshot.fromPartial({ ...ref, ts, bookEpoch: 1, lastUpdateId: ts, bookTs: ts - 5, bidPrices: [100, 99.9], bidSizes: [1, 2], askPrices: [100.1, 100.2], askSizes: [3, 4] });
}

/** A level at `price` of a set computed at 100 (below: support, above: resistance). */
export function level(price: number, score: number): Level {
  return Level.fromPartial({
    id: `L${price}`, price, zoneLow: price - 2, zoneHigh: price + 2, kind: price < 100 ? LevelKind.LEVEL_KIND_SUPPORT : LevelKind.LEVEL_KIND_RESISTANCE,
    sources: [LevelSource.LEVEL_SOURCE_EXTREMA], timeframes: ['1d'], touches: 3, bounces: 2, breaks: 1, score, distanceAtr: (price - 100) / 20,
  });
}

/** Version `version` of an instrument's levels at price 100: supports 60, 80, resistances 120, 140. */
export function levelSet(ref: Instrument, version: number): LevelSet {
  const levels = [level(60, 0.9), level(80, 0.6), level(120, 0.7), level(140, 0.2)];
  return LevelSet.fromPartial({
    ...ref, version, computedAt: T0 + version * MIN, currentPrice: 100, atr: 20, levels, nearestSupport: levels[1], nearestResistance: levels[2],
  });
}

/** Polls until `check` holds; the test's timeout bounds the wait. */
export async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 3000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

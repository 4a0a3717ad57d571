import {
  BookFeatures, Completeness, PositionSide, Side, type BookSnapshot, type FootprintLevel, type Liquidation, type OrderFlow,
} from '@pricelevel/contracts';
import { BOOK_FEATURE_DOUBLES } from '../src/store/feature-codecs.js';
import { camel } from '../src/store/row-values.js';

/** Rows of the feature tables for store tests: `i` is the second after T0; each builder takes overrides. */
export const T0 = Date.UTC(2024, 2, 31, 23, 59, 55); // straddles a month (= partition) boundary
export const SEC = 1000;

export function snapshot(symbol: string, i: number, over: Partial<BookSnapshot> = {}): BookSnapshot {
  const levels = 3 + (i % 3);
  return {
    exchange: 'binance',
    market: 'perp',
    symbol,
    ts: T0 + i * SEC,
    resyncing: i % 4 === 3,
    bookEpoch: 2 + (i % 2),
    lastUpdateId: 600_859_605_926 + i,
    bookTs: T0 + i * SEC - 37,
    bidPrices: Array.from({ length: levels }, (_, k) => 60_000.1 - k * 0.1 + i),
    bidSizes: Array.from({ length: levels }, (_, k) => 0.001 * (k + 1)),
    askPrices: Array.from({ length: levels - 1 }, (_, k) => 60_000.2 + k * 0.1 + i),
    askSizes: Array.from({ length: levels - 1 }, (_, k) => 1.5 + k),
    ...over,
  };
}

/** Every double set (NaN for the 30 s values, as early in a series), then the overrides. */
export function bookFeatures(symbol: string, i: number, over: Partial<BookFeatures> = {}): BookFeatures {
  const f = BookFeatures.fromPartial({ exchange: 'bybit', market: 'spot', symbol, ts: T0 + i * SEC, resyncing: i === 2, bidLevels: 100, askLevels: 99 - (i % 5) });
  BOOK_FEATURE_DOUBLES.forEach((c, k) => {
    f[camel(c)] = c.endsWith('_30s') ? Number.NaN : (k + 1) * 0.1 + i / 3;
  });
  return { ...f, ...over };
}

function level(price: number, k: number): FootprintLevel {
  return {
    price,
    buyVolume: 0.25 * k,
    sellVolume: k === 0 ? 0 : 1 / k,
    buyImbalanceRatio: k === 0 ? 0 : 3.5 * k,
    sellImbalanceRatio: k === 2 ? Number.NaN : 0.1 + 0.2,
    buyImbalance: k % 2 === 1,
    sellImbalance: k === 0,
  };
}

export function orderFlow(symbol: string, interval: string, i: number, over: Partial<OrderFlow> = {}): OrderFlow {
  const width = interval === '1m' ? 60 * SEC : SEC;
  return {
    exchange: 'binance',
    market: 'spot',
    symbol,
    interval,
    openTime: T0 + i * width,
    closeTime: T0 + (i + 1) * width,
    tradeCount: 40 + i,
    lateTrades: i % 2,
    buyVolume: 12.5,
    sellVolume: 7.25,
    delta: 5.25,
    cumulativeDelta: 105.25 + i,
    vwap: 60_000.123456789,
    priceChange: -0.5,
    footprintStep: 0.5,
    footprint: [0, 1, 2].map((k) => level(60_000 + k * 0.5, k)),
    stackedBuyImbalances: 1,
    stackedSellImbalances: 0,
    absorption: -2.75,
    bidWalls: 2,
    askWalls: 0,
    nearestBidWallPrice: 59_990.5,
    nearestBidWallSize: 42,
    nearestBidWallDistancePct: 0.01583,
    nearestAskWallPrice: Number.NaN,
    nearestAskWallSize: Number.NaN,
    nearestAskWallDistancePct: Number.NaN,
    wallsPulled: 1,
    wallsConsumed: 3,
    wallLifetimeMeanS: Number.NaN,
    liquidationCompleteness: Completeness.COMPLETENESS_SAMPLED,
    liquidatedLongVolume: 1234.5,
    liquidatedShortVolume: 0,
    liquidationCount: 2,
    cascadeIntensity: 0.75,
    cascadeExhaustion: Number.NaN,
    volatilityZ: -1.25,
    volumeZ: Number.POSITIVE_INFINITY,
    panicIndex: 0.3,
    ...over,
  };
}

export function liquidation(symbol: string, i: number, over: Partial<Liquidation> = {}): Liquidation {
  return {
    exchange: 'binance',
    market: 'perp',
    symbol,
    side: i % 2 ? Side.SIDE_BUY : Side.SIDE_SELL,
    liquidatedPosition: i % 2 ? PositionSide.POSITION_SIDE_SHORT : PositionSide.POSITION_SIDE_LONG,
    price: 4793.91 + i,
    size: 0.014 * (i + 1),
    completeness: Completeness.COMPLETENESS_SAMPLED,
    exchangeTs: T0 + i * SEC,
    receivedTs: T0 + i * SEC + 6,
    ...over,
  };
}

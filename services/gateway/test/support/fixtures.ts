import {
  BookFeatures, BookSnapshot, Candle, Completeness, instrumentKey, Level, LevelKind, LevelSet, LevelSource, OrderFlow, type TopicMessage, type TopicName,
} from '@pricelevel/contracts';
import { ManualClock, silentLogger } from '@pricelevel/platform';
import { GatewayServer, type GatewayLimits, type GatewayPorts, type GatewayServerOptions } from '../../src/index.js';
import { MemoryStore } from './memory-store.js';
import { TestBus } from './test-bus.js';

export const BTC = { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT' };
export const ETH = { exchange: 'binance', market: 'spot', symbol: 'ETHUSDT' };
export const BTC_PERP = { exchange: 'bybit', market: 'perp', symbol: 'BTCUSDT' };
/** 2024-01-01T00:00:00Z */
export const T0 = 1_704_067_200_000;
export const MIN = 60_000;

export function candle(ref: { exchange: string; market: string; symbol: string }, interval: string, openTime: number, patch: Partial<Candle> = {}): Candle {
  return Candle.fromPartial({
    ...ref,
    interval,
    openTime,
    closeTime: openTime + MIN,
    open: 100,
    high: 110,
    low: 90,
    close: 105,
    volume: 2,
    quoteVolume: 210,
    tradeCount: 7,
    version: 1,
    final: true,
    source: 'trades',
    ...patch,
  });
}

type Instrument = { exchange: string; market: string; symbol: string };

/** Book features at `ts`; the change and volatility features are NaN, as in the first seconds of a feed. */
export function bookFeatures(ref: Instrument, ts: number, patch: Partial<BookFeatures> = {}): BookFeatures {
  return BookFeatures.fromPartial({
    ...ref, ts, bidLevels: 100, askLevels: 100, midPrice: 100.05, spread: 0.1, spreadPct: 0.0999, buyPressure: 12.5, sellPressure: 10,
    netPressure: 2.5, pressureRatio: 1.25, totalPressure: 22.5, bidVolume: 40, askVolume: 35, volumeImbalance: 0.0667,
    priceChange1s: NaN, priceChange30s: NaN, priceVolatility30s: NaN, netPressureVolatility30s: NaN,
    ...patch,
  });
}

/** Order flow of the bucket [openTime, openTime + interval); vwap and the wall fields NaN (no trades, no walls). */
export function orderFlow(ref: Instrument, interval: string, openTime: number, patch: Partial<OrderFlow> = {}): OrderFlow {
  const ms = interval === '1s' ? 1000 : interval === '1m' ? MIN : 5 * MIN;
  return OrderFlow.fromPartial({
    ...ref, interval, openTime, closeTime: openTime + ms, tradeCount: 3, buyVolume: 1.5, sellVolume: 0.5, delta: 1, cumulativeDelta: 4,
    vwap: NaN, footprintStep: 0.1, footprint: [{ price: 100, buyVolume: 1.5, sellVolume: 0.5, buyImbalanceRatio: 3 }],
    nearestBidWallPrice: NaN, nearestAskWallPrice: NaN, wallLifetimeMeanS: NaN, liquidationCompleteness: Completeness.COMPLETENESS_SAMPLED,
    ...patch,
  });
}

export function bookSnapshot(ref: Instrument, ts: number): BookSnapshot {
  return BookSnapshot.fromPartial({ ...ref, ts, bookEpoch: 1, lastUpdateId: ts, bookTs: ts - 5, bidPrices: [100, 99.9], bidSizes: [1, 2], askPrices: [100.1, 100.2], askSizes: [3, 4] });
}

/** A level at `price` of a set computed at 100 (below: support, above: resistance), 20 wide. */
export function level(price: number, patch: Partial<Level> = {}): Level {
  return Level.fromPartial({
    id: `L${price}`, price, zoneLow: price - 10, zoneHigh: price + 10,
    kind: price < 100 ? LevelKind.LEVEL_KIND_SUPPORT : LevelKind.LEVEL_KIND_RESISTANCE,
    sources: [LevelSource.LEVEL_SOURCE_EXTREMA], timeframes: ['1d'], touches: 3, bounces: 2, breaks: 1,
    firstTouchTs: T0 - 90 * 86_400_000, lastTouchTs: T0 - 86_400_000, touchVolumeRatio: 1.2, score: 0.5, distanceAtr: (price - 100) / 20,
    ...patch,
  });
}

/**
 * Version `version` of an instrument's levels at price 100 (ATR 20, computed `version` minutes after T0):
 * supports 40, 60, 80 and resistances 120, 140, 160 with different scores and timeframes.
 */
export function levelSet(ref: Instrument, version: number, patch: Partial<LevelSet> = {}): LevelSet {
  const levels = [
    level(40, { score: 0.9, timeframes: ['1d', '4h'] }),
    level(60, { score: 0.2, timeframes: ['4h'] }),
    level(80, { score: 0.6, timeframes: ['1d', '1h'], distanceAtr: Number.NaN }),
    level(120, { score: 0.7, timeframes: ['1h'], sources: [LevelSource.LEVEL_SOURCE_ROUND_NUMBER, LevelSource.LEVEL_SOURCE_VOLUME_PROFILE] }),
    level(140, { score: 0.1, timeframes: ['1d'] }),
    level(160, { score: 0.6, timeframes: ['4h', '1h'] }),
  ];
  return LevelSet.fromPartial({
    ...ref, version, computedAt: T0 + version * MIN, currentPrice: 100, atr: 20, levels, nearestSupport: levels[2], nearestResistance: levels[3],
    ...patch,
  });
}

export interface Harness extends GatewayPorts {
  gateway: GatewayServer;
  store: MemoryStore;
  bus: TestBus;
  clock: ManualClock;
  publish(...candles: Candle[]): Promise<void>;
  publishTo<T extends TopicName>(topic: T, ...values: TopicMessage<T>[]): Promise<void>;
}

export async function startGateway(
  limits?: Partial<GatewayLimits>,
  store = new MemoryStore(),
  extra: Pick<GatewayServerOptions, 'token' | 'webRoot' | 'levelService'> = {},
): Promise<Harness> {
  const bus = new TestBus();
  const clock = new ManualClock(T0 + 30 * MIN + 15_000);
  const gateway = new GatewayServer({
    store,
    bus,
    clock,
    logger: silentLogger,
    instruments: [BTC, ETH, BTC_PERP],
    grpc: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    limits,
    ...extra,
  });
  const ports = await gateway.start();
  return {
    ...ports,
    gateway,
    store,
    bus,
    clock,
    publish: (...candles) => publishTo(bus, 'agg.candle.v1', candles),
    publishTo: (topic, ...values) => publishTo(bus, topic, values),
  };
}

function publishTo<T extends TopicName>(bus: TestBus, topic: T, values: TopicMessage<T>[]): Promise<void> {
  return bus.publish(topic, values.map((value) => ({ key: instrumentKey(value as Instrument), value })));
}

/** Polls until `check` returns true; the test's own timeout bounds the wait. */
export async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 2000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

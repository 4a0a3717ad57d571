import { Candle, instrumentKey } from '@pricelevel/contracts';
import { ManualClock, silentLogger } from '@pricelevel/platform';
import { GatewayServer, type GatewayLimits, type GatewayPorts } from '../../src/index.js';
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

export interface Harness extends GatewayPorts {
  gateway: GatewayServer;
  store: MemoryStore;
  bus: TestBus;
  clock: ManualClock;
  publish(...candles: Candle[]): Promise<void>;
}

export async function startGateway(limits?: Partial<GatewayLimits>): Promise<Harness> {
  const store = new MemoryStore();
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
  });
  const ports = await gateway.start();
  return {
    ...ports,
    gateway,
    store,
    bus,
    clock,
    publish: (...candles) => bus.publish('agg.candle.v1', candles.map((value) => ({ key: instrumentKey(value), value }))),
  };
}

/** Polls until `check` returns true; the test's own timeout bounds the wait. */
export async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 2000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

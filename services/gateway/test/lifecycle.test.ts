import { ManualClock, silentLogger } from '@pricelevel/platform';
import { describe, expect, it } from 'vitest';
import { GatewayServer } from '../src/index.js';
import { BTC, startGateway } from './support/fixtures.js';
import { MemoryStore } from './support/memory-store.js';
import { TestBus } from './support/test-bus.js';

function gateway(httpPort: number, bus = new TestBus()) {
  return new GatewayServer({ ...baseOptions(), bus, http: { host: '127.0.0.1', port: httpPort } });
}

describe('GatewayServer lifecycle', () => {
  it('refuses a malformed configured instrument or limit', () => {
    expect(() => new GatewayServer({ ...baseOptions(), instruments: [{ exchange: 'binance', market: 'spot', symbol: 'btc-usdt ' }] })).toThrow(
      /symbol .* is malformed/,
    );
    expect(() => new GatewayServer({ ...baseOptions(), limits: { maxRows: 0 } })).toThrow(/maxRows must be a positive integer/);
  });

  it('a failed start (port taken) rejects and releases what it had opened', async () => {
    const first = await startGateway();
    const bus = new TestBus();
    const second = gateway(first.httpPort, bus);
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
    expect(bus.subscriptions.every((s) => !s.open)).toBe(true);
    await expect(second.start()).rejects.toThrow(/cannot start/);
    await first.gateway.stop();
  });

  it('stop() before start() and twice is harmless', async () => {
    const g = gateway(0);
    await g.stop();
    await g.stop();
  });
});

function baseOptions() {
  return {
    store: new MemoryStore(),
    bus: new TestBus(),
    clock: new ManualClock(0),
    logger: silentLogger,
    instruments: [BTC],
    grpc: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
  };
}

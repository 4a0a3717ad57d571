import { describe, expect, it } from 'vitest';
import { ConfigError, configuredInstruments, loadConfig } from '../src/index.js';

describe('config', () => {
  it('has working defaults: embedded mode, every venue, two symbols', () => {
    const c = loadConfig({});
    expect(c.PL_MODE).toBe('embedded');
    expect(c.PL_EXCHANGES).toEqual(['binance', 'bybit', 'bingx', 'htx']);
    expect(c.PL_SYMBOLS).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(c.GRPC_PORT).toBe(50051);
  });

  it('serves operations on 0.0.0.0:9464 by default; port 0 asks for a free one', () => {
    expect(loadConfig({})).toMatchObject({ OPS_HOST: '0.0.0.0', OPS_PORT: 9464 });
    expect(loadConfig({ OPS_HOST: '127.0.0.1', OPS_PORT: '0' })).toMatchObject({ OPS_HOST: '127.0.0.1', OPS_PORT: 0 });
    expect(() => loadConfig({ OPS_PORT: '70000' })).toThrow(/OPS_PORT/);
  });

  it('names every bad variable in one error', () => {
    let err: unknown;
    try {
      loadConfig({ GRPC_PORT: 'http', PL_MARKETS: 'spot,options', PL_EXCHANGES: 'binance,nasdaq' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const v of ['GRPC_PORT', 'PL_MARKETS', 'PL_EXCHANGES']) expect(msg).toContain(v);
  });

  it('needs a Kafka broker list in distributed mode', () => {
    expect(() => loadConfig({ PL_MODE: 'distributed' })).toThrow(/KAFKA_BROKERS/);
    expect(loadConfig({ PL_MODE: 'distributed', KAFKA_BROKERS: 'a:9092, b:9092' }).KAFKA_BROKERS).toEqual(['a:9092', 'b:9092']);
  });

  it('collects only the markets each venue has', () => {
    const ins = configuredInstruments(loadConfig({ PL_SYMBOLS: 'btcusdt' }));
    expect(ins.map((i) => `${i.exchange}:${i.market}:${i.symbol}`)).toEqual([
      'binance:spot:BTCUSDT', 'binance:perp:BTCUSDT', 'bybit:spot:BTCUSDT', 'bybit:perp:BTCUSDT', 'bingx:perp:BTCUSDT', 'htx:spot:BTCUSDT',
    ]);
  });
});

import { Completeness, LevelKind } from '@pricelevel/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, PricelevelError, type PricelevelClient } from '../src/index.js';
import { BTC, bookFeatures, bookSnapshot, candle, ETH, levelSet, MIN, orderFlow, T0, waitFor } from './support/fixtures.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

let g: TestGateway;
let client: PricelevelClient;

beforeEach(async () => {
  g = await startTestGateway();
  client = connect({ address: g.grpcAddress, defaultDeadlineMs: 5_000 });
});

afterEach(async () => {
  client.close();
  await g.stop();
});

/** The rejection of `p`, which must fail. */
async function failure(p: Promise<unknown>): Promise<PricelevelError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(PricelevelError);
  return err as PricelevelError;
}

describe('unary RPCs through the client', () => {
  it('ListInstruments: what the gateway collects, filtered', async () => {
    const all = await client.marketData.listInstruments();
    expect(all.instruments.map((i) => i.symbol).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    const none = await client.marketData.listInstruments({ market: 'perp' });
    expect(none.instruments).toEqual([]);
    expect(all.instruments[0]?.liquidationCompleteness).not.toBe(Completeness.UNRECOGNIZED);
  });

  it('GetCandles: stored candles of the range, oldest first', async () => {
    await g.store.insertCandles([0, 1, 2, 3].map((i) => candle(BTC, '1m', T0 + i * MIN, { close: 100 + i })));
    const res = await client.marketData.getCandles({ ...BTC, interval: '1m', fromTs: T0 + MIN, toTs: T0 + 3 * MIN });
    expect(res.candles.map((c) => [c.openTime, c.close])).toEqual([[T0 + MIN, 101], [T0 + 2 * MIN, 102]]);
    expect(res.quality).toEqual([]);
  });

  it('GetFeatures: stored book features and order flow, NaN kept as NaN', async () => {
    await g.store.insertBookFeatures([bookFeatures(BTC, T0), bookFeatures(BTC, T0 + 1000)]);
    await g.store.insertOrderFlows([orderFlow(BTC, '1s', T0)]);
    const res = await client.marketData.getFeatures({ ...BTC, fromTs: T0, toTs: T0 + 5000 });
    expect(res.book.map((b) => b.ts)).toEqual([T0, T0 + 1000]);
    expect(res.book[0]?.priceChange30s).toBeNaN();
    expect(res.flow).toHaveLength(1);
    expect(res.flow[0]?.footprint).toMatchObject([{ price: 100, buyVolume: 1.5, sellVolume: 0.5, buyImbalanceRatio: 3 }]);
  });

  it('GetOrderBook: NOT_FOUND until a snapshot arrives, then the latest one', async () => {
    expect((await failure(client.marketData.getOrderBook({ ...BTC }))).code).toBe('NOT_FOUND');
    await g.publish('feat.snapshot.v1', bookSnapshot(BTC, T0));
    await waitFor(() => g.gateway.metrics().busBookSnapshots === 1, 'the snapshot');
    const book = await client.marketData.getOrderBook({ ...BTC, depth: 1 });
    expect([book.ts, book.bidPrices, book.askPrices]).toEqual([T0, [100], [100.1]]);
  });

  it('GetLevels, GetNearestLevels: the current set from the bus', async () => {
    await g.publish('levels.v1', levelSet(BTC, 3));
    await waitFor(() => g.gateway.metrics().busLevelSets === 1, 'the level set');
    const set = await client.levels.getLevels({ ...BTC, minScore: 0.5 });
    expect([set.version, set.levels.map((l) => l.price)]).toEqual([3, [60, 80, 120]]);
    const nearest = await client.levels.getNearestLevels({ ...BTC, count: 2 });
    expect(nearest.supports.map((l) => [l.price, l.kind])).toEqual([[80, LevelKind.LEVEL_KIND_SUPPORT], [60, LevelKind.LEVEL_KIND_SUPPORT]]);
    expect(nearest.resistances.map((l) => l.price)).toEqual([120, 140]);
    expect((await failure(client.levels.getLevels({ ...ETH }))).code).toBe('NOT_FOUND');
  });

  it('GetLevelHistory: stored sets of the range', async () => {
    await g.store.insertLevelSets([1, 2, 3].map((v) => levelSet(BTC, v)));
    const res = await client.levels.getLevelHistory({ ...BTC, fromTs: T0 + 2 * MIN, toTs: T0 + 10 * MIN });
    expect(res.sets.map((s) => s.version)).toEqual([2, 3]);
  });

  it('EvaluateLevels: runs on the stored candles and answers the evaluation', async () => {
    const DAY = 86_400_000;
    // A year of daily candles swinging between 80 and 120: levels to find and to touch.
    const days = Array.from({ length: 400 }, (_, i) => {
      const mid = 100 + 20 * Math.sin(i / 6);
      return candle(BTC, '1d', T0 - 400 * DAY + i * DAY, { open: mid - 1, close: mid + 1, high: mid + 4, low: mid - 4, closeTime: T0 - 399 * DAY + i * DAY });
    });
    await g.store.insertCandles(days);
    const res = await client.levels.evaluateLevels({ ...BTC, interval: '1d', fromTs: T0 - 120 * DAY, toTs: T0 - 20 * DAY, randomDraws: 200 });
    expect(res.steps).toBeGreaterThan(0);
    expect(res.touches + res.randomTouches).toBeGreaterThan(0);
    const bad = await failure(client.levels.evaluateLevels({ ...BTC, interval: '7m', fromTs: T0 - 10 * DAY, toTs: T0 }));
    expect(bad.code).toBe('INVALID_ARGUMENT');
  });
});

describe('call options and errors', () => {
  it('bad requests fail with a PricelevelError naming the status', async () => {
    const err = await failure(client.marketData.getCandles({ ...BTC, symbol: 'SOLUSDT', interval: '1m' }));
    expect([err.code, err.status]).toEqual(['NOT_FOUND', 5]);
    expect(err.details).toMatch(/binance:spot:SOLUSDT is not collected/);
    expect((await failure(client.marketData.getCandles({ ...BTC, interval: '7m' }))).code).toBe('INVALID_ARGUMENT');
  });

  it('a per-call deadline, and the default one, end a slow call with DEADLINE_EXCEEDED', async () => {
    let release = () => {};
    g.store.gate = new Promise<void>((r) => (release = r));
    const perCall = failure(client.marketData.getCandles({ ...BTC, interval: '1m' }, { deadlineMs: 50 }));
    const short = connect({ address: g.grpcAddress, defaultDeadlineMs: 50 });
    const byDefault = failure(short.marketData.getCandles({ ...BTC, interval: '1m' }));
    expect((await perCall).code).toBe('DEADLINE_EXCEEDED');
    expect((await byDefault).code).toBe('DEADLINE_EXCEEDED');
    short.close();
    release();
  });

  it('an abort signal cancels a unary call', async () => {
    let release = () => {};
    g.store.gate = new Promise<void>((r) => (release = r));
    const abort = new AbortController();
    const call = failure(client.marketData.getCandles({ ...BTC, interval: '1m' }, { signal: abort.signal }));
    setTimeout(() => abort.abort(), 20);
    expect((await call).code).toBe('CANCELLED');
    expect((await failure(client.marketData.listInstruments({}, { signal: abort.signal }))).code).toBe('CANCELLED');
    release();
  });
});

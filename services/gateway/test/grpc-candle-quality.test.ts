import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { credentials, Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import {
  GetCandlesRequest, MarketDataServiceClient, QualityMinute, type CandleQuality, type GetCandlesResponse,
} from '@pricelevel/contracts';
import { ManualClock, createChdbStore, silentLogger, type ClickHouseStore } from '@pricelevel/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candleQualities, qualityQueryFor } from '../src/candle-quality.js';
import { GatewayServer } from '../src/index.js';
import { BTC, candle, MIN, startGateway, T0 } from './support/fixtures.js';
import { TestBus } from './support/test-bus.js';

/** A ledger minute with latencies given as (value, count) buckets, as the ledger would store it. */
function minute(i: number, buckets: [number, number][], over: Partial<QualityMinute> = {}): QualityMinute {
  return QualityMinute.fromPartial({
    ...BTC, windowStart: T0 + i * MIN, messages: 100 + i, trades: 60, bookUpdates: 39 + i, tickers: 1, sequenceGaps: i === 2 ? 3 : 0,
    resyncs: i === 2 ? 1 : 0, reconnects: 0, staleEvents: 0, staleSeconds: i, latencySamples: buckets.reduce((a, [, n]) => a + n, 0),
    latencyBucketMs: buckets.map(([v]) => v), latencyBucketCount: buckets.map(([, n]) => n), minutes: 1, closedAt: T0 + (i + 1) * MIN + 2000,
    ...over,
  });
}

describe('GetCandles with_quality against the chDB store', () => {
  let dir: string;
  let store: ClickHouseStore;
  let gateway: GatewayServer;
  let client: MarketDataServiceClient;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-gw-quality-'));
    store = await createChdbStore({ path: dir, logger: silentLogger });
    await store.migrate();
    gateway = new GatewayServer({
      store, bus: new TestBus(), clock: new ManualClock(T0 + 30 * MIN), logger: silentLogger, instruments: [BTC],
      grpc: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 },
    });
    const ports = await gateway.start();
    client = new MarketDataServiceClient(`127.0.0.1:${ports.grpcPort}`, credentials.createInsecure());
    await store.insertCandles([0, 1, 2, 3, 4, 5].map((i) => candle(BTC, '1m', T0 + i * MIN)));
    await store.insertCandles([candle(BTC, '5m', T0, { closeTime: T0 + 5 * MIN }), candle(BTC, '5m', T0 + 5 * MIN, { closeTime: T0 + 10 * MIN })]);
    // Minutes 0..4 (the first 5m candle); minute 5 has no ledger row (the ledger was down).
    await store.insertQualityMinutes([
      minute(0, [[10.1, 50], [20.2, 40], [500.5, 10]]),
      minute(1, [[10.1, 90], [20.2, 10]]),
      minute(2, [[20.2, 98], [1000.9, 2]]),
      minute(3, []),
      minute(4, [[10.1, 100]]),
    ]);
  });

  afterAll(async () => {
    client?.close();
    await gateway?.stop();
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (patch: Partial<GetCandlesRequest>): Promise<GetCandlesResponse> =>
    new Promise((resolve, reject) => {
      client.getCandles(GetCandlesRequest.fromPartial({ ...BTC, interval: '1m', ...patch }), new Metadata(), (err, res) => (err ? reject(err) : resolve(res)));
    });

  it('returns one quality per 1m candle, zeros where the ledger has no minute', async () => {
    const res = await get({ fromTs: T0, toTs: T0 + 6 * MIN, withQuality: true });
    expect(res.candles).toHaveLength(6);
    expect(res.quality.map((q) => q.openTime)).toEqual(res.candles.map((c) => c.openTime));
    expect(res.quality[0]).toMatchObject({ minutes: 1, messages: 100, latencySamples: 100, latencyP50Ms: 10.1, latencyP99Ms: 500.5 });
    expect(res.quality[2]).toMatchObject({ sequenceGaps: 3, resyncs: 1, staleSeconds: 2, latencyP50Ms: 20.2, latencyP99Ms: 1000.9 });
    expect(res.quality[3]).toMatchObject({ minutes: 1, latencySamples: 0 });
    expect(res.quality[3]!.latencyP50Ms).toBeUndefined();
    expect(res.quality[5]).toMatchObject({ minutes: 0, messages: 0 } satisfies Partial<CandleQuality>);
  });

  it('aggregates a 5m candle: counts summed, p50/p99 from the merged histograms', async () => {
    const res = await get({ interval: '5m', fromTs: T0, toTs: T0 + 10 * MIN, withQuality: true });
    expect(res.quality).toHaveLength(2);
    // 400 samples merged: 240 × 10.1, 148 × 20.2, 10 × 500.5, 2 × 1000.9 (minute 3 has none).
    // p50 = 200th smallest = 10.1; p99 = 396th = 500.5 (the max of the minute p99s would say 1000.9).
    expect(res.quality[0]).toMatchObject({
      openTime: T0, minutes: 5, messages: 510, trades: 300, sequenceGaps: 3, resyncs: 1, staleSeconds: 10,
      latencySamples: 400, latencyP50Ms: 10.1, latencyP99Ms: 500.5,
    });
    expect(res.quality[1]).toMatchObject({ openTime: T0 + 5 * MIN, minutes: 0 });
  });

  it('returns no quality unless asked', async () => {
    const res = await get({ fromTs: T0, toTs: T0 + 6 * MIN });
    expect(res.candles).toHaveLength(6);
    expect(res.quality).toEqual([]);
  });
});

describe('GetCandles with_quality: failures and edges', () => {
  it('a failing quality query fails the call with the store status; no candles → no quality query', async () => {
    const h = await startGateway();
    const client = new MarketDataServiceClient(`127.0.0.1:${h.grpcPort}`, credentials.createInsecure());
    try {
      const call = (patch: Partial<GetCandlesRequest>) =>
        new Promise<GetCandlesResponse>((resolve, reject) =>
          client.getCandles(GetCandlesRequest.fromPartial({ ...BTC, interval: '1m', withQuality: true, ...patch }), (err, res) => (err ? reject(err) : resolve(res))));
      expect(await call({ fromTs: T0, toTs: T0 + MIN })).toMatchObject({ candles: [], quality: [] });
      expect(h.store.qualityQueries).toEqual([]);
      await h.store.insertCandles([candle(BTC, '1m', T0)]);
      h.store.qualityError = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      const err = (await call({ fromTs: T0, toTs: T0 + MIN }).catch((e: unknown) => e)) as ServiceError;
      expect(Status[err.code]).toBe('UNAVAILABLE');
      expect(h.store.qualityQueries).toEqual([{ ...BTC, fromTs: T0, toTs: T0 + MIN, bucketMs: MIN, limit: 1 }]);
    } finally {
      client.close();
      await h.gateway.stop();
    }
  });

  it('maps buckets to candles by open time (pure)', () => {
    const candles = [candle(BTC, '1h', T0), candle(BTC, '1h', T0 + 60 * MIN)];
    const q = qualityQueryFor({ ...BTC, interval: '1h', source: 'trades', fromTs: 0, toTs: T0 * 2, limit: 10 }, candles);
    expect(q).toEqual({ ...BTC, fromTs: T0, toTs: T0 + 120 * MIN, bucketMs: 60 * MIN, limit: 2 });
    const bucket = minute(60, [[5, 1]], { minutes: 60, latencyP50Ms: 5, latencyP99Ms: 5 });
    expect(candleQualities(candles, [bucket]).map((x) => [x.minutes, x.latencyP99Ms])).toEqual([[0, undefined], [60, 5]]);
    expect(qualityQueryFor({ ...BTC, interval: '1m', source: 'trades', fromTs: 0, toTs: 1, limit: 1 }, [])).toBeUndefined();
  });
});

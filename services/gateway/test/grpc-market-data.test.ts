import { status as Status } from '@grpc/grpc-js';
import { type Candle, GetCandlesRequest, type MarketDataServiceClient, WatchCandlesRequest, WatchFeaturesRequest } from '@pricelevel/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BTC, BTC_PERP, candle, ETH, type Harness, MIN, T0, waitFor } from './support/fixtures.js';
import { BAD_INSTRUMENT_CASES, collect, expectStoreFailureStatuses, startWithClient, statusOf, unary } from './support/grpc-calls.js';

let h: Harness;
let client: MarketDataServiceClient;

beforeEach(async () => ({ h, client } = await startWithClient()));

afterEach(async () => {
  client.close();
  await h.gateway.stop();
});

async function getCandles(patch: Partial<GetCandlesRequest>, deadlineMs?: number): Promise<Candle[]> {
  const res = await unary(client.getCandles.bind(client), GetCandlesRequest.fromPartial({ ...BTC, interval: '1m', ...patch }), deadlineMs);
  return res.candles;
}

describe('GetCandles', () => {
  beforeEach(async () => {
    await h.store.insertCandles([
      candle(BTC, '1m', T0 + 2 * MIN, { close: 3 }),
      candle(BTC, '1m', T0, { close: 1 }),
      candle(BTC, '1m', T0 + MIN, { close: 2 }),
      candle(BTC, '1m', T0 + MIN, { source: 'exchange', close: 20 }),
      candle(BTC, '5m', T0, { close: 50 }),
      candle(ETH, '1m', T0, { close: 99 }),
    ]);
  });

  it('returns the stored candles of the instrument, interval and source in range, oldest first', async () => {
    const got = await getCandles({ fromTs: T0, toTs: T0 + 3 * MIN });
    expect(got.map((c) => [c.symbol, c.openTime, c.close])).toEqual([
      ['BTCUSDT', T0, 1],
      ['BTCUSDT', T0 + MIN, 2],
      ['BTCUSDT', T0 + 2 * MIN, 3],
    ]);
    expect(got[0]).toEqual(candle(BTC, '1m', T0, { close: 1 }));
    expect(await getCandles({ fromTs: T0, toTs: T0 + 3 * MIN, source: 'exchange' })).toEqual([candle(BTC, '1m', T0 + MIN, { source: 'exchange', close: 20 })]);
    expect(await getCandles({ fromTs: T0 + MIN, toTs: T0 + 2 * MIN })).toHaveLength(1);
  });

  it('fills defaults from the injected clock: to = now, limit 500 candles back', async () => {
    const got = await getCandles({ limit: 2 });
    // now is 30m15s after T0: the two buckets are T0+29m and T0+30m, none stored.
    expect(got).toEqual([]);
    const q = h.store.queries.at(-1);
    expect(q).toMatchObject({ toTs: h.clock.now(), fromTs: T0 + 29 * MIN, limit: 2, source: 'trades' });
    await getCandles({});
    expect(h.store.queries.at(-1)).toMatchObject({ limit: 500, fromTs: T0 + 30 * MIN - 499 * MIN });
  });

  it.each<[string, Partial<GetCandlesRequest>, Status, RegExp]>([
    ...BAD_INSTRUMENT_CASES,
    ['empty interval', { interval: '' }, Status.INVALID_ARGUMENT, /interval is required/],
    ['unknown interval', { interval: '2h' }, Status.INVALID_ARGUMENT, /interval "2h" is unknown/],
    ['limit over 5000', { limit: 5001 }, Status.INVALID_ARGUMENT, /limit 5001 exceeds the maximum of 5000/],
    ['negative limit', { limit: -3 }, Status.INVALID_ARGUMENT, /limit must be >= 0/],
    ['from after to', { fromTs: T0 + MIN, toTs: T0 }, Status.INVALID_ARGUMENT, /from_ts .* must be before to_ts/],
    ['negative to', { toTs: -1 }, Status.INVALID_ARGUMENT, /to_ts must be a non-negative/],
    ['unknown source', { source: 'binance' }, Status.INVALID_ARGUMENT, /source "binance" is unknown/],
  ])('%s → %s', async (_name, patch, code, details) => {
    const st = await statusOf(getCandles(patch));
    expect(Status[st.code]).toBe(Status[code]);
    expect(st.details).toMatch(details);
    expect(h.store.queries).toHaveLength(0);
  });

  it('store down → UNAVAILABLE; store bug → INTERNAL; both counted', async () => {
    await expectStoreFailureStatuses(() => getCandles({ fromTs: T0, toTs: T0 + MIN }), (err) => (h.store.queryError = err));
    expect(h.gateway.metrics().storeErrors).toBe(2);
  });

  it('honours the deadline; the late store answer is discarded and the server keeps serving', async () => {
    let release!: () => void;
    h.store.queryGate = new Promise((r) => (release = r));
    const st = await statusOf(getCandles({ fromTs: T0, toTs: T0 + MIN }, 50));
    expect(Status[st.code]).toBe('DEADLINE_EXCEEDED');
    release();
    h.store.queryGate = undefined;
    // The server is still healthy and answers the next call.
    expect(await getCandles({ fromTs: T0, toTs: T0 + MIN })).toHaveLength(1);
  });
});

describe('WatchCandles', () => {
  const watch = (req: Partial<WatchCandlesRequest>) => collect(client.watchCandles(WatchCandlesRequest.fromPartial(req)));

  it('receives published candles for its instrument and interval only, and ends on cancel', async () => {
    const btc = watch({ ...BTC, interval: '1m' });
    const eth = watch({ ...ETH, interval: '1m' });
    await waitFor(() => h.gateway.metrics().grpcStreams === 2, 'two streams');
    // One subscription per topic in the gateway's own group; the WebSocket updates' publisher shares one group with every replica.
    const own = h.bus.subscriptions.filter((s) => s.group !== 'gateway-ws');
    expect(own.map((s) => s.topic)).toEqual(['agg.candle.v1', 'feat.book.v1', 'feat.snapshot.v1', 'feat.flow.v1', 'levels.v1']);
    expect(new Set(own.map((s) => s.group)).size).toBe(1);
    expect(own[0]?.group).toMatch(/^gateway-[0-9a-f]{8}-/);
    expect(h.bus.subscriptions.filter((s) => s.group === 'gateway-ws').map((s) => s.topic)).toEqual(['agg.candle.v1', 'md.trade.v1', 'feat.book.v1', 'feat.flow.v1', 'levels.v1', 'md.quality.v1']);

    const open = candle(BTC, '1m', T0, { final: false, close: 101 });
    const closed = candle(BTC, '1m', T0, { final: true, close: 102 });
    await h.publish(
      open,
      candle(ETH, '1m', T0, { close: 7 }),
      candle(BTC, '5m', T0), // other interval
      candle(BTC_PERP, '1m', T0), // same symbol, other venue
      candle(BTC, '1m', T0 + MIN, { source: 'exchange' }), // venue kline: history only
      closed,
    );
    await waitFor(() => btc.received.length === 2 && eth.received.length === 1, 'candles');
    expect(btc.received).toEqual([open, closed]);
    expect(eth.received.map((c) => c.close)).toEqual([7]);

    btc.call.cancel();
    expect(Status[(await btc.ended).code]).toBe('CANCELLED');
    await waitFor(() => h.gateway.metrics().grpcStreams === 1, 'the cancelled stream to be released');
    await h.publish(candle(BTC, '1m', T0 + MIN));
    expect(btc.received).toHaveLength(2);
    eth.call.cancel();
  });

  it.each([
    ['malformed symbol', { ...BTC, symbol: 'btc', interval: '1m' }, 'INVALID_ARGUMENT'],
    ['unknown interval', { ...BTC, interval: '1w' }, 'INVALID_ARGUMENT'],
    ['uncollected instrument', { ...BTC, symbol: 'XRPUSDT', interval: '1m' }, 'NOT_FOUND'],
  ])('%s → %s', async (_name, req, code) => {
    const st = await watch(req).ended;
    expect(Status[st.code]).toBe(code);
    expect(h.gateway.metrics().grpcStreams).toBe(0);
  });

  it('a client that does not read gets superseded versions dropped (counted) but the latest of each candle', async () => {
    const w = watch({ ...BTC, interval: '1m' });
    await waitFor(() => h.gateway.metrics().grpcStreams === 1, 'the stream');
    w.call.pause();
    const last = new Map<number, number>();
    for (let round = 0; round < 20; round++) {
      const batch: Candle[] = [];
      for (let v = 1; v <= 100; v++) {
        for (let i = 0; i < 5; i++) {
          const version = round * 100 + v;
          batch.push(candle(BTC, '1m', T0 + i * MIN, { version, final: false, volume: version }));
          last.set(T0 + i * MIN, version);
        }
      }
      await h.publish(...batch);
    }
    expect(h.gateway.metrics().grpcCandlesDropped).toBeGreaterThan(0);
    w.call.resume();
    const latest = (openTime: number) => Math.max(0, ...w.received.filter((c) => c.openTime === openTime).map((c) => c.version));
    await waitFor(() => [...last].every(([t, v]) => latest(t) === v), 'the latest version of every candle');
    const m = h.gateway.metrics();
    expect(m.grpcCandlesSent + m.grpcCandlesDropped).toBe(20 * 100 * 5);
    w.call.cancel();
  });

  it('stop() ends open WatchCandles and WatchFeatures streams with UNAVAILABLE', async () => {
    const streams = [watch({ ...ETH, interval: '1h' }), collect(client.watchFeatures(WatchFeaturesRequest.fromPartial({ ...BTC, flowInterval: '1h' })))];
    await waitFor(() => h.gateway.metrics().grpcStreams === 2, 'the streams');
    await h.gateway.stop();
    for (const w of streams) {
      const st = await w.ended;
      expect(Status[st.code]).toBe('UNAVAILABLE');
      expect(st.details).toMatch(/shutting down/);
    }
  });
});

import { credentials, Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { type Candle, GetCandlesRequest, MarketDataServiceClient, WatchCandlesRequest } from '@pricelevel/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BTC, BTC_PERP, candle, ETH, type Harness, MIN, startGateway, T0, waitFor } from './support/fixtures.js';

let h: Harness;
let client: MarketDataServiceClient;

beforeEach(async () => {
  h = await startGateway();
  client = new MarketDataServiceClient(`127.0.0.1:${h.grpcPort}`, credentials.createInsecure());
});

afterEach(async () => {
  client.close();
  await h.gateway.stop();
});

function getCandles(patch: Partial<GetCandlesRequest>, deadlineMs?: number): Promise<Candle[]> {
  const req = GetCandlesRequest.fromPartial({ ...BTC, interval: '1m', ...patch });
  const options = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
  return new Promise((resolve, reject) => {
    client.getCandles(req, new Metadata(), options, (err, res) => (err ? reject(err) : resolve(res.candles)));
  });
}

async function statusOf(p: Promise<unknown>): Promise<{ code: number; details: string }> {
  const err = (await p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  )) as ServiceError;
  return { code: err.code, details: err.details };
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

  it.each([
    ['empty exchange', { exchange: '' }, Status.INVALID_ARGUMENT, /exchange is required/],
    ['malformed exchange', { exchange: 'Binance!' }, Status.INVALID_ARGUMENT, /exchange "Binance!" is malformed/],
    ['empty market', { market: '' }, Status.INVALID_ARGUMENT, /market is required/],
    ['unknown market', { market: 'margin' }, Status.INVALID_ARGUMENT, /market "margin" is unknown/],
    ['empty symbol', { symbol: '' }, Status.INVALID_ARGUMENT, /symbol is required/],
    ['malformed symbol', { symbol: 'btc usdt' }, Status.INVALID_ARGUMENT, /symbol "btc usdt" is malformed/],
    ['uncollected exchange', { exchange: 'kraken' }, Status.NOT_FOUND, /kraken:spot:BTCUSDT is not collected/],
    ['uncollected symbol', { symbol: 'SOLUSDT' }, Status.NOT_FOUND, /binance:spot:SOLUSDT is not collected/],
    ['uncollected market', { market: 'perp' }, Status.NOT_FOUND, /binance:perp:BTCUSDT is not collected/],
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
    h.store.queryError = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    const down = await statusOf(getCandles({ fromTs: T0, toTs: T0 + MIN }));
    expect(Status[down.code]).toBe('UNAVAILABLE');
    expect(down.details).toMatch(/store is unavailable/);

    h.store.queryError = new Error('Code: 47. DB::Exception: Unknown identifier: open_tme');
    const bug = await statusOf(getCandles({ fromTs: T0, toTs: T0 + MIN }));
    expect(Status[bug.code]).toBe('INTERNAL');
    expect(bug.details).toMatch(/internal store error/);
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
  function watch(req: Partial<WatchCandlesRequest>) {
    const call = client.watchCandles(WatchCandlesRequest.fromPartial(req));
    const received: Candle[] = [];
    const ended = new Promise<{ code: number; details: string }>((resolve) => {
      call.on('data', (c: Candle) => received.push(c));
      call.on('error', (e: ServiceError) => resolve({ code: e.code, details: e.details }));
      call.on('end', () => resolve({ code: Status.OK, details: '' }));
    });
    return { call, received, ended };
  }

  it('receives published candles for its instrument and interval only, and ends on cancel', async () => {
    const btc = watch({ ...BTC, interval: '1m' });
    const eth = watch({ ...ETH, interval: '1m' });
    await waitFor(() => h.gateway.metrics().grpcStreams === 2, 'two streams');
    expect(h.bus.subscriptions).toHaveLength(1);
    expect(h.bus.subscriptions[0]?.group).toMatch(/^gateway-/);

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

  it('stop() ends open streams with UNAVAILABLE', async () => {
    const w = watch({ ...ETH, interval: '1h' });
    await waitFor(() => h.gateway.metrics().grpcStreams === 1, 'the stream');
    await h.gateway.stop();
    const st = await w.ended;
    expect(Status[st.code]).toBe('UNAVAILABLE');
    expect(st.details).toMatch(/shutting down/);
  });
});

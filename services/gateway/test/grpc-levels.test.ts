import { credentials, status as Status } from '@grpc/grpc-js';
import {
  GetLevelHistoryRequest, type GetLevelHistoryResponse, GetLevelsRequest, GetNearestLevelsRequest, type GetNearestLevelsResponse, LevelServiceClient,
  type LevelSet, WatchLevelsRequest,
} from '@pricelevel/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BTC, BTC_PERP, ETH, type Harness, levelSet, MIN, startGateway, T0, waitFor } from './support/fixtures.js';
import { BAD_INSTRUMENT_CASES, collect, expectStoreFailureStatuses, statusOf, unary } from './support/grpc-calls.js';
import { MemoryStore } from './support/memory-store.js';

let h: Harness;
let client: LevelServiceClient;

async function start(store?: MemoryStore): Promise<void> {
  h = await startGateway(undefined, store);
  client = new LevelServiceClient(`127.0.0.1:${h.grpcPort}`, credentials.createInsecure());
}

afterEach(async () => {
  vi.restoreAllMocks();
  client.close();
  await h.gateway.stop();
});

const getLevels = (patch: Partial<GetLevelsRequest>): Promise<LevelSet> =>
  unary(client.getLevels.bind(client), GetLevelsRequest.fromPartial({ ...BTC, ...patch }));
const getNearest = (patch: Partial<GetNearestLevelsRequest>): Promise<GetNearestLevelsResponse> =>
  unary(client.getNearestLevels.bind(client), GetNearestLevelsRequest.fromPartial({ ...BTC, ...patch }));
const getHistory = (patch: Partial<GetLevelHistoryRequest>): Promise<GetLevelHistoryResponse> =>
  unary(client.getLevelHistory.bind(client), GetLevelHistoryRequest.fromPartial({ ...BTC, ...patch }));
const prices = (set: { levels: { price: number }[] }) => set.levels.map((l) => l.price);

describe('current levels from the bus', () => {
  beforeEach(() => start());

  it('GetLevels answers the newest version published on levels.v1; older versions and redeliveries are ignored', async () => {
    const v2 = levelSet(BTC, 2);
    await h.publishTo('levels.v1', levelSet(BTC, 1), v2, levelSet(ETH, 7, { currentPrice: 2000 }));
    await h.publishTo('levels.v1', levelSet(BTC, 1, { currentPrice: 1 }), v2);
    const got = await getLevels({});
    expect(got).toEqual(v2);
    expect(got.levels[2]!.distanceAtr).toBeNaN();
    expect((await getLevels(ETH)).version).toBe(7);
    expect(h.gateway.metrics()).toMatchObject({ busLevelSets: 5, staleLevelSets: 2 });
  });

  it('GetLevels filters by timeframe and score, keeps the best `limit`, and names the nearest of what it keeps', async () => {
    await h.publishTo('levels.v1', levelSet(BTC, 1));
    expect(prices(await getLevels({ timeframe: '4h' }))).toEqual([40, 60, 160]);
    expect(prices(await getLevels({ minScore: 0.6 }))).toEqual([40, 80, 120, 160]);
    const best = await getLevels({ limit: 3 });
    expect(prices(best)).toEqual([40, 80, 120]); // scores 0.9 and 0.7, then of the two at 0.6 the one nearer the price
    expect([best.nearestSupport?.price, best.nearestResistance?.price]).toEqual([80, 120]);
    const tf1h = await getLevels({ timeframe: '1h', minScore: 0.65 });
    expect(prices(tf1h)).toEqual([120]);
    expect(tf1h.nearestSupport).toBeUndefined();
    expect(tf1h.nearestResistance?.price).toBe(120);
    expect(prices(await getLevels({ minScore: 1 }))).toEqual([]);
    expect(await getLevels({ timeframe: '', minScore: 0, limit: 0 })).toEqual(levelSet(BTC, 1));
  });

  it('GetNearestLevels: nearest first on each side, of the current price or of a given one', async () => {
    await h.publishTo('levels.v1', levelSet(BTC, 3));
    const atCurrent = await getNearest({});
    expect([atCurrent.price, atCurrent.version, prices({ levels: atCurrent.supports }), prices({ levels: atCurrent.resistances })]).toEqual([100, 3, [80], [120]]);
    const three = await getNearest({ count: 3 });
    expect([prices({ levels: three.supports }), prices({ levels: three.resistances })]).toEqual([[80, 60, 40], [120, 140, 160]]);
    const at130 = await getNearest({ price: 130, count: 2 });
    expect([at130.price, prices({ levels: at130.supports }), prices({ levels: at130.resistances })]).toEqual([130, [120, 80], [140, 160]]);
    const atLevel = await getNearest({ price: 60, count: 20 });
    expect([prices({ levels: atLevel.supports }), prices({ levels: atLevel.resistances })]).toEqual([[40], [60, 80, 120, 140, 160]]);
    const below = await getNearest({ price: 1, count: 2 });
    expect([below.supports, prices({ levels: below.resistances })]).toEqual([[], [40, 60]]);
    expect(three.supports[0]).toEqual(levelSet(BTC, 3).levels[2]);
  });

  it.each<[string, () => Promise<unknown>, Status, RegExp]>([
    ...BAD_INSTRUMENT_CASES.map(([name, patch, code, details]): [string, () => Promise<unknown>, Status, RegExp] => [`GetLevels ${name}`, () => getLevels(patch), code, details]),
    ...BAD_INSTRUMENT_CASES.map(([name, patch, code, details]): [string, () => Promise<unknown>, Status, RegExp] => [`GetNearestLevels ${name}`, () => getNearest(patch), code, details]),
    ['GetLevels without levels yet', () => getLevels(ETH), Status.NOT_FOUND, /no levels computed yet for binance:spot:ETHUSDT/],
    ['GetNearestLevels without levels yet', () => getNearest(BTC_PERP), Status.NOT_FOUND, /no levels computed yet for bybit:perp:BTCUSDT/],
    ['unknown timeframe', () => getLevels({ timeframe: '1m' }), Status.INVALID_ARGUMENT, /timeframe "1m" is unknown/],
    ['timeframe in capitals', () => getLevels({ timeframe: '1D' }), Status.INVALID_ARGUMENT, /timeframe "1D" is unknown/],
    ['NaN min_score', () => getLevels({ minScore: Number.NaN }), Status.INVALID_ARGUMENT, /min_score must be in \[0, 1\], got NaN/],
    ['negative min_score', () => getLevels({ minScore: -0.1 }), Status.INVALID_ARGUMENT, /min_score must be in \[0, 1\]/],
    ['min_score over 1', () => getLevels({ minScore: 1.5 }), Status.INVALID_ARGUMENT, /min_score must be in \[0, 1\]/],
    ['negative limit', () => getLevels({ limit: -1 }), Status.INVALID_ARGUMENT, /limit must be >= 0/],
    ['limit over 1000', () => getLevels({ limit: 1001 }), Status.INVALID_ARGUMENT, /limit 1001 exceeds the maximum of 1000/],
    ['bad args before not found', () => getLevels({ ...ETH, symbol: 'SOLUSDT', minScore: 2 }), Status.INVALID_ARGUMENT, /min_score/],
    ['NaN price', () => getNearest({ price: Number.NaN }), Status.INVALID_ARGUMENT, /price must be a finite price > 0/],
    ['infinite price', () => getNearest({ price: Number.POSITIVE_INFINITY }), Status.INVALID_ARGUMENT, /price must be a finite price > 0/],
    ['negative price', () => getNearest({ price: -5 }), Status.INVALID_ARGUMENT, /price must be a finite price > 0/],
    ['negative count', () => getNearest({ count: -1 }), Status.INVALID_ARGUMENT, /count must be >= 0/],
    ['count over 20', () => getNearest({ count: 21 }), Status.INVALID_ARGUMENT, /count 21 exceeds the maximum of 20/],
  ])('%s', async (_name, call, code, details) => {
    await h.publishTo('levels.v1', levelSet(BTC, 1));
    const st = await statusOf(call());
    expect(Status[st.code]).toBe(Status[code]);
    expect(st.details).toMatch(details);
    expect(h.gateway.metrics().rejectedRequests).toBe(1);
  });
});

describe('WatchLevels', () => {
  beforeEach(() => start());
  const watch = (req: Partial<WatchLevelsRequest>) => collect<LevelSet>(client.watchLevels(WatchLevelsRequest.fromPartial(req)));

  it('sends the current set, then every newer version of its instrument only', async () => {
    await h.publishTo('levels.v1', levelSet(BTC, 4));
    const btc = watch(BTC);
    const eth = watch(ETH); // nothing computed yet: waits for the first set
    await waitFor(() => btc.received.length === 1 && h.gateway.metrics().grpcStreams === 2, 'the current set');
    expect(btc.received).toEqual([levelSet(BTC, 4)]);

    await h.publishTo('levels.v1', levelSet(BTC, 3), levelSet(BTC, 4), levelSet(BTC_PERP, 9), levelSet(BTC, 5), levelSet(ETH, 1), levelSet(BTC, 5));
    await waitFor(() => btc.received.length === 2 && eth.received.length === 1, 'the newer versions');
    await h.publishTo('levels.v1', levelSet(BTC, 6, { currentPrice: 101 }));
    await waitFor(() => btc.received.length === 3, 'version 6');
    expect(btc.received.map((s) => s.version)).toEqual([4, 5, 6]);
    expect(btc.received[2]).toEqual(levelSet(BTC, 6, { currentPrice: 101 }));
    expect(btc.received[1]!.levels[2]!.distanceAtr).toBeNaN();
    expect(eth.received).toEqual([levelSet(ETH, 1)]);
    expect(h.gateway.metrics().grpcLevelSetsSent).toBe(4);

    btc.call.cancel();
    expect(Status[(await btc.ended).code]).toBe('CANCELLED');
    await waitFor(() => h.gateway.metrics().grpcStreams === 1, 'the cancelled stream to be released');
    eth.call.cancel();
  });

  it.each([
    ['malformed symbol', { ...BTC, symbol: 'btc' }, 'INVALID_ARGUMENT'],
    ['uncollected instrument', { ...BTC, symbol: 'XRPUSDT' }, 'NOT_FOUND'],
  ])('%s → %s', async (_name, req, code) => {
    const st = await watch(req).ended;
    expect(Status[st.code]).toBe(code);
    expect(h.gateway.metrics()).toMatchObject({ grpcStreams: 0, rejectedRequests: 1 });
  });

  it('a client that does not read skips superseded versions (counted) and ends with the newest', async () => {
    const w = watch(BTC);
    await waitFor(() => h.gateway.metrics().grpcStreams === 1, 'the stream');
    w.call.pause();
    // Big sets fill the transport buffers quickly.
    const wide = (v: number) => levelSet(BTC, v, { levels: Array.from({ length: 500 }, (_, k) => levelSet(BTC, v).levels[k % 6]!) });
    let version = 0;
    for (let round = 0; h.gateway.metrics().grpcLevelSetsDropped === 0; round++) {
      if (round > 5000) throw new Error('no set was ever dropped');
      await h.publishTo('levels.v1', wide(++version));
    }
    await h.publishTo('levels.v1', wide(++version));
    w.call.resume();
    await waitFor(() => w.received.at(-1)?.version === version, 'the newest version');
    const m = h.gateway.metrics();
    expect(w.received).toHaveLength(m.grpcLevelSetsSent);
    expect(m.grpcLevelSetsSent + m.grpcLevelSetsDropped).toBe(version);
    const versions = w.received.map((s) => s.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    w.call.cancel();
  });
});

describe('GetLevelHistory', () => {
  beforeEach(async () => {
    await start();
    await h.store.insertLevelSets([...[1, 2, 3, 4, 5].map((v) => levelSet(BTC, v)), levelSet(ETH, 1), levelSet(BTC, 3, { currentPrice: 99 })]);
  });

  it('returns the stored sets computed in [from_ts, to_ts), oldest first, one per version', async () => {
    const res = await getHistory({ fromTs: T0 + 2 * MIN, toTs: T0 + 5 * MIN });
    expect(res.sets.map((s) => s.version)).toEqual([2, 3, 4]);
    expect(res.sets[1]).toEqual(levelSet(BTC, 3, { currentPrice: 99 }));
    expect(res.sets[0]!.levels[2]!.distanceAtr).toBeNaN();
    expect((await getHistory({ fromTs: T0 + 2 * MIN, toTs: T0 + 5 * MIN, limit: 2 })).sets.map((s) => s.version)).toEqual([2, 3]);
  });

  it('defaults: to = now, from_ts 0 = the newest `limit` sets (100 unless asked)', async () => {
    const query = vi.spyOn(h.store, 'queryLevelSets');
    expect((await getHistory({})).sets.map((s) => s.version)).toEqual([1, 2, 3, 4, 5]);
    expect(query).toHaveBeenLastCalledWith(expect.objectContaining({ ...BTC, toTs: h.clock.now(), limit: 100, tail: true }));
    expect((await getHistory({ limit: 2 })).sets.map((s) => s.version)).toEqual([4, 5]);
    expect((await getHistory({ toTs: T0 + 4 * MIN, limit: 2 })).sets.map((s) => s.version)).toEqual([2, 3]);
    expect((await getHistory(BTC_PERP)).sets).toEqual([]);
  });

  it.each<[string, Partial<GetLevelHistoryRequest>, Status, RegExp]>([
    ...BAD_INSTRUMENT_CASES,
    ['negative limit', { limit: -1 }, Status.INVALID_ARGUMENT, /limit must be >= 0/],
    ['limit over 1000', { limit: 1001 }, Status.INVALID_ARGUMENT, /limit 1001 exceeds the maximum of 1000/],
    ['from after to', { fromTs: T0 + MIN, toTs: T0 }, Status.INVALID_ARGUMENT, /from_ts .* must be before to_ts/],
    ['negative from', { fromTs: -1 }, Status.INVALID_ARGUMENT, /from_ts must be a non-negative/],
    ['microseconds', { toTs: T0 * 1000 }, Status.INVALID_ARGUMENT, /beyond year 9999/],
    ['range too wide', { fromTs: 1, toTs: T0 }, Status.INVALID_ARGUMENT, /exceeds the maximum of/],
  ])('%s → %s', async (_name, patch, code, details) => {
    const query = vi.spyOn(h.store, 'queryLevelSets');
    const st = await statusOf(getHistory(patch));
    expect(Status[st.code]).toBe(Status[code]);
    expect(st.details).toMatch(details);
    expect(query).not.toHaveBeenCalled();
  });

  it('store down → UNAVAILABLE; store bug → INTERNAL', async () => {
    await expectStoreFailureStatuses(() => getHistory({}), (err) => vi.spyOn(h.store, 'queryLevelSets').mockRejectedValueOnce(err));
    expect(h.gateway.metrics().storeErrors).toBe(2);
  });
});

describe('a restarted gateway', () => {
  it('answers at once from the newest stored set of each instrument, and the bus replaces it with newer versions only', async () => {
    const store = new MemoryStore();
    await store.insertLevelSets([levelSet(BTC, 1), levelSet(BTC, 8), levelSet(BTC, 7), levelSet(ETH, 2)]);
    await start(store);
    expect((await getLevels({})).version).toBe(8);
    expect((await getLevels(ETH)).version).toBe(2);
    await h.publishTo('levels.v1', levelSet(BTC, 7, { currentPrice: 1 }));
    expect(await getLevels({})).toEqual(levelSet(BTC, 8));
    await h.publishTo('levels.v1', levelSet(BTC, 9));
    expect((await getLevels({})).version).toBe(9);
  });

  it('starts even when the store cannot be read, and reads the stored sets again later', async () => {
    const store = new MemoryStore();
    await store.insertLevelSets([levelSet(BTC, 3)]);
    const read = vi.spyOn(store, 'queryLevelSets').mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
    await start(store);
    expect(Status[(await statusOf(getLevels({}))).code]).toBe('NOT_FOUND');
    h.clock.advance(5000);
    await waitFor(() => read.mock.calls.length === 4, 'the retry'); // three instruments at start, then the failed one again
    expect(read.mock.calls[3]![0]).toMatchObject({ ...BTC, limit: 1, tail: true });
    await read.mock.results[3]!.value;
    expect((await getLevels({})).version).toBe(3);
    h.clock.advance(60_000);
    expect(read).toHaveBeenCalledTimes(4); // nothing left to retry
  });
});

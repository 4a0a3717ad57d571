import { status as Status } from '@grpc/grpc-js';
import {
  type BookFeatures, type FeatureUpdate, GetFeaturesRequest, type GetFeaturesResponse, type MarketDataServiceClient, type OrderFlow, WatchFeaturesRequest,
} from '@pricelevel/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BTC, BTC_PERP, bookFeatures, bookSnapshot, ETH, type Harness, MIN, orderFlow, T0, waitFor } from './support/fixtures.js';
import { BAD_INSTRUMENT_CASES, collect, expectStoreFailureStatuses, startWithClient, statusOf, unary } from './support/grpc-calls.js';

let h: Harness;
let client: MarketDataServiceClient;

beforeEach(async () => ({ h, client } = await startWithClient()));

afterEach(async () => {
  vi.restoreAllMocks();
  client.close();
  await h.gateway.stop();
});

const SEC = 1000;
const seconds = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => T0 + (from + i) * SEC);

const getFeatures = (patch: Partial<GetFeaturesRequest>, deadlineMs?: number): Promise<GetFeaturesResponse> =>
  unary(client.getFeatures.bind(client), GetFeaturesRequest.fromPartial({ ...BTC, ...patch }), deadlineMs);

describe('GetFeatures', () => {
  beforeEach(async () => {
    // Ten seconds of BTC (book features, 1 s flow, snapshots), two 1m flows, and other instruments at the same times.
    await h.store.insertBookFeatures([...seconds(0, 10).map((ts) => bookFeatures(BTC, ts, { midPrice: ts - T0 })), bookFeatures(ETH, T0), bookFeatures(BTC_PERP, T0)]);
    await h.store.insertOrderFlows([
      ...seconds(0, 10).map((ts) => orderFlow(BTC, '1s', ts, { delta: ts - T0 })),
      orderFlow(BTC, '1m', T0, { delta: -1 }),
      orderFlow(BTC, '1m', T0 + MIN, { delta: -2 }),
      orderFlow(ETH, '1s', T0),
    ]);
    await h.store.insertBookSnapshots([...seconds(0, 10).map((ts) => bookSnapshot(BTC, ts)), bookSnapshot(ETH, T0)]);
  });

  it('returns the book features and 1 s flow of the instrument in range, oldest first, NaN intact; snapshots only when asked', async () => {
    const res = await getFeatures({ fromTs: T0 + 2 * SEC, toTs: T0 + 5 * SEC });
    expect(res.book.map((f) => [f.symbol, f.ts, f.midPrice])).toEqual(seconds(2, 5).map((ts) => ['BTCUSDT', ts, ts - T0]));
    expect(res.book[0]).toEqual(bookFeatures(BTC, T0 + 2 * SEC, { midPrice: 2000 }));
    expect(res.book[0]!.priceChange1s).toBeNaN();
    expect(res.flow.map((f) => [f.interval, f.openTime, f.delta])).toEqual(seconds(2, 5).map((ts) => ['1s', ts, ts - T0]));
    expect(res.flow[0]!.vwap).toBeNaN();
    expect(res.flow[0]!.footprint).toEqual(orderFlow(BTC, '1s', T0).footprint);
    expect(res.snapshots).toEqual([]);

    const withSnapshots = await getFeatures({ fromTs: T0 + 2 * SEC, toTs: T0 + 5 * SEC, withSnapshots: true });
    expect(withSnapshots.snapshots).toEqual(seconds(2, 5).map((ts) => bookSnapshot(BTC, ts)));
  });

  it('reads the flow of a candle interval, or none at all', async () => {
    const minutes = await getFeatures({ fromTs: T0, toTs: T0 + 10 * MIN, flowInterval: '1m' });
    expect(minutes.flow.map((f) => [f.interval, f.openTime, f.delta])).toEqual([['1m', T0, -1], ['1m', T0 + MIN, -2]]);
    expect(minutes.book).toHaveLength(10);

    const flowQueries = vi.spyOn(h.store, 'queryOrderFlows');
    const none = await getFeatures({ fromTs: T0, toTs: T0 + 10 * MIN, flowInterval: 'none', withSnapshots: true });
    expect(none.flow).toEqual([]);
    expect(none.book).toHaveLength(10);
    expect(none.snapshots).toHaveLength(10);
    expect(flowQueries).not.toHaveBeenCalled();
  });

  it('limit: the oldest rows of an explicit range; with from_ts 0 the newest rows before to_ts', async () => {
    const head = await getFeatures({ fromTs: T0, toTs: T0 + 10 * SEC, limit: 3, withSnapshots: true });
    expect(head.book.map((f) => f.ts)).toEqual(seconds(0, 3));
    expect(head.flow.map((f) => f.openTime)).toEqual(seconds(0, 3));
    expect(head.snapshots.map((s) => s.ts)).toEqual(seconds(0, 3));

    const book = vi.spyOn(h.store, 'queryBookFeatures');
    const tail = await getFeatures({ toTs: T0 + 8 * SEC, limit: 3, withSnapshots: true });
    expect(tail.book.map((f) => f.ts)).toEqual(seconds(5, 8));
    expect(tail.flow.map((f) => f.openTime)).toEqual(seconds(5, 8));
    expect(tail.snapshots.map((s) => s.ts)).toEqual(seconds(5, 8));
    expect(book).toHaveBeenLastCalledWith(expect.objectContaining({ toTs: T0 + 8 * SEC, limit: 3, tail: true }));
  });

  it('defaults from the injected clock: to = now, the newest 300 rows', async () => {
    const book = vi.spyOn(h.store, 'queryBookFeatures');
    const flow = vi.spyOn(h.store, 'queryOrderFlows');
    const res = await getFeatures({});
    expect(res.book.map((f) => f.ts)).toEqual(seconds(0, 10));
    expect(book).toHaveBeenCalledWith(expect.objectContaining({ ...BTC, toTs: h.clock.now(), limit: 300, tail: true }));
    expect(flow).toHaveBeenCalledWith(expect.objectContaining({ interval: '1s', toTs: h.clock.now(), limit: 300, tail: true }));
  });

  it.each<[string, Partial<GetFeaturesRequest>, Status, RegExp]>([
    ...BAD_INSTRUMENT_CASES,
    ['unknown flow interval', { flowInterval: '2h' }, Status.INVALID_ARGUMENT, /flow interval "2h" is unknown/],
    ['flow interval in capitals', { flowInterval: 'NONE' }, Status.INVALID_ARGUMENT, /flow interval "NONE" is unknown/],
    ['limit over 600 with snapshots', { limit: 601 }, Status.INVALID_ARGUMENT, /limit 601 exceeds the maximum of 600/],
    ['negative limit', { limit: -3 }, Status.INVALID_ARGUMENT, /limit must be >= 0/],
    ['from after to', { fromTs: T0 + MIN, toTs: T0 }, Status.INVALID_ARGUMENT, /from_ts .* must be before to_ts/],
    ['empty range', { fromTs: T0, toTs: T0 }, Status.INVALID_ARGUMENT, /from_ts .* must be before to_ts/],
    ['negative to', { toTs: -1 }, Status.INVALID_ARGUMENT, /to_ts must be a non-negative/],
    ['microseconds', { fromTs: T0 * 1000 }, Status.INVALID_ARGUMENT, /beyond year 9999/],
  ])('%s → %s', async (_name, patch, code, details) => {
    const queries = [vi.spyOn(h.store, 'queryBookFeatures'), vi.spyOn(h.store, 'queryOrderFlows'), vi.spyOn(h.store, 'queryBookSnapshots')];
    const st = await statusOf(getFeatures({ withSnapshots: true, ...patch }));
    expect(Status[st.code]).toBe(Status[code]);
    expect(st.details).toMatch(details);
    for (const q of queries) expect(q).not.toHaveBeenCalled();
    expect(h.gateway.metrics().rejectedRequests).toBe(1);
  });

  it('store down → UNAVAILABLE; store bug → INTERNAL; both counted', async () => {
    // Any of the three queries failing fails the call: first the flow query, then the snapshot query.
    const failing = ['queryOrderFlows', 'queryBookSnapshots'] as const;
    let next = 0;
    await expectStoreFailureStatuses(
      () => getFeatures({ fromTs: T0, toTs: T0 + MIN, withSnapshots: true }),
      (err) => vi.spyOn(h.store, failing[next++]!).mockRejectedValueOnce(err),
    );
    expect(h.gateway.metrics().storeErrors).toBe(2);
  });

  it('honours the deadline; the late store answer is discarded and the server keeps serving', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const real = h.store.queryBookFeatures.bind(h.store);
    vi.spyOn(h.store, 'queryBookFeatures').mockImplementationOnce(async (q) => {
      await gate;
      return real(q);
    });
    const st = await statusOf(getFeatures({ fromTs: T0, toTs: T0 + MIN }, 50));
    expect(Status[st.code]).toBe('DEADLINE_EXCEEDED');
    release();
    expect((await getFeatures({ fromTs: T0, toTs: T0 + MIN })).book).toHaveLength(10);
  });
});

describe('WatchFeatures', () => {
  const watch = (req: Partial<WatchFeaturesRequest>) => collect<FeatureUpdate>(client.watchFeatures(WatchFeaturesRequest.fromPartial(req)));
  const book = (value: BookFeatures): FeatureUpdate => ({ update: { $case: 'book', value } });
  const flow = (value: OrderFlow): FeatureUpdate => ({ update: { $case: 'flow', value } });

  it('receives the book features and the flow of its instrument and flow interval only, and ends on cancel', async () => {
    const btc = watch(BTC); // flow interval "1s" by default
    const eth = watch({ ...ETH, flowInterval: '1m' });
    const bookOnly = watch({ ...BTC, flowInterval: 'none' });
    await waitFor(() => h.gateway.metrics().grpcStreams === 3, 'three streams');

    const btcBook = bookFeatures(BTC, T0 + SEC);
    const ethBook = bookFeatures(ETH, T0 + SEC, { midPrice: 2000 });
    await h.publishTo('feat.book.v1', btcBook, bookFeatures(BTC_PERP, T0 + SEC), ethBook);
    const btcSecond = orderFlow(BTC, '1s', T0);
    const ethMinute = orderFlow(ETH, '1m', T0);
    await h.publishTo('feat.flow.v1', orderFlow(BTC, '1m', T0), btcSecond, orderFlow(ETH, '1s', T0), orderFlow(BTC_PERP, '1s', T0), ethMinute);

    await waitFor(() => btc.received.length === 2 && eth.received.length === 2 && bookOnly.received.length === 1, 'feature updates');
    expect(btc.received).toEqual([book(btcBook), flow(btcSecond)]);
    expect(eth.received).toEqual([book(ethBook), flow(ethMinute)]);
    expect(bookOnly.received).toEqual([book(btcBook)]);
    const received = btc.received[0]!.update;
    expect(received?.$case === 'book' && received.value.priceVolatility30s).toBeNaN();
    expect(h.gateway.metrics().grpcFeaturesSent).toBe(5);

    btc.call.cancel();
    expect(Status[(await btc.ended).code]).toBe('CANCELLED');
    await waitFor(() => h.gateway.metrics().grpcStreams === 2, 'the cancelled stream to be released');
    await h.publishTo('feat.book.v1', bookFeatures(BTC, T0 + 2 * SEC));
    await waitFor(() => bookOnly.received.length === 2, 'the next second on the remaining stream');
    expect(btc.received).toHaveLength(2);
    eth.call.cancel();
    bookOnly.call.cancel();
  });

  it.each([
    ['malformed symbol', { ...BTC, symbol: 'btc' }, 'INVALID_ARGUMENT'],
    ['unknown flow interval', { ...BTC, flowInterval: '1w' }, 'INVALID_ARGUMENT'],
    ['uncollected instrument', { ...BTC, symbol: 'XRPUSDT' }, 'NOT_FOUND'],
  ])('%s → %s', async (_name, req, code) => {
    const st = await watch(req).ended;
    expect(Status[st.code]).toBe(code);
    expect(h.gateway.metrics()).toMatchObject({ grpcStreams: 0, rejectedRequests: 1 });
  });

  it('a client that does not read gets the oldest updates dropped (counted), then the newest', async () => {
    const w = watch({ ...BTC, flowInterval: 'none' });
    const tsOf = (u: FeatureUpdate | undefined) => (u?.update?.$case === 'book' ? u.update.value.ts : undefined);
    await waitFor(() => h.gateway.metrics().grpcStreams === 1, 'the stream');
    w.call.pause();
    let published = 0;
    for (let round = 0; h.gateway.metrics().grpcFeaturesDropped === 0; round++) {
      if (round > 2000) throw new Error('no update was ever dropped');
      await h.publishTo('feat.book.v1', ...Array.from({ length: 100 }, () => bookFeatures(BTC, T0 + published++ * SEC)));
    }
    const last = bookFeatures(BTC, T0 + published++ * SEC);
    await h.publishTo('feat.book.v1', last);
    w.call.resume();
    // Waiting updates are written in arrival order, so the last one published arrives last.
    await waitFor(() => tsOf(w.received.at(-1)) === last.ts, 'the newest update');
    expect(w.received.at(-1)).toEqual(book(last));
    const m = h.gateway.metrics();
    expect(w.received).toHaveLength(m.grpcFeaturesSent);
    expect(m.grpcFeaturesSent + m.grpcFeaturesDropped).toBe(published);
    const times = w.received.map(tsOf);
    expect(times).toEqual([...times].sort((a, b) => a! - b!));
    w.call.cancel();
  });
});

import { status as Status } from '@grpc/grpc-js';
import {
  BookSnapshot, Completeness, GetOrderBookRequest, type ListInstrumentsRequest, type ListInstrumentsResponse, type MarketDataServiceClient,
} from '@pricelevel/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BTC, BTC_PERP, bookFeatures, ETH, type Harness, levelSet, T0, waitFor } from './support/fixtures.js';
import { BAD_INSTRUMENT_CASES, startWithClient, statusOf, unary } from './support/grpc-calls.js';

let h: Harness;
let client: MarketDataServiceClient;

beforeEach(async () => ({ h, client } = await startWithClient()));
afterEach(async () => {
  client.close();
  await h.gateway.stop();
});

const ALL_INTERVALS = ['1m', '5m', '15m', '1h', '4h', '1d'];

const listInstruments = (req: ListInstrumentsRequest): Promise<ListInstrumentsResponse> => unary(client.listInstruments.bind(client), req);
const getOrderBook = (patch: Partial<GetOrderBookRequest>): Promise<BookSnapshot> =>
  unary(client.getOrderBook.bind(client), GetOrderBookRequest.fromPartial({ ...BTC, ...patch }));

/** A 100-level book at `ts`: bids 1000, 999, … and asks 1001, 1002, …, size = level number. */
function deepBook(ref: typeof BTC, ts: number): BookSnapshot {
  const n = Array.from({ length: 100 }, (_, i) => i);
  return BookSnapshot.fromPartial({
    ...ref, ts, bookEpoch: 2, lastUpdateId: ts, bookTs: ts - 3,
    bidPrices: n.map((i) => 1000 - i), bidSizes: n.map((i) => i + 1), askPrices: n.map((i) => 1001 + i), askSizes: n.map((i) => i + 1),
  });
}

describe('ListInstruments', () => {
  it('lists the collected instruments with their intervals, liquidation completeness and what the gateway has seen', async () => {
    const before = await listInstruments({});
    expect(before.instruments).toEqual([
      { ...BTC, intervals: ALL_INTERVALS, hasFeatures: false, hasLevels: false, liquidationCompleteness: Completeness.COMPLETENESS_UNAVAILABLE },
      { ...ETH, intervals: ALL_INTERVALS, hasFeatures: false, hasLevels: false, liquidationCompleteness: Completeness.COMPLETENESS_UNAVAILABLE },
      { ...BTC_PERP, intervals: ALL_INTERVALS, hasFeatures: false, hasLevels: false, liquidationCompleteness: Completeness.COMPLETENESS_FULL },
    ]);

    await h.publishTo('feat.book.v1', bookFeatures(BTC, T0));
    await h.publishTo('levels.v1', levelSet(ETH, 1));
    await waitFor(() => h.gateway.metrics().busBookFeatures === 1 && h.gateway.metrics().busLevelSets === 1, 'features and levels');
    const after = await listInstruments({});
    expect(after.instruments.map((i) => [i.symbol, i.market, i.hasFeatures, i.hasLevels])).toEqual([
      ['BTCUSDT', 'spot', true, false], ['ETHUSDT', 'spot', false, true], ['BTCUSDT', 'perp', false, false],
    ]);
  });

  it('filters by exchange and market', async () => {
    const names = async (req: ListInstrumentsRequest) => (await listInstruments(req)).instruments.map((i) => `${i.exchange}:${i.market}:${i.symbol}`);
    expect(await names({ exchange: 'bybit' })).toEqual(['bybit:perp:BTCUSDT']);
    expect(await names({ market: 'spot' })).toEqual(['binance:spot:BTCUSDT', 'binance:spot:ETHUSDT']);
    expect(await names({ exchange: 'binance', market: 'perp' })).toEqual([]);
    expect(await names({ exchange: 'kraken' })).toEqual([]);
  });

  it.each([
    [{ market: 'margin' }, /market "margin" is unknown/],
    [{ exchange: 'Bybit!' }, /exchange "Bybit!" is malformed/],
    [{ exchange: '' }, /exchange "" is malformed/],
  ])('refuses the filter %o with INVALID_ARGUMENT', async (req, details) => {
    const st = await statusOf(listInstruments(req));
    expect(Status[st.code]).toBe('INVALID_ARGUMENT');
    expect(st.details).toMatch(details);
  });
});

describe('GetOrderBook', () => {
  const publishBooks = async (...books: BookSnapshot[]) => {
    const seen = h.gateway.metrics().busBookSnapshots;
    await h.publishTo('feat.snapshot.v1', ...books);
    await waitFor(() => h.gateway.metrics().busBookSnapshots === seen + books.length, 'the snapshots');
  };

  it('is NOT_FOUND before a snapshot of the instrument arrives', async () => {
    await publishBooks(deepBook(ETH, T0));
    const st = await statusOf(getOrderBook({}));
    expect(Status[st.code]).toBe('NOT_FOUND');
    expect(st.details).toMatch(/no book snapshot of binance:spot:BTCUSDT yet/);
  });

  it('answers the latest snapshot cut to depth (0 = 20, up to 100); an older one arriving later is ignored', async () => {
    await publishBooks(deepBook(BTC, T0 + 1000), deepBook(BTC, T0 + 2000), deepBook(BTC_PERP, T0 + 5000), deepBook(BTC, T0 + 1500));
    const book = await getOrderBook({});
    expect(book.ts).toBe(T0 + 2000);
    expect(book.bidPrices).toEqual(deepBook(BTC, 0).bidPrices.slice(0, 20));
    expect([book.bidSizes.length, book.askPrices.length, book.askSizes.length]).toEqual([20, 20, 20]);
    expect(book.askPrices[0]).toBe(1001);

    const five = await getOrderBook({ depth: 5 });
    expect(five).toEqual({ ...deepBook(BTC, T0 + 2000), bidPrices: [1000, 999, 998, 997, 996], bidSizes: [1, 2, 3, 4, 5], askPrices: [1001, 1002, 1003, 1004, 1005], askSizes: [1, 2, 3, 4, 5] });
    expect(await getOrderBook({ depth: 100 })).toEqual(deepBook(BTC, T0 + 2000));
    // Cutting does not shorten the held snapshot.
    expect((await getOrderBook({ depth: 100 })).askSizes).toHaveLength(100);

    const perp = await getOrderBook({ ...BTC_PERP, depth: 1 });
    expect([perp.exchange, perp.market, perp.ts, perp.bidPrices, perp.askPrices]).toEqual(['bybit', 'perp', T0 + 5000, [1000], [1001]]);
  });

  it.each([[101, /depth 101 exceeds the maximum of 100/], [-1, /depth must be >= 0/]])('refuses depth %d with INVALID_ARGUMENT', async (depth, details) => {
    await publishBooks(deepBook(BTC, T0));
    const st = await statusOf(getOrderBook({ depth }));
    expect(Status[st.code]).toBe('INVALID_ARGUMENT');
    expect(st.details).toMatch(details);
  });

  it.each(BAD_INSTRUMENT_CASES)('refuses %s', async (_, patch, code, details) => {
    const st = await statusOf(getOrderBook(patch));
    expect(st.code).toBe(code);
    expect(st.details).toMatch(details);
  });
});

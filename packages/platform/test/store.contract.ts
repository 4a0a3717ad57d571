import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QualityKind, Side, type Candle, type QualityEvent, type QualityMinute, type Trade } from '@pricelevel/contracts';
import type { CandleQuery, Store } from '../src/index.js';

const T0 = Date.UTC(2024, 2, 31, 23, 58); // straddles a month (= partition) boundary
const MIN = 60_000;

export function trade(symbol: string, i: number, over: Partial<Trade> = {}): Trade {
  return {
    exchange: 'binance',
    market: 'spot',
    symbol,
    tradeId: String(1_000_000 + i),
    price: 60_000 + i * 0.01,
    size: 0.001 * ((i % 97) + 1),
    side: i % 2 ? Side.SIDE_SELL : Side.SIDE_BUY,
    exchangeTs: T0 + i * 7,
    receivedTs: T0 + i * 7 + 3,
    tradeCount: 1,
    ...over,
  };
}

export function candle(symbol: string, i: number, over: Partial<Candle> = {}): Candle {
  return {
    exchange: 'bybit',
    market: 'perp',
    symbol,
    interval: '1m',
    openTime: T0 + i * MIN,
    closeTime: T0 + (i + 1) * MIN,
    open: 100 + i,
    high: 101.5 + i,
    low: 99.25 + i,
    close: 100.75 + i,
    volume: 12.5,
    quoteVolume: 1250.125,
    buyVolume: 6.25,
    buyQuoteVolume: 625.0625,
    tradeCount: 42,
    version: 1,
    final: true,
    source: 'trades',
    ...over,
  };
}

function qualityEvent(symbol: string, i: number, over: Partial<QualityEvent> = {}): QualityEvent {
  return {
    exchange: 'htx',
    market: 'spot',
    symbol,
    kind: QualityKind.QUALITY_KIND_SEQUENCE_GAP,
    bookEpoch: i,
    expectedId: 100_000_000_000 + i,
    receivedId: 100_000_000_005 + i,
    detail: `gap ${i} "quoted" \\ ünïcode`,
    ts: T0 + i * 1000,
    ...over,
  };
}

export function qualityMinute(symbol: string, i: number, over: Partial<QualityMinute> = {}): QualityMinute {
  return {
    exchange: 'bingx',
    market: 'perp',
    symbol,
    windowStart: T0 + i * MIN,
    messages: 10 + i,
    trades: 4 + i,
    bookUpdates: 5,
    tickers: 1,
    sequenceGaps: i % 2,
    resyncs: 0,
    reconnects: 1,
    staleEvents: 0,
    staleSeconds: 3,
    latencySamples: 9 + i,
    latencyP50Ms: 12.25,
    latencyP99Ms: 250.5,
    latencyBucketMs: [-1.5, 0, 12.25, 250.5],
    latencyBucketCount: [1, 2, 4 + i, 2],
    minutes: 1,
    closedAt: T0 + (i + 1) * MIN + 2000,
    ...over,
  };
}

function candleQuery(symbol: string, over: Partial<CandleQuery> = {}): CandleQuery {
  return {
    exchange: 'bybit', market: 'perp', symbol, interval: '1m', source: 'trades',
    fromTs: T0, toTs: T0 + 1000 * MIN, limit: 1000, ...over,
  };
}

const allTrades = (symbol: string, limit = 1000) => ({
  exchange: 'binance', market: 'spot', symbol, fromTs: 0, toTs: T0 + 10 ** 10, limit,
});

/**
 * Behaviour every Store adapter must show. `makeStore` is called once (one database session per
 * file: chDB holds ~250 MB per session); each test uses its own symbols. The last test closes it.
 */
export function runStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('migrates, again, and concurrently without error', async () => {
      await store.migrate();
      await store.migrate();
      await Promise.all([store.migrate(), store.migrate()]);
      expect(await store.queryTrades(allTrades('MIGRATEDUSDT'))).toEqual([]);
    });

    it('round-trips trades exactly, including ids above 2^53 and awkward doubles', async () => {
      const trades = [
        trade('RTUSDT', 1, { tradeId: '9007199254740993' }), // 2^53 + 1
        trade('RTUSDT', 2, { tradeId: '18446744073709551615', price: 0.1 + 0.2, size: 1e-9 }),
        trade('RTUSDT', 3, { tradeId: 'c4c4e6b5-5c2a-4b7f-9d0e-1f2a3b4c5d6e', price: 123456.78901234567, tradeCount: 4_000_000_000 }),
        trade('RTUSDT', 4, { price: Math.random() * 1e5, size: Math.random(), side: Side.SIDE_UNSPECIFIED, tradeCount: 17 }),
      ];
      await store.insertTrades(trades);
      const got = await store.queryTrades(allTrades('RTUSDT'));
      expect(got).toEqual([...trades].sort((a, b) => a.exchangeTs - b.exchangeTs));
    });

    it('dedups re-inserted trades by (exchange, market, symbol, trade id)', async () => {
      const trades = Array.from({ length: 50 }, (_, i) => trade('DEDUPUSDT', i));
      await store.insertTrades(trades);
      await store.insertTrades(trades.slice(10, 30));
      await store.insertTrades(trades);
      const got = await store.queryTrades(allTrades('DEDUPUSDT'));
      expect(got).toHaveLength(50);
      expect(got).toEqual(trades);
    });

    it('orders trades by time then numeric id, and honours range and limit', async () => {
      const ts = T0 + 5000;
      const trades = [
        trade('ORDERUSDT', 0, { tradeId: '10', exchangeTs: ts }),
        trade('ORDERUSDT', 1, { tradeId: '9', exchangeTs: ts }),
        trade('ORDERUSDT', 2, { tradeId: '100', exchangeTs: ts - 1 }),
        trade('ORDERUSDT', 3, { tradeId: '11', exchangeTs: ts + 1 }),
      ];
      await store.insertTrades(trades);
      const ids = (q: { fromTs: number; toTs: number; limit: number }) =>
        store.queryTrades({ exchange: 'binance', market: 'spot', symbol: 'ORDERUSDT', ...q }).then((r) => r.map((t) => t.tradeId));
      expect(await ids({ fromTs: 0, toTs: ts + 10, limit: 10 })).toEqual(['100', '9', '10', '11']);
      expect(await ids({ fromTs: ts, toTs: ts + 1, limit: 10 })).toEqual(['9', '10']); // toTs exclusive
      expect(await ids({ fromTs: 0, toTs: ts + 10, limit: 2 })).toEqual(['100', '9']);
      // Other instruments never leak in.
      expect(await store.queryTrades({ ...allTrades('ORDERUSDT'), market: 'perp' })).toEqual([]);
    });

    it('stores a large batch completely (several insert statements)', async () => {
      const n = 110_000;
      const trades = Array.from({ length: n }, (_, i) => trade('BULKUSDT', i));
      await store.insertTrades(trades);
      const got = await store.queryTrades(allTrades('BULKUSDT', 200_000));
      expect(got).toHaveLength(n);
      expect(got[0]).toEqual(trades[0]);
      expect(got[n - 1]).toEqual(trades[n - 1]);
      expect(got[54_321]).toEqual(trades[54_321]);
    });

    it('an empty insert is a no-op', async () => {
      await store.insertTrades([]);
      await store.insertCandles([]);
      await store.insertQualityEvents([]);
    });

    it('returns the latest candle version, whatever the insert order, before any merge', async () => {
      const sym = 'VERSUSDT';
      await store.insertCandles([candle(sym, 0, { version: 1, final: false, close: 1 }), candle(sym, 1, { version: 3, close: 30 })]);
      await store.insertCandles([candle(sym, 0, { version: 2, final: true, close: 2 })]);
      await store.insertCandles([candle(sym, 1, { version: 2, close: 20 })]); // late, older version
      await store.insertCandles([candle(sym, 0, { version: 2, final: true, close: 2 })]); // redelivery
      const got = await store.queryCandles(candleQuery(sym));
      expect(got).toEqual([candle(sym, 0, { version: 2, final: true, close: 2 }), candle(sym, 1, { version: 3, close: 30 })]);
    });

    it('queries candles by range, limit and source, oldest first; tail takes the newest', async () => {
      const sym = 'RANGEUSDT';
      const ours = Array.from({ length: 10 }, (_, i) => candle(sym, i, { quoteVolume: Math.random() * 1e6 }));
      const venue = ours.map((c) => ({ ...c, source: 'exchange', close: c.close + 0.5 }));
      await store.insertCandles([...[...ours].reverse(), ...venue]);
      const q = (over: Partial<CandleQuery>) => store.queryCandles(candleQuery(sym, over));
      expect(await q({})).toEqual(ours);
      expect(await q({ source: 'exchange' })).toEqual(venue);
      expect(await q({ fromTs: T0 + 2 * MIN, toTs: T0 + 6 * MIN })).toEqual(ours.slice(2, 6));
      expect(await q({ fromTs: T0 + 2 * MIN, toTs: T0 + 6 * MIN, limit: 2 })).toEqual(ours.slice(2, 4));
      expect(await q({ fromTs: T0 + 2 * MIN, toTs: T0 + 6 * MIN, limit: 2, tail: true })).toEqual(ours.slice(4, 6));
      expect(await q({ interval: '5m' })).toEqual([]);
    });

    it('round-trips quality events, including connection-wide ones (empty symbol), by time', async () => {
      const events = [
        qualityEvent('QEUSDT', 2, { kind: QualityKind.QUALITY_KIND_RESYNC }),
        qualityEvent('QEUSDT', 1),
        qualityEvent('QEUSDT', 3, { kind: QualityKind.QUALITY_KIND_UNKNOWN_SYMBOL, expectedId: 0, receivedId: -1 }),
        qualityEvent('', 4, { kind: QualityKind.QUALITY_KIND_RECONNECT, detail: '' }),
      ];
      await store.insertQualityEvents(events);
      const q = { exchange: 'htx', market: 'spot', fromTs: T0, toTs: T0 + 10_000 };
      expect(await store.queryQualityEvents({ ...q, symbol: 'QEUSDT' })).toEqual([events[1], events[0], events[2]]);
      expect(await store.queryQualityEvents({ ...q, symbol: '' })).toEqual([events[3]]);
      expect(await store.queryQualityEvents({ ...q, symbol: 'QEUSDT', limit: 1 })).toEqual([events[1]]);
    });

    it('drops rows it cannot store and keeps the valid rest of the batch', async () => {
      const good = [trade('BADUSDT', 1), trade('BADUSDT', 2)];
      const bad = [
        trade('BADUSDT', 3, { price: Number.NaN }),
        trade('BADUSDT', 4, { tradeId: '' }),
        trade('BADUSDT', 5, { exchangeTs: 1.5 }),
        trade('BADUSDT', 6, { side: 9 as Side }),
      ];
      await store.insertTrades([bad[0]!, good[0]!, ...bad.slice(1), good[1]!]);
      expect(await store.queryTrades(allTrades('BADUSDT'))).toEqual(good);
      await store.insertCandles([candle('BADUSDT', 0, { high: Number.POSITIVE_INFINITY })]);
      expect(await store.queryCandles(candleQuery('BADUSDT'))).toEqual([]);
    });

    it('rejects bad query arguments with a clear error and binds odd strings safely', async () => {
      await expect(store.queryTrades({ ...allTrades('X'), limit: 0 })).rejects.toThrow(/limit/);
      await expect(store.queryTrades({ ...allTrades('X'), fromTs: Number.NaN })).rejects.toThrow(/fromTs/);
      await expect(store.queryCandles(candleQuery('', {}))).rejects.toThrow(/symbol/);
      const hostile = "X' OR 1=1 --";
      expect(await store.queryTrades(allTrades(hostile))).toEqual([]);
      await store.insertTrades([trade(hostile, 1)]);
      expect(await store.queryTrades(allTrades(hostile))).toEqual([trade(hostile, 1)]);
    });

    it('round-trips quality ledger minutes; a later close of a minute replaces the earlier', async () => {
      const sym = 'QMUSDT';
      const rows = [0, 1, 2].map((i) => qualityMinute(sym, i));
      const empty = qualityMinute(sym, 3, {
        messages: 0, trades: 0, bookUpdates: 0, tickers: 0, latencySamples: 0, latencyP50Ms: undefined, latencyP99Ms: undefined,
        latencyBucketMs: [], latencyBucketCount: [], staleSeconds: 60,
      });
      await store.insertQualityMinutes([rows[2]!, empty, rows[0]!, rows[1]!]);
      const reclosed = qualityMinute(sym, 1, { messages: 99, closedAt: rows[1]!.closedAt + 5 });
      await store.insertQualityMinutes([reclosed]);
      await store.insertQualityMinutes([rows[1]!]); // a redelivery of the older close
      const q = { exchange: 'bingx', market: 'perp', symbol: sym, fromTs: T0, toTs: T0 + 10 * MIN };
      expect(await store.queryQualityMinutes(q)).toEqual([rows[0], reclosed, rows[2], empty]);
      expect(await store.queryQualityMinutes({ ...q, fromTs: T0 + MIN, toTs: T0 + 3 * MIN })).toEqual([reclosed, rows[2]]);
      expect(await store.queryQualityMinutes({ ...q, limit: 1 })).toEqual([rows[0]]);
      expect(await store.queryQualityMinutes({ ...q, market: 'spot' })).toEqual([]);
    });

    it('aggregates quality minutes per bucket: sums, merged histograms, quantiles from the merge', async () => {
      const sym = 'QMAGGUSDT';
      // T0 is 23:58 UTC: 5-minute buckets start at T0 - 3 min and T0 + 2 min.
      const rows = [0, 1, 2, 3].map((i) => qualityMinute(sym, i));
      await store.insertQualityMinutes([...rows, qualityMinute(sym, 1, { closedAt: 1 })]); // an older close is ignored
      const got = await store.queryQualityMinutes({ exchange: 'bingx', market: 'perp', symbol: sym, fromTs: T0, toTs: T0 + 10 * MIN, bucketMs: 5 * MIN });
      const sum = (xs: QualityMinute[], f: (m: QualityMinute) => number) => xs.reduce((a, m) => a + f(m), 0);
      expect(got).toHaveLength(2);
      const first = rows.slice(0, 2);
      expect(got[0]).toMatchObject({
        windowStart: T0 - 3 * MIN, minutes: 2, messages: sum(first, (m) => m.messages), sequenceGaps: 1, reconnects: 2, staleSeconds: 6,
        latencySamples: sum(first, (m) => m.latencySamples), latencyBucketMs: [-1.5, 0, 12.25, 250.5], latencyBucketCount: [2, 4, 9, 4],
        closedAt: rows[1]!.closedAt,
      });
      // 19 samples: rank 10 (p50) falls in 12.25, rank 19 (p99) in 250.5.
      expect(got[0]).toMatchObject({ latencyP50Ms: 12.25, latencyP99Ms: 250.5 });
      expect(got[1]).toMatchObject({ windowStart: T0 + 2 * MIN, minutes: 2, latencyBucketCount: [2, 4, 13, 4] });
      await expect(store.queryQualityMinutes({ exchange: 'bingx', market: 'perp', symbol: sym, fromTs: T0, toTs: T0 + MIN, bucketMs: 90_000 }))
        .rejects.toThrow(/bucketMs/);
    });

    it('drops quality minutes it cannot store', async () => {
      await store.insertQualityMinutes([
        qualityMinute('QMBADUSDT', 0, { latencyBucketCount: [1] }),
        qualityMinute('QMBADUSDT', 1, { staleSeconds: -1 }),
        qualityMinute('QMBADUSDT', 2),
      ]);
      const got = await store.queryQualityMinutes({ exchange: 'bingx', market: 'perp', symbol: 'QMBADUSDT', fromTs: T0, toTs: T0 + 10 * MIN });
      expect(got).toEqual([qualityMinute('QMBADUSDT', 2)]);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('closes idempotently; later use fails', async () => {
      await store.close();
      await store.close();
      await expect(store.queryTrades(allTrades('CLOSEDUSDT'))).rejects.toThrow();
    });
  });
}

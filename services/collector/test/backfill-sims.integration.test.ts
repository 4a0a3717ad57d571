import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INTERVALS, type Candle, type Interval, type Market } from '@pricelevel/contracts';
import { BinanceSimulator, BingxSim, BybitSim, HtxSim } from '@pricelevel/exchange-sim';
import { createChdbStore, loadConfig, silentLogger, systemClock, type ClickHouseStore, type Clock } from '@pricelevel/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackfillPagingError, backfillOnStart, backfillSeries, klineSourceFor, parseTimeArg, type KlineRestUrls, type KlineSource,
} from '../src/index.js';

/**
 * The backfill against the four venue simulators on loopback, into a real chDB store: the stored
 * candles must be exactly the simulator's closed klines for the range (read back from the simulator
 * in one large request, independently of the backfill's paging), a second run must send no request,
 * an interrupted run must resume to the same result, and a venue that ignores the cursor must fail.
 */
const MIN = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 15, 10, 20, 30);
let t = T0;
const simClock = { now: () => t };
const clock: Clock = { now: () => t, setTimeout: systemClock.setTimeout, setInterval: systemClock.setInterval };

const dir = mkdtempSync(join(tmpdir(), 'pricelevel-backfill-'));
let store: ClickHouseStore;
let binance: BinanceSimulator;
let bybit: BybitSim;
let bingx: BingxSim;
let htx: HtxSim;
let urls: KlineRestUrls;

beforeAll(async () => {
  [store, binance, bybit, bingx, htx] = await Promise.all([
    createChdbStore({ path: dir, database: 'backfill_test', logger: silentLogger }),
    BinanceSimulator.start({ seed: 3, symbols: ['BTCUSDT', 'ETHUSDT'], autoTick: false, clock: simClock, history: {} }),
    BybitSim.start({ seed: 4, symbols: ['BTCUSDT'], autoTick: false, clock: simClock }),
    BingxSim.start({ seed: 5, symbols: ['BTCUSDT'], autoTick: false, clock: simClock }),
    HtxSim.start({ seed: 6, symbols: ['BTCUSDT'], autoTick: false, clock: simClock }),
  ]);
  await store.migrate();
  // The session sims (Bybit, BingX, HTX) have no history before they start: give them ~11 h of
  // minutes with trades in some of them, then stop the clock 30 s into a minute.
  for (let m = 0; m < 680; m += 7) {
    t = T0 + m * MIN + 5_000;
    bybit.tick(3);
    bingx.tick(3);
    htx.tick(3);
  }
  t = T0 + 680 * MIN + 30_000;
  urls = {
    BINANCE_SPOT_REST_URL: binance.urls.spotRest,
    BINANCE_PERP_REST_URL: binance.urls.perpRest,
    BYBIT_REST_URL: bybit.urls.rest,
    BINGX_PERP_REST_URL: bingx.urls.perpRest,
    HTX_REST_URL: htx.urls.spotRest,
  };
}, 120_000);

afterAll(async () => {
  await Promise.all([store?.close(), binance?.close(), bybit?.close(), bingx?.close(), htx?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** A fetch that counts requests, can rewrite URLs and can run a hook after each answer. */
function countingFetch(o: { rewrite?: (u: URL) => void; after?: (n: number) => void } = {}) {
  const seen: string[] = [];
  const f: typeof globalThis.fetch = async (input, init) => {
    const u = new URL(String(input));
    o.rewrite?.(u);
    seen.push(u.pathname + u.search);
    const res = await globalThis.fetch(u, init);
    o.after?.(seen.length);
    return res;
  };
  return { fetch: f, seen };
}

function source(exchange: 'binance' | 'bybit' | 'bingx' | 'htx', market: Market, f: typeof globalThis.fetch): KlineSource {
  return klineSourceFor(exchange, market, urls, { clock, fetch: f, minGapMs: { bybit: 0, bingx: 0, htx: 0 } });
}

/** Comparable fields: [open time, open, high, low, close, volume, quote volume, trade count]. */
type Row = [number, number, number, number, number, number, number, number];

async function stored(exchange: string, market: string, symbol: string, interval: Interval): Promise<Candle[]> {
  return store.queryCandles({ exchange, market, symbol, interval, source: 'exchange', fromTs: 0, toTs: T0 + 365 * 24 * HOUR, limit: 100_000 });
}

const closedAt = (interval: Interval) => (openTime: number) => openTime + INTERVALS[interval] <= t;

async function getJson(url: string): Promise<unknown> {
  const res = await globalThis.fetch(url);
  expect(res.ok).toBe(true);
  return res.json();
}

/** The simulators' own answers for a whole range in one request each (all fit one venue page). */
const oracle = {
  async binance(market: Market, symbol: string, interval: Interval, since: number): Promise<Row[]> {
    const base = market === 'spot' ? `${urls.BINANCE_SPOT_REST_URL}/api/v3/klines` : `${urls.BINANCE_PERP_REST_URL}/fapi/v1/klines`;
    const rows = (await getJson(`${base}?symbol=${symbol}&interval=${interval}&startTime=${since}&limit=1000`)) as unknown[][];
    expect(rows.length).toBeLessThan(1000);
    return rows.map((r) => [r[0], r[1], r[2], r[3], r[4], r[5], r[7], r[8]].map(Number) as Row).filter((r) => closedAt(interval)(r[0]));
  },
  async bybit(market: Market, symbol: string, since: number): Promise<Row[]> {
    const category = market === 'spot' ? 'spot' : 'linear';
    const body = (await getJson(`${urls.BYBIT_REST_URL}/v5/market/kline?category=${category}&symbol=${symbol}&interval=1&start=${since}&limit=1000`)) as {
      result: { list: string[][] };
    };
    expect(body.result.list.length).toBeLessThan(1000);
    return body.result.list
      .map((r) => [r[0], r[1], r[2], r[3], r[4], r[5], r[6], 0].map(Number) as Row)
      .reverse()
      .filter((r) => closedAt('1m')(r[0]));
  },
  async bingx(native: string, since: number): Promise<Row[]> {
    const body = (await getJson(`${urls.BINGX_PERP_REST_URL}/openApi/swap/v3/quote/klines?symbol=${native}&interval=1m&startTime=${since}&limit=1440`)) as {
      data: { time: number; open: string; high: string; low: string; close: string; volume: string }[];
    };
    expect(body.data.length).toBeLessThan(1440);
    return body.data
      .map((k) => [k.time, k.open, k.high, k.low, k.close, k.volume, 0, 0].map(Number) as Row)
      .sort((a, b) => a[0] - b[0])
      .filter((r) => closedAt('1m')(r[0]));
  },
  async htx(native: string): Promise<Row[]> {
    const body = (await getJson(`${urls.HTX_REST_URL}/market/history/kline?symbol=${native}&period=1min&size=2000`)) as {
      data: { id: number; open: number; high: number; low: number; close: number; amount: number; vol: number; count: number }[];
    };
    return body.data
      .map((k) => [k.id * 1000, k.open, k.high, k.low, k.close, k.amount, k.vol, k.count] as Row)
      .reverse()
      .filter((r) => closedAt('1m')(r[0]));
  },
};

function rowsOf(candles: Candle[], withQuote: boolean, withCount: boolean): Row[] {
  return candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume, withQuote ? c.quoteVolume : 0, withCount ? c.tradeCount : 0]);
}

function expectWellFormed(candles: Candle[], interval: Interval): void {
  for (const c of candles) {
    expect(c).toMatchObject({ source: 'exchange', version: 1, final: true, interval, closeTime: c.openTime + INTERVALS[interval] });
    expect(c.closeTime).toBeLessThanOrEqual(t);
  }
}

describe('backfill against the venue simulators', () => {
  it('binance spot: pages forward to exactly the venue klines of the range; the second run sends nothing', async () => {
    const since = t - 350 * HOUR;
    const want = await oracle.binance('spot', 'BTCUSDT', '1h', since);
    const first = countingFetch();
    const r1 = await backfillSeries(
      { symbol: 'BTCUSDT', interval: '1h', since },
      { store, source: source('binance', 'spot', first.fetch), clock, logger: silentLogger, pageLimit: 100 },
    );
    expect(first.seen.length).toBeGreaterThanOrEqual(4);
    expect(first.seen.every((p) => p.startsWith('/api/v3/klines?'))).toBe(true);
    const got = await stored('binance', 'spot', 'BTCUSDT', '1h');
    expect(want.length).toBeGreaterThan(340);
    expect(rowsOf(got, true, true)).toEqual(want);
    expectWellFormed(got, '1h');
    expect(r1.stored).toBe(want.length);

    const second = countingFetch();
    const r2 = await backfillSeries(
      { symbol: 'BTCUSDT', interval: '1h', since },
      { store, source: source('binance', 'spot', second.fetch), clock, logger: silentLogger, pageLimit: 100 },
    );
    expect(second.seen).toEqual([]);
    expect(r2).toMatchObject({ requests: 0, stored: 0, lastOpenTime: want[want.length - 1]![0] });
  });

  it('bybit spot: newest-first windows from before the listing; the second run sends nothing', async () => {
    const since = T0 - 3 * HOUR; // the simulated market "lists" at T0
    const want = await oracle.bybit('spot', 'BTCUSDT', since);
    const first = countingFetch();
    await backfillSeries({ symbol: 'BTCUSDT', interval: '1m', since }, { store, source: source('bybit', 'spot', first.fetch), clock, logger: silentLogger, pageLimit: 100 });
    expect(first.seen.length).toBeGreaterThanOrEqual(8);
    const got = await stored('bybit', 'spot', 'BTCUSDT', '1m');
    expect(want.length).toBeGreaterThan(600);
    expect(got[0]!.openTime).toBe(Math.floor(T0 / MIN) * MIN);
    expect(rowsOf(got, true, false)).toEqual(want);
    expectWellFormed(got, '1m');

    const second = countingFetch();
    await backfillSeries({ symbol: 'BTCUSDT', interval: '1m', since }, { store, source: source('bybit', 'spot', second.fetch), clock, logger: silentLogger, pageLimit: 100 });
    expect(second.seen).toEqual([]);
  });

  it('bingx perp: windows of the venue klines; the second run sends nothing', async () => {
    const since = T0 - 2 * HOUR;
    const want = await oracle.bingx('BTC-USDT', since);
    const first = countingFetch();
    await backfillSeries({ symbol: 'BTC-USDT', interval: '1m', since }, { store, source: source('bingx', 'perp', first.fetch), clock, logger: silentLogger, pageLimit: 120 });
    expect(first.seen.length).toBeGreaterThanOrEqual(6);
    expect(first.seen.every((p) => p.startsWith('/openApi/swap/v3/quote/klines?'))).toBe(true);
    const got = await stored('bingx', 'perp', 'BTCUSDT', '1m');
    expect(want.length).toBeGreaterThan(600);
    expect(rowsOf(got, false, false)).toEqual(want);
    expectWellFormed(got, '1m');

    const second = countingFetch();
    await backfillSeries({ symbol: 'BTCUSDT', interval: '1m', since }, { store, source: source('bingx', 'perp', second.fetch), clock, logger: silentLogger, pageLimit: 120 });
    expect(second.seen).toEqual([]);
  });

  it('htx spot: one request for the latest candles; what is older is reported unreachable, not refetched', async () => {
    const since = T0 - HOUR;
    const all = await oracle.htx('btcusdt');
    const first = countingFetch();
    // A 500-candle cap stands in for the venue's 2000 so the session sim reaches past it.
    const r1 = await backfillSeries({ symbol: 'btcusdt', interval: '1m', since }, { store, source: source('htx', 'spot', first.fetch), clock, logger: silentLogger, pageLimit: 500 });
    expect(first.seen).toHaveLength(1);
    expect(first.seen[0]).toMatch(/^\/market\/history\/kline\?symbol=btcusdt&period=1min&size=500$/);
    const got = await stored('htx', 'spot', 'BTCUSDT', '1m');
    expect(all.length).toBeGreaterThan(600);
    expect(rowsOf(got, true, true)).toEqual(all.slice(-got.length));
    expect(got.length).toBe(499); // 500 latest minus the still-open one
    expectWellFormed(got, '1m');
    expect(r1.unreachable).toEqual({ from: since, to: got[0]!.openTime });

    const second = countingFetch();
    await backfillSeries({ symbol: 'BTCUSDT', interval: '1m', since }, { store, source: source('htx', 'spot', second.fetch), clock, logger: silentLogger, pageLimit: 500 });
    expect(second.seen).toEqual([]);
  });

  it('resumes after an interrupted run and ends with the complete range', async () => {
    const since = t - 400 * HOUR;
    const want = await oracle.binance('perp', 'ETHUSDT', '1h', since);
    const abort = new AbortController();
    const first = countingFetch({ after: (n) => n === 3 && abort.abort() });
    const run = backfillSeries(
      { symbol: 'ETHUSDT', interval: '1h', since },
      { store, source: source('binance', 'perp', first.fetch), clock, logger: silentLogger, pageLimit: 50, signal: abort.signal },
    );
    await expect(run).rejects.toThrow(/abort/i);
    const partial = await stored('binance', 'perp', 'ETHUSDT', '1h');
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(want.length);
    expect(rowsOf(partial, true, true)).toEqual(want.slice(0, partial.length)); // a contiguous prefix

    const second = countingFetch();
    await backfillSeries({ symbol: 'ETHUSDT', interval: '1h', since }, { store, source: source('binance', 'perp', second.fetch), clock, logger: silentLogger, pageLimit: 50 });
    expect(new URL(`http://x${second.seen[0]}`).searchParams.get('startTime')).toBe(String(partial[partial.length - 1]!.openTime + HOUR));
    expect(first.seen.length + second.seen.length).toBeLessThanOrEqual(Math.ceil(want.length / 50) + 2);
    expect(rowsOf(await stored('binance', 'perp', 'ETHUSDT', '1h'), true, true)).toEqual(want);
  });

  it('a venue whose answers do not advance the cursor fails instead of looping', async () => {
    const since = t - 300 * HOUR;
    // Forward paging: the venue answers every request as if asked from `since` again.
    const frozen = countingFetch({ rewrite: (u) => u.searchParams.set('startTime', String(since)) });
    const err = await backfillSeries(
      { symbol: 'ETHUSDT', interval: '1h', since },
      { store, source: source('binance', 'spot', frozen.fetch), clock, logger: silentLogger, pageLimit: 100 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackfillPagingError);
    expect((err as BackfillPagingError).problem).toBe('stuck');
    expect(frozen.seen).toHaveLength(2);

    // Window paging: the venue ignores start/end and serves its latest candles.
    const ignoring = countingFetch({ rewrite: (u) => (u.searchParams.delete('start'), u.searchParams.delete('end')) });
    const err2 = await backfillSeries(
      { symbol: 'BTCUSDT', interval: '1m', since: T0 },
      { store, source: source('bybit', 'perp', ignoring.fetch), clock, logger: silentLogger, pageLimit: 100 },
    ).catch((e: unknown) => e);
    expect((err2 as BackfillPagingError).problem).toBe('out-of-range');
  });

  it('backfillOnStart fills every configured series from the configured venues', async () => {
    const config = loadConfig({
      PL_EXCHANGES: 'binance,bybit,bingx,htx',
      PL_SYMBOLS: 'BTCUSDT',
      PL_BACKFILL_INTERVALS: '5m',
      PL_BACKFILL_SINCE: '2h',
      BINANCE_SPOT_REST_URL: urls.BINANCE_SPOT_REST_URL,
      BINANCE_PERP_REST_URL: urls.BINANCE_PERP_REST_URL,
      BYBIT_REST_URL: urls.BYBIT_REST_URL,
      BINGX_PERP_REST_URL: urls.BINGX_PERP_REST_URL,
      HTX_REST_URL: urls.HTX_REST_URL,
    });
    const counted = countingFetch();
    const handle = backfillOnStart({ config, store, clock, logger: silentLogger, fetch: counted.fetch, minGapMs: { bybit: 0, bingx: 0, htx: 0 } });
    const outcomes = await handle.done;
    await handle.stop();
    expect(outcomes.map((o) => `${o.exchange}:${o.market}`).sort()).toEqual(
      ['binance:perp', 'binance:spot', 'bingx:perp', 'bybit:perp', 'bybit:spot', 'htx:spot'],
    );
    const since = parseTimeArg('2h', t);
    for (const o of outcomes) {
      expect(o.error).toBeUndefined();
      const got = await stored(o.exchange, o.market, 'BTCUSDT', '5m');
      expect(got.length).toBe(o.result!.stored);
      expect(got.length).toBeGreaterThanOrEqual(22); // 2 h of 5 m candles, less the open one
      expect(got[0]!.openTime).toBeGreaterThanOrEqual(since);
      expectWellFormed(got, '5m');
    }
    const again = countingFetch();
    const second = backfillOnStart({ config, store, clock, logger: silentLogger, fetch: again.fetch, minGapMs: { bybit: 0, bingx: 0, htx: 0 } });
    expect((await second.done).every((o) => o.result?.requests === 0)).toBe(true);
    expect(again.seen).toEqual([]);
  });
});

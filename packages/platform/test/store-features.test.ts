import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Completeness, PositionSide, Side, type BookSnapshot, type Liquidation } from '@pricelevel/contracts';
import { createChdbStore, MIGRATIONS, silentLogger, type ClickHouseStore, type SeriesQuery } from '../src/index.js';
import { MAX_BOOK_LEVELS } from '../src/store/feature-codecs.js';
import { bookFeatures, liquidation, orderFlow, SEC, snapshot, T0 } from './feature-rows.js';

// One chDB session at a time in this file (each holds ~250 MB); the data dir goes at the end.
const dir = mkdtempSync(join(tmpdir(), 'pricelevel-features-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/binance/${name}`, import.meta.url), 'utf8');

/** A real Binance USDⓈ-M depth snapshot (1000 levels a side) as a BookSnapshot; provenance in fixtures/PROVENANCE.md. */
function realSnapshot(): BookSnapshot {
  const depth = JSON.parse(fixture('futures_rest_depth_limit1000.real.json')) as { lastUpdateId: number; T: number; bids: string[][]; asks: string[][] };
  const col = (levels: string[][], k: number) => levels.map((l) => Number(l[k]));
  return {
    exchange: 'binance', market: 'perp', symbol: 'REALUSDT', ts: Math.ceil(depth.T / SEC) * SEC, resyncing: false, bookEpoch: 1,
    lastUpdateId: depth.lastUpdateId, bookTs: depth.T,
    bidPrices: col(depth.bids, 0), bidSizes: col(depth.bids, 1), askPrices: col(depth.asks, 0), askSizes: col(depth.asks, 1),
  };
}

/** The real forceOrder events of the fixture as Liquidations (a SELL order liquidates a long). */
function realLiquidations(): Liquidation[] {
  return fixture('futures_ws_forceOrder.real.jsonl').trim().split('\n').map((line) => {
    const o = (JSON.parse(line) as { data: { E: number; o: { s: string; S: string; q: string; p: string; T: number } } }).data;
    return {
      exchange: 'binance', market: 'perp', symbol: o.o.s,
      side: o.o.S === 'BUY' ? Side.SIDE_BUY : Side.SIDE_SELL,
      liquidatedPosition: o.o.S === 'BUY' ? PositionSide.POSITION_SIDE_SHORT : PositionSide.POSITION_SIDE_LONG,
      price: Number(o.o.p), size: Number(o.o.q), completeness: Completeness.COMPLETENESS_SAMPLED,
      exchangeTs: o.o.T, receivedTs: o.E,
    };
  });
}

/** `n` finite doubles with uniformly random bit patterns (seeded, so a failure reproduces). */
function anyDoubles(n: number, seed: number): number[] {
  let state = seed >>> 0;
  const next32 = () => { // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const view = new DataView(new ArrayBuffer(8));
  const out: number[] = [];
  while (out.length < n) {
    view.setUint32(0, next32());
    view.setUint32(4, next32());
    const v = view.getFloat64(0);
    if (Number.isFinite(v)) out.push(v);
  }
  return out;
}

const range = (exchange: string, market: string, symbol: string, over: Partial<SeriesQuery> = {}): SeriesQuery => ({
  exchange, market, symbol, fromTs: T0 - 3600 * SEC, toTs: T0 + 3600 * SEC, limit: 1000, ...over,
});

describe('feature tables on chDB', () => {
  let store: ClickHouseStore;
  beforeAll(async () => {
    store = await createChdbStore({ path: dir, database: 'features', logger: silentLogger });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('round-trips book snapshots exactly: a real 1000-level book and awkward doubles', async () => {
    const real = realSnapshot();
    const awkward = snapshot('ODDUSDT', 1, {
      bidPrices: [0.1 + 0.2, 1e-300, 5e-324, Number.MAX_VALUE, 123456.78901234567, 2 ** 53 + 2],
      bidSizes: [-0, 0, 2.2250738585072014e-308, 1 / 3, Math.PI, Math.random()],
      askPrices: [],
      askSizes: [],
      bookEpoch: -7,
      lastUpdateId: Number.MAX_SAFE_INTEGER,
      resyncing: true,
    });
    // Doubles from random bit patterns: every exponent, subnormals included (a fast float parser misreads ~1/3 of these).
    const bits = anyDoubles(4 * MAX_BOOK_LEVELS, 20240331);
    const quarter = (k: number) => bits.slice(k * MAX_BOOK_LEVELS, (k + 1) * MAX_BOOK_LEVELS);
    const random = snapshot('ODDUSDT', 2, { bidPrices: quarter(0), bidSizes: quarter(1), askPrices: quarter(2), askSizes: quarter(3) });
    await store.insertBookSnapshots([real, awkward, random]);
    expect(await store.queryBookSnapshots(range('binance', 'perp', 'REALUSDT', { fromTs: 0, toTs: 2 ** 45 }))).toEqual([real]);
    const got = await store.queryBookSnapshots(range('binance', 'perp', 'ODDUSDT'));
    expect(got).toEqual([awkward, random]);
    expect(Object.is(got[0]!.bidSizes[0], -0)).toBe(true); // the sign of zero survives
  });

  it('round-trips book features with NaN, ±Infinity and -0 in any column', async () => {
    const rows = [
      bookFeatures('NANUSDT', 0, { midPrice: Number.NaN, spread: Number.NaN, spreadPct: Number.NaN, bidLevels: 0, askLevels: 0 }),
      bookFeatures('NANUSDT', 1, { pressureRatio: Number.POSITIVE_INFINITY, netPressure: Number.NEGATIVE_INFINITY, priceChange1s: -0 }),
      bookFeatures('NANUSDT', 2, { volumeImbalance: 0.1 + 0.2, bidPriceStd: 1e-300, askSizeStd: 5e-324 }),
    ];
    await store.insertBookFeatures(rows);
    const got = await store.queryBookFeatures(range('bybit', 'spot', 'NANUSDT'));
    expect(got).toEqual(rows);
    expect(got[0]!.midPrice).toBeNaN();
    expect(got[0]!.priceVolatility30s).toBeNaN();
    expect(Object.is(got[1]!.priceChange1s, -0)).toBe(true);
  });

  it('round-trips order flow with its footprint, one series per interval', async () => {
    const seconds = [0, 1, 2].map((i) => orderFlow('FLOWUSDT', '1s', i));
    const empty = orderFlow('FLOWUSDT', '1s', 3, { tradeCount: 0, vwap: Number.NaN, footprint: [], liquidationCompleteness: Completeness.COMPLETENESS_UNAVAILABLE });
    const minute = orderFlow('FLOWUSDT', '1m', 0, { tradeCount: 2 ** 40, liquidationCompleteness: Completeness.UNRECOGNIZED });
    await store.insertOrderFlows([empty, minute, ...seconds]);
    const q = { ...range('binance', 'spot', 'FLOWUSDT'), interval: '1s' };
    expect(await store.queryOrderFlows(q)).toEqual([...seconds, empty]);
    expect(await store.queryOrderFlows({ ...q, interval: '1m' })).toEqual([minute]);
    expect(await store.queryOrderFlows({ ...q, interval: '5m' })).toEqual([]);
  });

  it('round-trips real liquidations, oldest first', async () => {
    const real = realLiquidations();
    await store.insertLiquidations(real);
    for (const l of real) {
      expect(await store.queryLiquidations(range('binance', 'perp', l.symbol, { fromTs: 0, toTs: 2 ** 45 }))).toEqual([l]);
    }
    const sym = 'LIQUSDT';
    const rows = [liquidation(sym, 2), liquidation(sym, 0), liquidation(sym, 1), liquidation(sym, 1, { side: Side.SIDE_SELL, size: 7 })];
    await store.insertLiquidations(rows);
    // Same instant: ordered by side, then price and size.
    expect(await store.queryLiquidations(range('binance', 'perp', sym))).toEqual([rows[1], rows[2], rows[3], rows[0]]);
  });

  it('keeps the latest write of each key: rewrites replace, redeliveries collapse', async () => {
    const snaps = [0, 1, 2].map((i) => snapshot('REWRITEUSDT', i));
    const resnap = snapshot('REWRITEUSDT', 1, { resyncing: true, bidPrices: [1], bidSizes: [2], askPrices: [], askSizes: [] });
    await store.insertBookSnapshots(snaps);
    await store.insertBookSnapshots([resnap]);
    await store.insertBookSnapshots([snaps[2]!]);
    expect(await store.queryBookSnapshots(range('binance', 'perp', 'REWRITEUSDT'))).toEqual([snaps[0], resnap, snaps[2]]);

    const feats = [0, 1].map((i) => bookFeatures('REWRITEUSDT', i));
    const refeat = bookFeatures('REWRITEUSDT', 0, { midPrice: 42, priceVolatility30s: 0.5 });
    await store.insertBookFeatures(feats);
    await store.insertBookFeatures([refeat]);
    expect(await store.queryBookFeatures(range('bybit', 'spot', 'REWRITEUSDT'))).toEqual([refeat, feats[1]]);

    const flow = orderFlow('REWRITEUSDT', '1m', 0);
    const reflow = orderFlow('REWRITEUSDT', '1m', 0, { tradeCount: 99, footprint: [] });
    await store.insertOrderFlows([flow]);
    await store.insertOrderFlows([reflow]);
    expect(await store.queryOrderFlows({ ...range('binance', 'spot', 'REWRITEUSDT'), interval: '1m' })).toEqual([reflow]);

    const liq = liquidation('REWRITEUSDT', 0);
    const refetched = { ...liq, receivedTs: liq.receivedTs + 5000 }; // the same liquidation collected again
    await store.insertLiquidations([liq, liquidation('REWRITEUSDT', 1)]);
    await store.insertLiquidations([liq]);
    await store.insertLiquidations([refetched]);
    expect(await store.queryLiquidations(range('binance', 'perp', 'REWRITEUSDT'))).toEqual([refetched, liquidation('REWRITEUSDT', 1)]);
  });

  it('honours range, limit and tail (newest rows, still oldest first) on every series', async () => {
    const sym = 'RANGEUSDT';
    const snaps = Array.from({ length: 10 }, (_, i) => snapshot(sym, i));
    const feats = snaps.map((_, i) => bookFeatures(sym, i));
    const flows = snaps.map((_, i) => orderFlow(sym, '1s', i));
    const liqs = snaps.map((_, i) => liquidation(sym, i));
    await store.insertBookSnapshots([...snaps].reverse());
    await store.insertBookFeatures([...feats].reverse());
    await store.insertOrderFlows([...flows].reverse());
    await store.insertLiquidations([...liqs].reverse());
    const cases: [Partial<SeriesQuery>, number, number][] = [
      [{}, 0, 10],
      [{ fromTs: T0 + 2 * SEC, toTs: T0 + 6 * SEC }, 2, 6], // fromTs inclusive, toTs exclusive
      [{ fromTs: T0 + 2 * SEC, toTs: T0 + 6 * SEC, limit: 2 }, 2, 4],
      [{ fromTs: T0 + 2 * SEC, toTs: T0 + 6 * SEC, limit: 2, tail: true }, 4, 6],
      [{ limit: 3, tail: true }, 7, 10],
      [{ limit: 50, tail: true }, 0, 10],
    ];
    for (const [over, from, to] of cases) {
      expect(await store.queryBookSnapshots(range('binance', 'perp', sym, over))).toEqual(snaps.slice(from, to));
      expect(await store.queryBookFeatures(range('bybit', 'spot', sym, over))).toEqual(feats.slice(from, to));
      expect(await store.queryOrderFlows({ ...range('binance', 'spot', sym, over), interval: '1s' })).toEqual(flows.slice(from, to));
      expect(await store.queryLiquidations(range('binance', 'perp', sym, over))).toEqual(liqs.slice(from, to));
    }
  });

  it('never returns another instrument\'s rows', async () => {
    const sym = 'ISOUSDT';
    await store.insertBookSnapshots([snapshot(sym, 0), snapshot(sym, 0, { market: 'spot' }), snapshot(sym, 0, { exchange: 'bybit' }), snapshot('ISO2USDT', 0)]);
    await store.insertBookFeatures([bookFeatures(sym, 0), bookFeatures(sym, 0, { market: 'perp' })]);
    await store.insertOrderFlows([orderFlow(sym, '1s', 0), orderFlow(sym, '1s', 0, { exchange: 'htx' })]);
    await store.insertLiquidations([liquidation(sym, 0), liquidation(sym, 0, { symbol: 'ISO2USDT' })]);
    expect(await store.queryBookSnapshots(range('binance', 'perp', sym))).toEqual([snapshot(sym, 0)]);
    expect(await store.queryBookSnapshots(range('binance', 'spot', sym))).toEqual([snapshot(sym, 0, { market: 'spot' })]);
    expect(await store.queryBookFeatures(range('bybit', 'spot', sym))).toEqual([bookFeatures(sym, 0)]);
    expect(await store.queryOrderFlows({ ...range('binance', 'spot', sym), interval: '1s' })).toEqual([orderFlow(sym, '1s', 0)]);
    expect(await store.queryLiquidations(range('binance', 'perp', sym))).toEqual([liquidation(sym, 0)]);
    expect(await store.queryLiquidations(range('binance', 'spot', sym))).toEqual([]);
  });

  it('drops the rows it cannot store, counts them per table and keeps the valid rest', async () => {
    const sym = 'BADUSDT';
    const before = store.droppedRows;
    await store.insertBookSnapshots([snapshot(sym, 0, { bidSizes: [1] }), snapshot(sym, 1), snapshot(sym, 2, { ts: 1.5 })]);
    await store.insertBookFeatures([bookFeatures(sym, 0, { askLevels: -2 }), bookFeatures(sym, 1)]);
    await store.insertOrderFlows([orderFlow(sym, '1s', 0, { interval: '' }), orderFlow(sym, '1s', 1, { tradeCount: -1 }), orderFlow(sym, '1s', 2)]);
    await store.insertLiquidations([liquidation(sym, 0, { size: Number.POSITIVE_INFINITY })]);
    const after = store.droppedRows;
    expect({
      book_snapshots: after.book_snapshots - before.book_snapshots,
      book_features: after.book_features - before.book_features,
      order_flow: after.order_flow - before.order_flow,
      liquidations: after.liquidations - before.liquidations,
    }).toEqual({ book_snapshots: 2, book_features: 1, order_flow: 2, liquidations: 1 });
    expect(after.trades).toBe(before.trades);
    expect(await store.queryBookSnapshots(range('binance', 'perp', sym))).toEqual([snapshot(sym, 1)]);
    expect(await store.queryBookFeatures(range('bybit', 'spot', sym))).toEqual([bookFeatures(sym, 1)]);
    expect(await store.queryOrderFlows({ ...range('binance', 'spot', sym), interval: '1s' })).toEqual([orderFlow(sym, '1s', 2)]);
    expect(await store.queryLiquidations(range('binance', 'perp', sym))).toEqual([]);
  });

  it('stores a batch larger than one insert statement of snapshots', async () => {
    const n = 11_000; // several statements at book_snapshots' cap of rows per statement
    const snaps = Array.from({ length: n }, (_, i) => snapshot('BULKUSDT', i));
    await store.insertBookSnapshots(snaps);
    const got = await store.queryBookSnapshots(range('binance', 'perp', 'BULKUSDT', { toTs: T0 + n * SEC, limit: n }));
    expect(got).toHaveLength(n);
    expect([got[0], got[4321], got[n - 1]]).toEqual([snaps[0], snaps[4321], snaps[n - 1]]);
  });

  it('rejects bad query arguments with a clear error', async () => {
    await expect(store.queryBookSnapshots(range('binance', 'perp', 'X', { limit: 0 }))).rejects.toThrow(/limit/);
    await expect(store.queryBookFeatures(range('binance', 'perp', 'X', { fromTs: Number.NaN }))).rejects.toThrow(/fromTs/);
    await expect(store.queryLiquidations(range('binance', '', 'X'))).rejects.toThrow(/market/);
    await expect(store.queryOrderFlows({ ...range('binance', 'spot', 'X'), interval: '' })).rejects.toThrow(/interval/);
    const hostile = "X' OR 1=1 --";
    await store.insertLiquidations([liquidation(hostile, 0)]);
    expect(await store.queryLiquidations(range('binance', 'perp', hostile))).toEqual([liquidation(hostile, 0)]);
    expect(await store.queryOrderFlows({ ...range('binance', 'spot', 'FLOWUSDT'), interval: "1s' OR 1=1 --" })).toEqual([]);
  });
});

describe('feature tables after a restart on the same data dir', () => {
  let store: ClickHouseStore | undefined;
  afterAll(async () => {
    await store?.close();
  });

  it('keeps the data and applies each migration exactly once, however often migrate() runs', async () => {
    store = await createChdbStore({ path: dir, database: 'features', logger: silentLogger });
    await store.migrate();
    await Promise.all([store.migrate(), store.migrate()]);
    expect(await store.migrationRecords()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(MIGRATIONS.slice(4, 8).map((m) => [m.version, m.name])).toEqual([
      [5, 'book_snapshots'], [6, 'book_features'], [7, 'order_flow'], [8, 'liquidations'],
    ]);
    expect(await store.queryBookFeatures(range('bybit', 'spot', 'NANUSDT'))).toHaveLength(3);
  });
});

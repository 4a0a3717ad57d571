import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LevelKind, instrumentKey, type Candle, type LevelSet } from '@pricelevel/contracts';
import { TIMEFRAME_MS, parseBarsCsv, type Bar, type LevelTimeframe } from '@pricelevel/levels';
import { ManualClock, MemoryBus, createChdbStore, silentLogger, type ClickHouseStore } from '@pricelevel/platform';
import { LevelDetector, loadTimeframeBars } from '../src/index.js';

// Real Binance spot BTCUSDT candles (fixtures/ohlcv, see PROVENANCE.md).
const fixture = (tf: string): Bar[] =>
  parseBarsCsv(fs.readFileSync(new URL(`../../../fixtures/ohlcv/binance_spot_BTCUSDT_${tf}.csv`, import.meta.url), 'utf8'));
const REF = { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT' };
const AS_OF = Date.UTC(2020, 6, 1); // 2020-07-01: BTC between its 9000 support and 10000–10500 resistance

const candle = (b: Bar, interval: LevelTimeframe, source: string): Candle => ({
  ...REF, interval, source, openTime: b.openTime, closeTime: b.openTime + TIMEFRAME_MS[interval], open: b.open, high: b.high, low: b.low,
  close: b.close, volume: b.volume, quoteVolume: 0, buyVolume: 0, buyQuoteVolume: 0, tradeCount: 1, version: 1, final: true,
});

describe('LevelDetector', () => {
  let dir: string;
  let store: ClickHouseStore;
  let d1: Bar[];
  let h1: Bar[];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-levels-'));
    store = await createChdbStore({ path: dir, logger: silentLogger });
    await store.migrate();
    d1 = fixture('1d');
    h1 = fixture('1h');
    // The venue's klines as the backfill stores them: 1d and 1h (no 4h: the detector rolls it up).
    const upTo = (bars: Bar[], tf: LevelTimeframe) => bars.filter((b) => b.openTime + TIMEFRAME_MS[tf] <= AS_OF).map((b) => candle(b, tf, 'exchange'));
    await store.insertCandles([...upTo(d1, '1d'), ...upTo(h1.filter((b) => b.openTime >= AS_OF - 400 * 86_400_000), '1h')]);
  }, 60_000);
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads closed bars per timeframe from the store, rolling 4h up from 1h', async () => {
    const bars = await loadTimeframeBars(store, REF, AS_OF);
    expect(bars.d1.at(-1)!.openTime).toBe(AS_OF - 86_400_000);
    expect(bars.d1.length).toBe(d1.filter((b) => b.openTime + 86_400_000 <= AS_OF).length); // history starts 2017-08-17
    expect(bars.h4.at(-1)!.openTime).toBe(AS_OF - TIMEFRAME_MS['4h']);
    expect(bars.h4.length).toBeGreaterThan(2000);
    // 90 days of hours, less the hours the venue has no kline for (maintenance)
    expect(bars.h1.length).toBe(h1.filter((b) => b.openTime >= AS_OF - 90 * 86_400_000 && b.openTime < AS_OF).length);
    expect(bars.h1.length).toBeGreaterThan(90 * 24 - 24);
    const h4 = bars.h4.at(-1)!;
    const hours = bars.h1.slice(-4);
    expect(h4).toEqual({
      openTime: hours[0]!.openTime, open: hours[0]!.open, high: Math.max(...hours.map((h) => h.high)), low: Math.min(...hours.map((h) => h.low)),
      close: hours[3]!.close, volume: hours.reduce((s, h) => s + h.volume, 0),
    });
  });

  it('publishes and stores the level set at start, then a new version when a daily candle closes', async () => {
    const clock = new ManualClock(AS_OF + 60_000);
    const bus = new MemoryBus({ clock, logger: silentLogger });
    const published: LevelSet[] = [];
    await bus.subscribe({ topic: 'levels.v1', group: 't' }, async (b) => void published.push(...b.map((d) => d.value)));
    const detector = new LevelDetector({ bus, store, clock, logger: silentLogger, instruments: [REF] });
    await detector.start();
    await detector.recompute(instrumentKey(REF));
    await bus.flush();
    expect(published).toHaveLength(1);
    const first = published[0]!;
    expect(first).toMatchObject({ ...REF, version: 1, computedAt: AS_OF });
    expect(first.levels.length).toBeGreaterThan(0);
    expect(first.nearestSupport!.price).toBeLessThan(first.currentPrice);
    expect(first.nearestResistance!.price).toBeGreaterThan(first.currentPrice);
    expect(first.levels.every((l) => (l.kind === LevelKind.LEVEL_KIND_SUPPORT) === l.price < first.currentPrice)).toBe(true);

    // Nothing new: no republish.
    await detector.recompute(instrumentKey(REF));
    await bus.flush();
    expect(published).toHaveLength(1);

    // The next day closes: stored (as the aggregator would) and announced on the bus.
    const next = d1.find((b) => b.openTime === AS_OF)!;
    await store.insertCandles([candle(next, '1d', 'trades')]);
    clock.set(AS_OF + 86_400_000 + 1000);
    await bus.publish('agg.candle.v1', [{ key: instrumentKey(REF), value: candle(next, '1d', 'trades') }]);
    await bus.flush();
    await detector.recompute(instrumentKey(REF));
    await bus.flush();
    expect(published.map((s) => s.version)).toEqual([1, 2]);
    expect(published[1]!.computedAt).toBe(AS_OF + 86_400_000);
    await detector.stop();

    const stored = await store.queryLevelSets({ ...REF, fromTs: 0, toTs: AS_OF + 2 * 86_400_000, limit: 10 });
    expect(stored.map((s) => s.version)).toEqual([1, 2]);
    expect(stored[1]).toEqual(published[1]);

    // A restart continues the version sequence.
    const again = new LevelDetector({ bus, store, clock, logger: silentLogger, instruments: [REF] });
    await again.start();
    clock.set(AS_OF + 2 * 86_400_000);
    await again.recompute(instrumentKey(REF));
    await bus.flush();
    await again.stop();
    expect(published.at(-1)!.version).toBe(3);
  }, 60_000);

  it('waits for history when the store has none (backfill still running) and counts nothing as failed', async () => {
    const clock = new ManualClock(AS_OF);
    const bus = new MemoryBus({ clock, logger: silentLogger });
    const eth = { ...REF, symbol: 'ETHUSDT' };
    const detector = new LevelDetector({ bus, store, clock, logger: silentLogger, instruments: [eth] });
    await detector.start();
    expect(await detector.recompute(instrumentKey(eth))).toBeUndefined();
    await detector.stop();
    expect(detector.stats()).toMatchObject({ recomputes: 0, published: 0, failures: 0 });
  });

  it('looks for missing history less and less often, reading only the daily bars while there are none', async () => {
    const clock = new ManualClock(AS_OF);
    const bus = new MemoryBus({ clock, logger: silentLogger });
    const eth = { ...REF, symbol: 'ETHUSDT' };
    const intervals: string[] = [];
    const counting = Object.create(store, {
      queryCandles: { value: (q: Parameters<ClickHouseStore['queryCandles']>[0]) => {
        intervals.push(q.interval);
        return store.queryCandles(q);
      } },
    }) as ClickHouseStore;
    const detector = new LevelDetector({ bus, store: counting, clock, logger: silentLogger, instruments: [eth], seedRetryMs: 5_000, refreshMs: 60_000 });
    await detector.start();
    const looks = async (ms: number): Promise<number> => {
      for (let t = 0; t < ms; t += 500) {
        clock.advance(500);
        await new Promise((r) => setTimeout(r, 2));
      }
      return intervals.length / 2;
    };
    await new Promise((r) => setTimeout(r, 20));
    expect(intervals.length / 2).toBe(1);
    // Waits of 5, 10, 20, 40 s, then 60 s (refreshMs) each.
    expect(await looks(5_000)).toBe(2);
    expect(await looks(9_500)).toBe(2);
    expect(await looks(500)).toBe(3);
    expect(await looks(20_000)).toBe(4);
    expect(await looks(40_000)).toBe(5);
    expect(await looks(60_000)).toBe(6);
    expect(await looks(60_000)).toBe(7);
    expect(new Set(intervals)).toEqual(new Set(['1d']));
    await detector.stop();
  });

  it('stops only after the recompute in flight, and starts none afterwards (the store closes next)', async () => {
    const clock = new ManualClock(AS_OF + 60_000);
    const bus = new MemoryBus({ clock, logger: silentLogger });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let queries = 0;
    const slow = Object.create(store, {
      queryCandles: { value: async (...args: Parameters<ClickHouseStore['queryCandles']>) => {
        queries++;
        await held;
        return store.queryCandles(...args);
      } },
    }) as ClickHouseStore;
    const detector = new LevelDetector({ bus, store: slow, clock, logger: silentLogger, instruments: [REF] });
    await detector.start();
    // start() kicked off the first recompute, now waiting on the store.
    expect(queries).toBeGreaterThan(0);
    let stopped = false;
    const stopping = detector.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    release();
    await stopping;
    const after = queries;
    expect(await detector.recompute(instrumentKey(REF))).toBeUndefined();
    expect(queries).toBe(after);
    expect(detector.stats().failures).toBe(0);
  }, 60_000);
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentKey, Side, type Candle, type Trade } from '@pricelevel/contracts';
import { buildCandlesFromTrades } from '@pricelevel/market';
import { ManualClock, MemoryBus, createChdbStore, silentLogger, type ClickHouseStore, type Store } from '@pricelevel/platform';
import { Aggregator } from '../src/index.js';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function tape(n: number, symbol = 'BTCUSDT'): Trade[] {
  const out: Trade[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      exchange: 'binance', market: 'spot', symbol, tradeId: String(1000 + i),
      price: 100 + ((i * 7) % 23) / 10, size: 0.5 + (i % 5) / 4, side: i % 3 ? Side.SIDE_SELL : Side.SIDE_BUY,
      exchangeTs: T0 + i * 9_000, receivedTs: T0 + i * 9_000 + 5, tradeCount: 1 + (i % 2),
    });
  }
  return out;
}

/** Latest version of each (interval, open time), as a store keeping the max version would hold. */
function latest(candles: Candle[]): Map<string, Candle> {
  const m = new Map<string, Candle>();
  for (const c of candles) {
    const k = `${c.interval}:${c.openTime}`;
    const prev = m.get(k);
    if (!prev || c.version > prev.version) m.set(k, c);
  }
  return m;
}

const strip = ({ version: _v, ...rest }: Candle) => rest;

describe('Aggregator', () => {
  let dir: string;
  let store: ClickHouseStore;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-agg-'));
    store = await createChdbStore({ path: dir, logger: silentLogger });
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('turns trades on the bus into candles on the bus and in the store, equal to an independent fold', async () => {
    const clock = new ManualClock(T0);
    const bus = new MemoryBus({ clock, logger: silentLogger });
    const agg = new Aggregator({ bus, store, clock, logger: silentLogger, allowedLatenessMs: 2000, partialEveryMs: 0 });
    const published: Candle[] = [];
    await bus.subscribe({ topic: 'agg.candle.v1', group: 'test' }, async (b) => void published.push(...b.map((d) => d.value)));
    await agg.start();
    const trades = tape(100); // 15 minutes
    clock.set(trades.at(-1)!.exchangeTs + 1_000); // the clock runs with the tape's end (trades never lie in the future)
    await bus.publish('md.trade.v1', trades.map((t) => ({ key: instrumentKey(t), value: t })));
    // Redelivery of the same trades (at-least-once) must not double-count.
    await bus.publish('md.trade.v1', trades.slice(40, 60).map((t) => ({ key: instrumentKey(t), value: t })));
    await bus.flush();
    clock.set(trades.at(-1)!.exchangeTs + 60_000 + 2_500); // past the last minute's end + lateness
    await agg.flush();
    await bus.flush();
    await agg.stop();
    await bus.flush();

    const expected1m = buildCandlesFromTrades(trades, '1m');
    const got = latest(published);
    for (const e of expected1m) expect(strip(got.get(`1m:${e.openTime}`)!)).toEqual(strip(e));
    for (const e of buildCandlesFromTrades(trades, '5m')) expect(got.get(`5m:${e.openTime}`)?.volume).toBeCloseTo(e.volume, 9);
    expect(agg.stats().duplicates).toBe(20);

    const stored = await store.queryCandles({
      exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', interval: '1m', fromTs: T0, toTs: T0 + 3_600_000, limit: 100, source: 'trades',
    });
    expect(stored.map(strip)).toEqual(expected1m.map(strip));
    const storedTrades = await store.queryTrades({ exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', fromTs: T0, toTs: T0 + 3_600_000, limit: 1000 });
    expect(storedTrades).toHaveLength(100);
    await bus.close();
  });

  it('redelivers a batch whose trade write failed, without folding it twice', async () => {
    const clock = new ManualClock(T0);
    const bus = new MemoryBus({ clock, logger: silentLogger, retryBackoffMs: 1, maxRetryBackoffMs: 1 });
    let failures = 1;
    const flaky: Store = Object.create(store, {
      insertTrades: {
        value: async (t: readonly Trade[]) => {
          if (failures-- > 0) throw new Error('store down');
          return store.insertTrades(t);
        },
      },
    });
    const agg = new Aggregator({ bus, store: flaky, clock, logger: silentLogger, allowedLatenessMs: 0, partialEveryMs: 0, group: 'flaky' });
    const published: Candle[] = [];
    await bus.subscribe({ topic: 'agg.candle.v1', group: 'test' }, async (b) => void published.push(...b.map((d) => d.value)));
    await agg.start();
    const trades = tape(20, 'ETHUSDT');
    clock.set(trades.at(-1)!.exchangeTs + 1_000);
    await bus.publish('md.trade.v1', trades.map((t) => ({ key: instrumentKey(t), value: t })));
    // The bus schedules the redelivery on the injected clock: move it along until the batch is through.
    for (let i = 0; i < 100 && agg.stats().trades < 20; i++) {
      clock.advance(5);
      await new Promise((r) => setTimeout(r, 5));
    }
    clock.set(trades.at(-1)!.exchangeTs + 120_000);
    await agg.stop();
    await bus.flush();
    const got = latest(published);
    for (const e of buildCandlesFromTrades(trades, '1m')) expect(strip(got.get(`1m:${e.openTime}`)!)).toEqual(strip(e));
    // Folded on the first delivery; the redelivered copies (stored this time) are recognised by id.
    expect(agg.stats()).toMatchObject({ trades: 20, duplicates: 20 });
    expect(await store.queryTrades({ ...trades[0]!, fromTs: 0, toTs: Number.MAX_SAFE_INTEGER, limit: 100 })).toHaveLength(20);
    await bus.close();
  });
});

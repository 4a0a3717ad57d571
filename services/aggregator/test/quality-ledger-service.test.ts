import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentKey, QualityKind, Side, type BookUpdate, type QualityEvent, type QualityMinute, type Ticker, type Trade } from '@pricelevel/contracts';
import { LATENCY_RELATIVE_ERROR } from '@pricelevel/market';
import { ManualClock, MemoryBus, createChdbStore, silentLogger, type ClickHouseStore, type Store } from '@pricelevel/platform';
import { QualityLedgerService } from '../src/index.js';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const MIN = 60_000;

function trades(symbol: string, n: number): Trade[] {
  // One trade per second, latency 10..10+n-1 ms.
  return Array.from({ length: n }, (_, i) => ({
    exchange: 'bybit', market: 'perp', symbol, tradeId: String(i), price: 100, size: 1, side: Side.SIDE_SELL,
    exchangeTs: T0 + i * 1000, receivedTs: T0 + i * 1000 + 10 + i, tradeCount: 1,
  }));
}
const book = (symbol: string, ts: number): BookUpdate => ({
  exchange: 'bybit', market: 'perp', symbol, snapshot: false, bids: [{ price: 99, size: 1 }], asks: [], firstUpdateId: 5, lastUpdateId: 6,
  prevUpdateId: 0, bookEpoch: 2, exchangeTs: ts, receivedTs: ts + 20,
});
const ticker = (symbol: string, ts: number): Ticker => ({ exchange: 'bybit', market: 'perp', symbol, markPrice: 100, exchangeTs: ts, receivedTs: ts + 30 });
const event = (symbol: string, kind: QualityKind, ts: number): QualityEvent => ({
  exchange: 'bybit', market: 'perp', symbol, kind, bookEpoch: 2, expectedId: 4, receivedId: 5, detail: '', ts,
});

async function publishAll(bus: MemoryBus, symbol: string): Promise<void> {
  const key = instrumentKey({ exchange: 'bybit', market: 'perp', symbol });
  await bus.publish('md.trade.v1', trades(symbol, 40).map((value) => ({ key: instrumentKey(value), value })));
  await bus.publish('md.book.v1', [book(symbol, T0 + 45_000), book(symbol, T0 + 46_000)].map((value) => ({ key, value })));
  await bus.publish('md.ticker.v1', [{ key, value: ticker(symbol, T0 + 50_000) }]);
  await bus.publish('md.quality.v1', [
    { key, value: event(symbol, QualityKind.QUALITY_KIND_SEQUENCE_GAP, T0 + 44_000) },
    { key, value: event(symbol, QualityKind.QUALITY_KIND_RESYNC, T0 + 44_500) },
    { key: 'bybit:perp:', value: event('', QualityKind.QUALITY_KIND_RECONNECT, T0 + 55_000) },
  ]);
  await bus.flush();
}

describe('QualityLedgerService', () => {
  let dir: string;
  let store: ClickHouseStore;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-ledger-'));
    store = await createChdbStore({ path: dir, logger: silentLogger });
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('folds the four topics into closed minutes in the store and on md.quality.minute.v1', async () => {
    const clock = new ManualClock(T0);
    const bus = new MemoryBus({ clock, logger: silentLogger });
    const svc = new QualityLedgerService({ bus, store, clock, logger: silentLogger, allowedLatenessMs: 2000 });
    const published: QualityMinute[] = [];
    await bus.subscribe({ topic: 'md.quality.minute.v1', group: 'test' }, async (b) => void published.push(...b.map((d) => d.value)));
    await svc.start();
    await publishAll(bus, 'BTCUSDT');

    clock.set(T0 + MIN + 1000); // minute 0 not yet due (lateness 2 s)
    await svc.flush();
    expect(published).toEqual([]);
    clock.set(T0 + 2 * MIN + 2000); // minutes 0 and 1 due; the tick closes and writes them
    await svc.flush();
    await bus.flush();

    const stored = await store.queryQualityMinutes({ exchange: 'bybit', market: 'perp', symbol: 'BTCUSDT', fromTs: T0, toTs: T0 + 10 * MIN });
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({
      windowStart: T0, messages: 43, trades: 40, bookUpdates: 2, tickers: 1, sequenceGaps: 1, resyncs: 1, reconnects: 1,
      staleSeconds: 60 - 43, latencySamples: 43, minutes: 1,
    });
    // Latencies: 10..49 from the trades, 20 and 20 from the book, 30 from the ticker; exact nearest rank:
    const samples = [...trades('BTCUSDT', 40).map((t) => t.receivedTs - t.exchangeTs), 20, 20, 30].sort((a, b) => a - b);
    const exact = (q: number) => samples[Math.ceil(q * samples.length) - 1]!;
    for (const [got, want] of [[stored[0]!.latencyP50Ms, exact(0.5)], [stored[0]!.latencyP99Ms, exact(0.99)]] as const) {
      expect(Math.abs(got! - want)).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR * want);
    }
    expect(stored[1]).toMatchObject({ windowStart: T0 + MIN, messages: 0, staleSeconds: 60, latencySamples: 0 });
    expect(published).toEqual(stored);
    expect(svc.stats()).toMatchObject({ written: 2, writeErrors: 0, messages: 43, events: 3, instruments: 1 });
    await svc.stop();
    await bus.close();
  });

  it('keeps closed minutes while the store refuses them and writes each once it answers', async () => {
    const clock = new ManualClock(T0);
    const bus = new MemoryBus({ clock, logger: silentLogger });
    let failures = 2;
    const flaky: Store = Object.create(store, {
      insertQualityMinutes: {
        value: async (m: readonly QualityMinute[]) => {
          if (failures-- > 0) throw new Error('store down');
          return store.insertQualityMinutes(m);
        },
      },
    });
    // One tick a minute, so each clock step below runs exactly one tick.
    const svc = new QualityLedgerService({ bus, store: flaky, clock, logger: silentLogger, allowedLatenessMs: 0, groupPrefix: 'flaky', tickMs: MIN });
    const published: QualityMinute[] = [];
    await bus.subscribe({ topic: 'md.quality.minute.v1', group: 'test' }, async (b) => void published.push(...b.map((d) => d.value)));
    await svc.start();
    await publishAll(bus, 'ETHUSDT');
    clock.set(T0 + MIN); // the tick closes minute 0; its write fails
    await expect(svc.flush()).rejects.toThrow(/store down/); // a retry fails too
    expect(published).toEqual([]);
    clock.advance(MIN); // the next tick closes minute 1 and writes both, in order
    await svc.flush();
    await svc.stop();
    await bus.flush();
    expect(published.map((m) => m.windowStart)).toEqual([T0, T0 + MIN]);
    expect(published[0]).toMatchObject({ messages: 43, reconnects: 1 });
    expect(svc.stats()).toMatchObject({ written: 2, writeErrors: 2, pendingDropped: 0 });
    const stored = await store.queryQualityMinutes({ exchange: 'bybit', market: 'perp', symbol: 'ETHUSDT', fromTs: T0, toTs: T0 + 2 * MIN });
    expect(stored).toEqual(published);
    await bus.close();
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Completeness, PositionSide, QualityKind, Side, instrumentKey,
  type BookFeatures, type BookSnapshot, type BookUpdate, type Liquidation, type OrderFlow, type Trade,
} from '@pricelevel/contracts';
import { ManualClock, MemoryBus, createChdbStore, silentLogger, type ClickHouseStore } from '@pricelevel/platform';
import { FeatureService, diffRows, recomputeFeatures, type RecomputedPage } from '../src/index.js';

// Real book: Binance USDⓈ-M SUSHIUSDT, 1000 levels per side (fixtures/binance, see PROVENANCE.md).
const DEPTH = JSON.parse(
  fs.readFileSync(new URL('../../../fixtures/binance/futures_rest_depth_limit1000.real.json', import.meta.url), 'utf8'),
) as { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] };

const REF = { exchange: 'binance', market: 'perp', symbol: 'SUSHIUSDT' };
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const levels = (rows: [string, string][]) => rows.map(([p, s]) => ({ price: Number(p), size: Number(s) }));

function bookUpdate(over: Partial<BookUpdate>): BookUpdate {
  return {
    ...REF, snapshot: false, bids: [], asks: [], firstUpdateId: 0, lastUpdateId: 0, prevUpdateId: 0,
    bookEpoch: 1, exchangeTs: 0, receivedTs: 0, ...over,
  };
}

let tradeId = 5000;
function trade(ts: number, price: number, size: number, side: Side, receivedTs = ts + 5): Trade {
  return { ...REF, tradeId: String(tradeId++), price, size, side, exchangeTs: ts, receivedTs, tradeCount: 1 };
}

interface Output {
  snapshots: BookSnapshot[];
  features: BookFeatures[];
  flows: OrderFlow[];
}

/** One timed input of the scenario: delivered on the bus when the clock reaches `at`. */
type Step = { at: number; send: (bus: MemoryBus) => Promise<void> };

describe('FeatureService', () => {
  let dir: string;
  let store: ClickHouseStore;
  const out: Output = { snapshots: [], features: [], flows: [] };
  let service: FeatureService;
  const trades: Trade[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-feature-'));
    store = await createChdbStore({ path: dir, logger: silentLogger });
    await store.migrate();

    const clock = new ManualClock(T0);
    const bus = new MemoryBus({ clock, logger: silentLogger });
    await bus.subscribe({ topic: 'feat.snapshot.v1', group: 't' }, async (b) => void out.snapshots.push(...b.map((d) => d.value)));
    await bus.subscribe({ topic: 'feat.book.v1', group: 't' }, async (b) => void out.features.push(...b.map((d) => d.value)));
    await bus.subscribe({ topic: 'feat.flow.v1', group: 't' }, async (b) => void out.flows.push(...b.map((d) => d.value)));
    service = new FeatureService({
      bus, store, clock, logger: silentLogger, flow: { intervals: ['1m'], latenessMs: 1000 }, busSlackMs: 250,
    });
    await service.start();

    const snap = bookUpdate({ snapshot: true, bids: levels(DEPTH.bids), asks: levels(DEPTH.asks), lastUpdateId: DEPTH.lastUpdateId, exchangeTs: T0 + 50, receivedTs: T0 + 60 });
    const steps: Step[] = [{ at: T0 + 60, send: (b) => b.publish('md.book.v1', [{ key: instrumentKey(REF), value: snap }]) }];
    // A tape over 75 seconds crossing a minute boundary: buys lift the ask, sells hit the bid.
    for (let s = 0; s < 75; s++) {
      const base = T0 + s * 1000;
      const tape = [
        trade(base + 100, 7.612, 10 + s, Side.SIDE_BUY),
        trade(base + 400, 7.611, 4 + (s % 7), Side.SIDE_SELL),
        trade(base + 800, 7.613, 2.5, Side.SIDE_BUY),
      ];
      trades.push(...tape);
      for (const t of tape) steps.push({ at: t.receivedTs, send: (b) => b.publish('md.trade.v1', [{ key: instrumentKey(t), value: t }]) });
      // The book moves: the best bid's size changes every second.
      const u = bookUpdate({ bids: [{ price: 7.611, size: 6 + s }], lastUpdateId: DEPTH.lastUpdateId + s + 1, exchangeTs: base + 500, receivedTs: base + 510 });
      steps.push({ at: base + 510, send: (b) => b.publish('md.book.v1', [{ key: instrumentKey(REF), value: u }]) });
    }
    // A redelivered trade (at-least-once bus); a trade the collector received after its second's lateness
    // (left out, counted in late_trades); one received so late its second had already closed (dropped).
    const dup = trades[10]!;
    steps.push({ at: T0 + 20_000, send: (b) => b.publish('md.trade.v1', [{ key: instrumentKey(dup), value: dup }]) });
    const late = trade(T0 + 30_500, 7.612, 99, Side.SIDE_BUY, T0 + 31_000 + 1100);
    const tooLate = trade(T0 + 20_500, 7.612, 77, Side.SIDE_BUY, T0 + 21_000 + 2000);
    trades.push(late, tooLate);
    for (const t of [late, tooLate]) steps.push({ at: t.receivedTs, send: (b) => b.publish('md.trade.v1', [{ key: instrumentKey(t), value: t }]) });
    // Liquidations of shorts (buy orders).
    const liq: Liquidation = {
      ...REF, side: Side.SIDE_BUY, liquidatedPosition: PositionSide.POSITION_SIDE_SHORT, price: 7.62, size: 100,
      completeness: Completeness.COMPLETENESS_SAMPLED, exchangeTs: T0 + 40_200, receivedTs: T0 + 40_210,
    };
    steps.push({ at: liq.receivedTs, send: (b) => b.publish('md.liquidation.v1', [{ key: instrumentKey(liq), value: liq }]) });
    // A sequence gap at 50.3 s: the book is resyncing until the epoch-2 snapshot at 53.2 s.
    steps.push({
      at: T0 + 50_300,
      send: (b) => b.publish('md.quality.v1', [{ key: instrumentKey(REF), value: {
        ...REF, kind: QualityKind.QUALITY_KIND_SEQUENCE_GAP, bookEpoch: 2, expectedId: 1, receivedId: 3, detail: 'gap', ts: T0 + 50_300,
      } }]),
    });
    const resnap = bookUpdate({ snapshot: true, bookEpoch: 2, bids: levels(DEPTH.bids), asks: levels(DEPTH.asks), lastUpdateId: DEPTH.lastUpdateId + 100, exchangeTs: T0 + 53_200, receivedTs: T0 + 53_200 });
    steps.push({ at: T0 + 53_200, send: (b) => b.publish('md.book.v1', [{ key: instrumentKey(REF), value: resnap }]) });

    steps.sort((a, b) => a.at - b.at);
    for (const step of steps) {
      clock.set(step.at);
      await step.send(bus);
      await bus.flush();
    }
    clock.set(T0 + 80_000);
    await bus.flush();
    await service.stop();
    await bus.flush();
    await store.insertTrades(trades); // the aggregator's job in the running system
  });

  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('snapshots the top 100 levels of the validated book once per second', () => {
    expect(out.snapshots.length).toBeGreaterThanOrEqual(79);
    const ts = out.snapshots.map((s) => s.ts);
    expect(ts.every((t) => t % 1000 === 0)).toBe(true);
    expect(new Set(ts).size).toBe(ts.length);
    const first = out.snapshots.find((s) => s.ts === T0 + 1000)!;
    expect(first.bidPrices).toHaveLength(100);
    expect(first.askPrices).toHaveLength(100);
    // The best bid's size at 1 s is the delta of second 0; the rest is the fixture book.
    expect(first.bidPrices[0]).toBe(7.611);
    expect(first.bidSizes[0]).toBe(6);
    expect(first.bidPrices.slice(1, 100)).toEqual(DEPTH.bids.slice(1, 100).map(([p]) => Number(p)));
    expect(first.askSizes).toEqual(DEPTH.asks.slice(0, 100).map(([, s]) => Number(s)));
    expect(first.resyncing).toBe(false);
  });

  it('marks snapshots taken during a resync, and clears the mark on the new epoch', () => {
    const at = (s: number) => out.snapshots.find((x) => x.ts === T0 + s * 1000)!;
    expect(at(50).resyncing).toBe(false);
    expect([51, 52, 53].map((s) => at(s).resyncing)).toEqual([true, true, true]);
    expect(at(54).resyncing).toBe(false);
    expect(at(54).bookEpoch).toBe(2);
    expect(out.features.find((f) => f.ts === T0 + 52_000)!.resyncing).toBe(true);
  });

  it('computes the order flow of every second from its trades, leaving out the late one', () => {
    const flow = (s: number) => out.flows.find((f) => f.interval === '1s' && f.openTime === T0 + s * 1000)!;
    expect(flow(3).buyVolume).toBe(13 + 2.5);
    expect(flow(3).sellVolume).toBe(4 + 3);
    expect(flow(3).tradeCount).toBe(3);
    expect(flow(10).tradeCount).toBe(3); // the redelivered trade counts once
    expect(flow(30).lateTrades).toBe(1);
    expect(flow(30).buyVolume).toBe(40 + 2.5);
    expect(flow(20).buyVolume).toBe(30 + 2.5);
    expect(service.stats().lateDropped).toBe(1);
    expect(flow(40).liquidatedShortVolume).toBeCloseTo(762, 9);
    expect(flow(40).liquidationCompleteness).toBe(Completeness.COMPLETENESS_SAMPLED);
    const minute = out.flows.find((f) => f.interval === '1m' && f.openTime === T0)!;
    const secs = out.flows.filter((f) => f.interval === '1s' && f.openTime < T0 + 60_000);
    expect(minute.tradeCount).toBe(secs.reduce((n, f) => n + f.tradeCount, 0));
    expect(minute.cumulativeDelta).toBe(secs.at(-1)!.cumulativeDelta);
    expect(service.stats().duplicateTrades).toBe(1);
  });

  it('stores what it publishes', async () => {
    const q = { ...REF, fromTs: T0, toTs: T0 + 100_000, limit: 1000 };
    expect(await store.queryBookSnapshots(q)).toEqual(out.snapshots);
    expect(diffRows(out.features, await store.queryBookFeatures(q), (f) => String(f.ts)).differing).toBe(0);
    expect(diffRows(out.flows.filter((f) => f.interval === '1s'), await store.queryOrderFlows({ ...q, interval: '1s' }), (f) => String(f.openTime)))
      .toMatchObject({ differing: 0, missing: 0, extra: 0 });
  });

  it('recomputes exactly the live values from stored snapshots, trades and liquidations', async () => {
    const pages: RecomputedPage[] = [];
    const first = out.snapshots[0]!.ts;
    const last = out.snapshots.at(-1)!.ts;
    await recomputeFeatures({
      store, ref: REF, flow: { intervals: ['1m'], latenessMs: 1000 }, busSlackMs: 250, fromTs: first, toTs: last + 1, pageMs: 20_000,
      onPage: (p) => void pages.push(p),
    });
    const features = pages.flatMap((p) => p.features);
    const flows = pages.flatMap((p) => p.flows);
    const bookDiff = diffRows(out.features, features, (f) => String(f.ts));
    expect(bookDiff).toMatchObject({ compared: out.features.length, differing: 0, missing: 0, extra: 0 });
    // The live service closes the last seconds only at stop; the recompute has every snapshot's second.
    const closedLive = out.flows;
    const flowDiff = diffRows(closedLive, flows, (f) => `${f.interval}:${f.openTime}`);
    expect(flowDiff).toMatchObject({ differing: 0, missing: 0 });
    expect(flowDiff.compared).toBe(closedLive.length);
  });

  it('tells when a recompute differs (another lateness changes which trades count)', async () => {
    const flows: OrderFlow[] = [];
    await recomputeFeatures({
      store, ref: REF, flow: { intervals: ['1m'], latenessMs: 0 }, busSlackMs: 250,
      fromTs: out.snapshots[0]!.ts, toTs: out.snapshots.at(-1)!.ts + 1, onPage: (p) => void flows.push(...p.flows),
    });
    const d = diffRows(out.flows, flows, (f) => `${f.interval}:${f.openTime}`);
    expect(d.differing).toBeGreaterThan(0);
    expect(d.firstDifferences[0]).toMatch(/^1s:\d+: /);
  });
});

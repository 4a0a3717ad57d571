import { QualityKind, type BookUpdate, type QualityEvent } from '@pricelevel/contracts';
import { BinanceSimulator, type FaultKind } from '@pricelevel/exchange-sim';
import { MemoryBus, silentLogger, systemClock, type Subscription } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceAdapter } from '../src/exchanges/binance/binance-adapter.js';
import { waitFor } from './helpers/fake-binance.js';
import { expectSameBooks as compareBooks } from './helpers/same-books.js';

/**
 * The adapter against the exchange simulator (the venue's real protocol on loopback): for every
 * fault the simulator can inject, the adapter must notice, recover, and end with exactly the
 * simulator's book, while the other symbol keeps flowing.
 */
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const TARGET = 'BTCUSDT';
const OTHER = 'ETHUSDT';

let sim: BinanceSimulator | undefined;
let adapter: BinanceAdapter | undefined;
let bus: MemoryBus | undefined;
const subs: Subscription[] = [];

afterEach(async () => {
  await adapter?.stop();
  await Promise.all(subs.splice(0).map((s) => s.close()));
  await bus?.close();
  await sim?.close();
  adapter = undefined;
  bus = undefined;
  sim = undefined;
});

async function setup(market: 'spot' | 'perp', staleMs: number) {
  // 100 ms ticks: every tick's changes go out on @depth@100ms at once, so a paused simulator has
  // nothing pending and its book() is exactly what the adapter can have received.
  sim = await BinanceSimulator.start({ seed: 42, symbols: SYMBOLS, markets: [market], tickMs: 100 });
  bus = new MemoryBus();
  const quality: QualityEvent[] = [];
  const books: BookUpdate[] = [];
  subs.push(await bus.subscribe({ topic: 'md.quality.v1', group: 'test', fromBeginning: true }, async (b) => void quality.push(...b.map((d) => d.value))));
  subs.push(await bus.subscribe({ topic: 'md.book.v1', group: 'test', fromBeginning: true }, async (b) => void books.push(...b.map((d) => d.value))));
  adapter = new BinanceAdapter({
    symbols: SYMBOLS,
    market,
    urls: market === 'spot' ? { wsUrl: sim.urls.spotWs, restUrl: sim.urls.spotRest } : { wsUrl: sim.urls.perpWs, restUrl: sim.urls.perpRest },
    bus,
    clock: systemClock,
    logger: silentLogger,
    backoff: { initialMs: 20, maxMs: 200 },
    snapshotRetryMs: 20,
    staleMs,
    openInterestIntervalMs: 0,
  });
  await adapter.start();
  return { sim, adapter, quality, books };
}

function expectSameBooks(s: BinanceSimulator, a: BinanceAdapter, market: 'spot' | 'perp'): Promise<void> {
  const view = (sym: string) => ({ ...s.book(market, sym), seq: s.book(market, sym).lastUpdateId });
  return compareBooks({ pause: () => s.pause(), resume: () => s.resume(), view }, a, SYMBOLS, market, 300);
}

const count = (books: BookUpdate[], symbol: string) => books.filter((b) => b.symbol === symbol && !b.snapshot).length;
// Book faults only: trade-id gaps (reconnect windows) are asserted in trade-continuity.integration.test.ts.
const kinds = (quality: QualityEvent[], symbol?: string) => quality.filter((q) => (symbol === undefined || q.symbol === symbol) && !q.detail.startsWith('trade ids')).map((q) => q.kind);

const FAULTS: FaultKind[] = ['drop', 'duplicate', 'reorder', 'disconnect', 'stall', 'malformed'];

describe.each(['perp', 'spot'] as const)('BinanceAdapter × BinanceSimulator (%s)', (market) => {
  it.each(FAULTS)('recovers from a %s fault', async (kind) => {
    const stall = kind === 'stall';
    const { sim, adapter, quality, books } = await setup(market, stall ? 600 : 10_000);
    await waitFor(() => SYMBOLS.every((s) => adapter.book(s)?.synced), 'initial sync');
    await expectSameBooks(sim, adapter, market);
    const epochOther = adapter.book(OTHER)!.epoch;
    const before = quality.length;

    const marketWide = kind === 'disconnect' || kind === 'stall';
    sim.fault({ kind, market, ...(marketWide ? {} : { symbol: TARGET }), ...(stall ? { durationMs: 2000 } : {}) });
    await waitFor(() => sim.faultsApplied().length === 1, 'fault applied');
    const otherAtFault = count(books, OTHER);
    const expected: Record<FaultKind, QualityKind[]> = {
      drop: [QualityKind.QUALITY_KIND_SEQUENCE_GAP, QualityKind.QUALITY_KIND_RESYNC],
      // A duplicate is ignored by the sequence rules: no gap, no resync, only a counter.
      duplicate: [],
      reorder: [QualityKind.QUALITY_KIND_SEQUENCE_GAP, QualityKind.QUALITY_KIND_RESYNC],
      malformed: [QualityKind.QUALITY_KIND_MALFORMED, QualityKind.QUALITY_KIND_SEQUENCE_GAP, QualityKind.QUALITY_KIND_RESYNC],
      disconnect: [QualityKind.QUALITY_KIND_RECONNECT, QualityKind.QUALITY_KIND_RESYNC],
      stall: [QualityKind.QUALITY_KIND_STALE, QualityKind.QUALITY_KIND_RECONNECT, QualityKind.QUALITY_KIND_RESYNC],
    };
    await waitFor(() => expected[kind].every((k) => kinds(quality.slice(before)).includes(k)), `quality events for ${kind}`);
    if (kind === 'duplicate') {
      await waitFor(() => (adapter.stats().counters['book.duplicates'] ?? 0) >= 1, 'duplicate counted');
    }
    await waitFor(() => SYMBOLS.every((s) => adapter.book(s)?.synced) && count(books, OTHER) > otherAtFault + 3, 'both symbols flowing after the fault');
    await expectSameBooks(sim, adapter, market);

    const after = quality.slice(before);
    if (!marketWide) {
      // The other symbol never noticed: no gap, no resync, same book epoch.
      expect(kinds(after, OTHER)).toEqual([]);
      expect(adapter.book(OTHER)!.epoch).toBe(epochOther);
      if (kind !== 'duplicate') expect(kinds(after, TARGET)).toContain(QualityKind.QUALITY_KIND_RESYNC);
    } else {
      expect(kinds(after, TARGET)).toContain(QualityKind.QUALITY_KIND_RESYNC);
      expect(kinds(after, OTHER)).toContain(QualityKind.QUALITY_KIND_RESYNC);
    }
    expect(adapter.stats().counters['book.gaps']).toBe(kinds(quality, TARGET).filter((k) => k === QualityKind.QUALITY_KIND_SEQUENCE_GAP).length);
  });
});

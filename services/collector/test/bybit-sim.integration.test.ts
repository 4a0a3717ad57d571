import { QualityKind, type BookUpdate, type QualityEvent } from '@pricelevel/contracts';
import { BybitSim, type BybitFaultKind } from '@pricelevel/exchange-sim';
import { MemoryBus, silentLogger, systemClock, type Subscription } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { BybitAdapter } from '../src/exchanges/bybit/bybit-adapter.js';
import { waitFor } from './helpers/fake-binance.js';
import { expectSameBooks as compareBooks } from './helpers/same-books.js';

/**
 * The adapter against the Bybit simulator (the venue's real protocol on loopback): for every fault the
 * simulator can inject — including Bybit's u=1 reset, a re-sent snapshot and a missed pong — the
 * adapter must notice, recover, and end with exactly the simulator's orderbook.50 view, while the
 * other symbol on the same connection keeps flowing.
 */
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const TARGET = 'BTCUSDT';
const OTHER = 'ETHUSDT';
const DEPTH = 50;

let sim: BybitSim | undefined;
let adapter: BybitAdapter | undefined;
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

async function setup(market: 'spot' | 'perp', opts: { staleMs: number; pingIntervalMs: number; pongTimeoutMs: number }) {
  sim = await BybitSim.start({ seed: 7, symbols: SYMBOLS, markets: [market], tickMs: 100 });
  bus = new MemoryBus();
  const quality: QualityEvent[] = [];
  const books: BookUpdate[] = [];
  subs.push(await bus.subscribe({ topic: 'md.quality.v1', group: 'test', fromBeginning: true }, async (b) => void quality.push(...b.map((d) => d.value))));
  subs.push(await bus.subscribe({ topic: 'md.book.v1', group: 'test', fromBeginning: true }, async (b) => void books.push(...b.map((d) => d.value))));
  adapter = new BybitAdapter({
    symbols: SYMBOLS,
    market,
    urls: { wsUrl: sim.wsUrl(market), restUrl: sim.urls.rest },
    bus,
    clock: systemClock,
    logger: silentLogger,
    backoff: { initialMs: 20, maxMs: 200 },
    depth: DEPTH,
    ...opts,
  });
  await adapter.start();
  return { sim, adapter, quality, books };
}

async function expectSameBooks(s: BybitSim, a: BybitAdapter, market: 'spot' | 'perp'): Promise<void> {
  const view = (sym: string) => ({ ...s.book(market, sym, DEPTH), seq: s.book(market, sym, DEPTH).u ?? 0 });
  await compareBooks({ pause: () => s.pause(), resume: () => s.resume(), view }, a, SYMBOLS, market, 500);
  for (const sym of SYMBOLS) expect(s.book(market, sym, DEPTH).bids.length).toBe(DEPTH);
}

const count = (books: BookUpdate[], symbol: string) => books.filter((b) => b.symbol === symbol && !b.snapshot).length;
const kinds = (quality: QualityEvent[], symbol?: string) => quality.filter((q) => symbol === undefined || q.symbol === symbol).map((q) => q.kind);

const FAULTS: BybitFaultKind[] = ['drop', 'duplicate', 'reorder', 'disconnect', 'stall', 'malformed', 'reset', 'resnapshot', 'missed-pong'];
const { SEQUENCE_GAP, RESYNC, MALFORMED, RECONNECT, STALE } = {
  SEQUENCE_GAP: QualityKind.QUALITY_KIND_SEQUENCE_GAP,
  RESYNC: QualityKind.QUALITY_KIND_RESYNC,
  MALFORMED: QualityKind.QUALITY_KIND_MALFORMED,
  RECONNECT: QualityKind.QUALITY_KIND_RECONNECT,
  STALE: QualityKind.QUALITY_KIND_STALE,
};
const EXPECTED: Record<BybitFaultKind, QualityKind[]> = {
  drop: [SEQUENCE_GAP, RESYNC],
  duplicate: [],
  reorder: [SEQUENCE_GAP, RESYNC],
  malformed: [MALFORMED, SEQUENCE_GAP, RESYNC],
  disconnect: [RECONNECT, RESYNC],
  stall: [STALE, RECONNECT, RESYNC],
  // The venue announced the replacement itself: a new epoch, no gap.
  reset: [RESYNC],
  resnapshot: [RESYNC],
  'missed-pong': [STALE, RECONNECT, RESYNC],
};
const MARKET_WIDE = new Set<BybitFaultKind>(['disconnect', 'stall', 'missed-pong']);

describe.each(['perp', 'spot'] as const)('BybitAdapter × BybitSim (%s)', (market) => {
  it.each(FAULTS)('recovers from a %s fault', async (kind) => {
    const { sim, adapter, quality, books } = await setup(market, {
      staleMs: kind === 'stall' ? 600 : 10_000,
      // Pings only matter for the missed-pong fault; elsewhere keep them out of the way.
      pingIntervalMs: kind === 'missed-pong' ? 150 : 20_000,
      pongTimeoutMs: kind === 'missed-pong' ? 400 : 10_000,
    });
    await waitFor(() => SYMBOLS.every((s) => adapter.book(s)?.synced), 'initial sync');
    await expectSameBooks(sim, adapter, market);
    const epochOther = adapter.book(OTHER)!.epoch;
    const epochTarget = adapter.book(TARGET)!.epoch;
    const before = quality.length;

    const wide = MARKET_WIDE.has(kind);
    sim.fault({ kind, market, ...(wide ? {} : { symbol: TARGET }), ...(kind === 'stall' ? { durationMs: 2000 } : {}) });
    await waitFor(() => sim.faultsApplied().length === 1, 'fault applied');
    const otherAtFault = count(books, OTHER);
    await waitFor(() => EXPECTED[kind].every((k) => kinds(quality.slice(before)).includes(k)), `quality events for ${kind}`);
    if (kind === 'duplicate') await waitFor(() => (adapter.stats().counters['book.duplicates'] ?? 0) >= 1, 'duplicate counted');
    await waitFor(() => SYMBOLS.every((s) => adapter.book(s)?.synced) && count(books, OTHER) > otherAtFault + 3, 'both symbols flowing after the fault');
    await expectSameBooks(sim, adapter, market);

    const after = quality.slice(before);
    if (!wide) {
      // The other symbol on the same connection never noticed.
      expect(kinds(after, OTHER)).toEqual([]);
      expect(adapter.book(OTHER)!.epoch).toBe(epochOther);
      if (kind === 'duplicate') expect(adapter.book(TARGET)!.epoch).toBe(epochTarget);
      else {
        expect(kinds(after, TARGET)).toContain(RESYNC);
        expect(adapter.book(TARGET)!.epoch).toBeGreaterThan(epochTarget);
      }
    } else {
      expect(kinds(after, TARGET)).toContain(RESYNC);
      expect(kinds(after, OTHER)).toContain(RESYNC);
    }
    if (kind === 'reset') expect(adapter.stats().counters['book.venueResets']).toBeGreaterThanOrEqual(1);
    if (kind === 'resnapshot') expect(adapter.stats().counters['book.venueSnapshots']).toBeGreaterThanOrEqual(1);
    if (kind === 'missed-pong') expect(adapter.stats().counters['ws.missedPongs']).toBeGreaterThanOrEqual(1);
    expect(adapter.stats().counters['book.gaps']).toBe(kinds(quality, TARGET).filter((k) => k === SEQUENCE_GAP).length);
  });
});

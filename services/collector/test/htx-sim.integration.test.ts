import { Completeness, QualityKind, type BookUpdate, type Liquidation, type QualityEvent, type Trade } from '@pricelevel/contracts';
import { HtxSim, type HtxFaultKind } from '@pricelevel/exchange-sim';
import { MemoryBus, silentLogger, systemClock, type Subscription } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { HtxAdapter } from '../src/exchanges/htx/htx-adapter.js';
import { HtxRestClient } from '../src/exchanges/htx/htx-rest.js';
import { waitFor } from './helpers/fake-binance.js';
import { expectSameBooks as compareBooks } from './helpers/same-books.js';

/**
 * The HTX adapter against the HTX simulator (gzip frames, /ws + /feed, REQ refresh on the feed
 * connection, server pings): for every fault switch the adapter must notice, recover, and end with
 * exactly the simulator's MBP image, while the other symbol on the same connections keeps flowing.
 */
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const TARGET = 'BTCUSDT';
const OTHER = 'ETHUSDT';
const PING_MS = 150;

let sim: HtxSim | undefined;
let adapter: HtxAdapter | undefined;
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

async function setup(staleMs: number) {
  sim = await HtxSim.start({ seed: 7, symbols: SYMBOLS, tickMs: 100, pingIntervalMs: PING_MS });
  bus = new MemoryBus();
  const quality: QualityEvent[] = [];
  const books: BookUpdate[] = [];
  const trades: Trade[] = [];
  const liquidations: Liquidation[] = [];
  const collect = async <T>(topic: 'md.quality.v1' | 'md.book.v1' | 'md.trade.v1' | 'md.liquidation.v1', out: T[]) =>
    subs.push(await bus!.subscribe({ topic, group: 'test', fromBeginning: true }, async (b) => void out.push(...b.map((d) => d.value as T))));
  await collect('md.quality.v1', quality);
  await collect('md.book.v1', books);
  await collect('md.trade.v1', trades);
  await collect('md.liquidation.v1', liquidations);
  adapter = new HtxAdapter({
    symbols: SYMBOLS,
    market: 'spot',
    urls: { wsUrl: sim.urls.spotWs, restUrl: sim.urls.spotRest },
    bus,
    clock: systemClock,
    logger: silentLogger,
    backoff: { initialMs: 20, maxMs: 200 },
    staleMs,
    refreshTimeoutMs: 1000,
  });
  await adapter.start();
  return { sim, adapter, quality, books, trades, liquidations };
}

function expectSameBooks(s: HtxSim, a: HtxAdapter): Promise<void> {
  return compareBooks({ pause: () => s.pause(), resume: () => s.resume(), view: (sym) => s.book('spot', sym) }, a, SYMBOLS);
}

const count = (books: BookUpdate[], symbol: string) => books.filter((b) => b.symbol === symbol && !b.snapshot).length;
// Book faults only: trade-id gaps (reconnect windows) are asserted in trade-continuity.integration.test.ts.
const kinds = (quality: QualityEvent[], symbol?: string) => quality.filter((q) => (symbol === undefined || q.symbol === symbol) && !q.detail.startsWith('trade ids')).map((q) => q.kind);
const { SEQUENCE_GAP: GAP, RESYNC, MALFORMED, RECONNECT, STALE } = {
  SEQUENCE_GAP: QualityKind.QUALITY_KIND_SEQUENCE_GAP,
  RESYNC: QualityKind.QUALITY_KIND_RESYNC,
  MALFORMED: QualityKind.QUALITY_KIND_MALFORMED,
  RECONNECT: QualityKind.QUALITY_KIND_RECONNECT,
  STALE: QualityKind.QUALITY_KIND_STALE,
};

const EXPECTED: Record<HtxFaultKind, QualityKind[]> = {
  drop: [GAP, RESYNC],
  // Already-seen seqNums are ignored: no gap, only a counter.
  duplicate: [],
  reorder: [GAP, RESYNC],
  malformed: [MALFORMED, GAP, RESYNC],
  gap: [GAP, RESYNC],
  'corrupt-gzip': [MALFORMED, GAP, RESYNC],
  disconnect: [RECONNECT, RESYNC],
  stall: [STALE, RECONNECT, RESYNC],
  'missed-pong': [RECONNECT, RESYNC],
};
const MARKET_WIDE: HtxFaultKind[] = ['disconnect', 'stall', 'missed-pong'];

describe('HtxAdapter × HtxSim', () => {
  it.each(Object.keys(EXPECTED) as HtxFaultKind[])('recovers from a %s fault', async (kind) => {
    const stall = kind === 'stall';
    const { sim, adapter, quality, books } = await setup(stall ? 600 : 10_000);
    await waitFor(() => SYMBOLS.every((s) => adapter.book(s)?.synced), 'initial sync');
    await expectSameBooks(sim, adapter);
    const epochOther = adapter.book(OTHER)!.epoch;
    const before = quality.length;
    const marketWide = MARKET_WIDE.includes(kind);
    if (kind === 'missed-pong') {
      // The adapter answers every ping: it is the lost pongs that cost the connection.
      expect(adapter.stats().counters['ws.pongs']).toBeGreaterThan(0);
    }

    sim.fault({ kind, market: 'spot', ...(marketWide ? {} : { symbol: TARGET }), ...(stall ? { durationMs: 2000 } : {}) });
    await waitFor(() => sim.faultsApplied().length === 1, 'fault applied');
    const otherAtFault = count(books, OTHER);
    await waitFor(() => EXPECTED[kind].every((k) => kinds(quality.slice(before)).includes(k)), `quality events for ${kind}`);
    if (marketWide) {
      // Venue-wide faults may take a few pings to bite: wait until both books were rebuilt.
      await waitFor(() => SYMBOLS.every((sym) => kinds(quality.slice(before), sym).includes(RESYNC)), 'both books resynced');
    }
    if (kind === 'duplicate') await waitFor(() => (adapter.stats().counters['book.duplicates'] ?? 0) >= 1, 'duplicate counted');
    if (kind === 'corrupt-gzip') expect(adapter.stats().counters.corruptGzip).toBe(1);
    if (kind === 'missed-pong') expect(sim.stats().server.pongTimeouts).toBeGreaterThan(0);
    await waitFor(() => SYMBOLS.every((s) => adapter.book(s)?.synced) && count(books, OTHER) > otherAtFault + 3, 'both symbols flowing after the fault');
    await expectSameBooks(sim, adapter);

    const after = quality.slice(before);
    if (!marketWide) {
      expect(kinds(after, OTHER)).toEqual([]);
      expect(adapter.book(OTHER)!.epoch).toBe(epochOther);
      if (kind !== 'duplicate') expect(kinds(after, TARGET)).toContain(RESYNC);
    } else {
      expect(kinds(after, TARGET)).toContain(RESYNC);
      expect(kinds(after, OTHER)).toContain(RESYNC);
    }
    expect(adapter.stats().counters['book.gaps']).toBe(kinds(quality, TARGET).filter((k) => k === GAP).length + kinds(quality, OTHER).filter((k) => k === GAP).length);
  });

  it('publishes every simulated trade exactly, and one UNAVAILABLE liquidation marker per symbol', async () => {
    const { sim, adapter, trades, liquidations } = await setup(10_000);
    await waitFor(() => SYMBOLS.every((s) => adapter.book(s)?.synced), 'initial sync');
    await waitFor(() => trades.filter((t) => t.symbol === TARGET).length >= 20, 'trades flowing');
    sim.pause();
    await new Promise((r) => setTimeout(r, 200));
    await adapter.flush();
    await new Promise((r) => setTimeout(r, 50));
    for (const sym of SYMBOLS) {
      const got = trades.filter((t) => t.symbol === sym);
      const sent = sim.trades('spot', sym).filter((t) => t.tradeId >= Number(got[0]!.tradeId));
      expect(got.map((t) => [t.tradeId, t.price, t.size, t.side === 1 ? 'buy' : 'sell', t.exchangeTs])).toEqual(
        sent.map((t) => [String(t.tradeId), t.price, t.size, t.direction, t.ts]),
      );
    }
    expect(liquidations.map((l) => [l.symbol, l.completeness])).toEqual(SYMBOLS.map((s) => [s, Completeness.COMPLETENESS_UNAVAILABLE]));
  });

  it('backfills klines and trades over REST from the same simulated trades', async () => {
    sim = await HtxSim.start({ seed: 3, symbols: ['BTCUSDT'], autoTick: false });
    sim.tick(50);
    const rest = new HtxRestClient({ restUrl: sim.urls.spotRest, clock: systemClock });
    const candles = await rest.klines('BTCUSDT', '1min', 5);
    const simTrades = sim.trades('spot', 'BTCUSDT');
    const inLast = simTrades.filter((t) => t.ts >= candles[candles.length - 1]!.openTime);
    expect(candles[candles.length - 1]!.tradeCount).toBe(inLast.length);
    expect(candles[candles.length - 1]!.volume).toBeCloseTo(inLast.reduce((s, t) => s + t.size, 0), 9);
    const { trades, ids } = await rest.trades('BTCUSDT', 2000);
    expect(trades.map((t) => Number(t.tradeId))).toEqual(simTrades.map((t) => t.tradeId));
    expect(ids).toEqual(simTrades.map((t) => t.id));
    const depth = await rest.depth('BTCUSDT');
    expect(depth.bids.length).toBe(150);
  });
});

import { Completeness, QualityKind, type BookUpdate, type Liquidation, type QualityEvent, type Ticker, type Trade } from '@pricelevel/contracts';
import { BingxSim, BINGX_FAULT_KINDS, type BingxFaultKind } from '@pricelevel/exchange-sim';
import { MemoryBus, silentLogger, systemClock, type Subscription } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { BingxAdapter } from '../src/exchanges/bingx/bingx-adapter.js';
import { waitFor } from './helpers/fake-binance.js';
import { expectSameBooks as compareBooks } from './helpers/same-books.js';

/**
 * The BingX adapter against the BingX simulator (the venue's gzip WebSocket and REST on loopback): for
 * every fault switch, including BingX's own (lastUpdateId gap, broken gzip, missed pong), the adapter
 * must notice, recover and end with exactly the simulator's book while the other symbol keeps flowing.
 */
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const TARGET = 'BTCUSDT';
const OTHER = 'ETHUSDT';

let sim: BingxSim | undefined;
let adapter: BingxAdapter | undefined;
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

async function setup(staleMs: number, restPollIntervalMs = 0) {
  // Every 100 ms tick is one incrDepth push, so a paused simulator has nothing in flight.
  sim = await BingxSim.start({ seed: 42, symbols: ['BTC-USDT', 'ETH-USDT'], tickMs: 100, depthPushMs: 100, ping: { intervalMs: 100, timeoutMs: 500 } });
  bus = new MemoryBus();
  const quality: QualityEvent[] = [];
  const books: BookUpdate[] = [];
  const trades: Trade[] = [];
  const tickers: Ticker[] = [];
  const liquidations: Liquidation[] = [];
  const keys = new Set<string>();
  const sub = async <T>(topic: Parameters<MemoryBus['subscribe']>[0]['topic'], out: T[]) =>
    subs.push(await bus!.subscribe({ topic, group: 'test', fromBeginning: true }, async (b) => {
      for (const d of b) {
        keys.add(d.key);
        out.push(d.value as T);
      }
    }));
  await sub('md.quality.v1', quality);
  await sub('md.book.v1', books);
  await sub('md.trade.v1', trades);
  await sub('md.ticker.v1', tickers);
  await sub('md.liquidation.v1', liquidations);
  adapter = new BingxAdapter({
    symbols: SYMBOLS,
    market: 'perp',
    urls: { wsUrl: sim.urls.perpWs, restUrl: sim.urls.perpRest },
    bus,
    clock: systemClock,
    logger: silentLogger,
    backoff: { initialMs: 20, maxMs: 200 },
    staleMs,
    restPollIntervalMs,
  });
  await adapter.start();
  return { sim, adapter, quality, books, trades, tickers, liquidations, keys };
}

function expectSameBooks(s: BingxSim, a: BingxAdapter): Promise<void> {
  return compareBooks({ pause: () => s.pause(), resume: () => s.resume(), view: (sym) => s.book('perp', sym) }, a, SYMBOLS);
}

const count = (books: BookUpdate[], symbol: string) => books.filter((b) => b.symbol === symbol && !b.snapshot).length;
const kinds = (quality: QualityEvent[], symbol?: string) => quality.filter((q) => symbol === undefined || q.symbol === symbol).map((q) => q.kind);
const { QUALITY_KIND_SEQUENCE_GAP: GAP, QUALITY_KIND_RESYNC: RESYNC, QUALITY_KIND_MALFORMED: MALFORMED, QUALITY_KIND_RECONNECT: RECONNECT, QUALITY_KIND_STALE: STALE } = QualityKind;

const EXPECTED: Record<BingxFaultKind, QualityKind[]> = {
  drop: [GAP, RESYNC],
  // A duplicate is ignored by the lastUpdateId rule: no gap, no resync, only a counter.
  duplicate: [],
  reorder: [GAP, RESYNC],
  malformed: [MALFORMED, GAP, RESYNC],
  gap: [GAP, RESYNC],
  'corrupt-gzip': [MALFORMED, GAP, RESYNC],
  disconnect: [RECONNECT, RESYNC],
  stall: [STALE, RECONNECT, RESYNC],
  'missed-pong': [RECONNECT, RESYNC],
};
const MARKET_WIDE = new Set<BingxFaultKind>(['disconnect', 'stall', 'missed-pong']);

describe('BingxAdapter × BingxSim', () => {
  it.each([...BINGX_FAULT_KINDS])('recovers from a %s fault', async (kind) => {
    const stall = kind === 'stall';
    const { sim, adapter, quality, books } = await setup(stall ? 300 : 10_000);
    await waitFor(() => SYMBOLS.every((s) => adapter.book(s)?.synced), 'initial sync');
    await expectSameBooks(sim, adapter);
    const epochOther = adapter.book(OTHER)!.epoch;
    const before = quality.length;

    const wide = MARKET_WIDE.has(kind);
    sim.fault({ kind, market: 'perp', ...(wide ? {} : { symbol: TARGET }), ...(stall ? { durationMs: 2000 } : {}) });
    await waitFor(() => sim.faultsApplied().length === 1, 'fault applied');
    const otherAtFault = count(books, OTHER);
    await waitFor(() => EXPECTED[kind].every((k) => kinds(quality.slice(before)).includes(k)), `quality events for ${kind}`);
    // A market-wide fault resyncs every book: wait for both RESYNC events to reach the bus consumer.
    if (wide) await waitFor(() => SYMBOLS.every((s) => kinds(quality.slice(before), s).includes(RESYNC)), 'a resync of each symbol');
    if (kind === 'duplicate') await waitFor(() => (adapter.stats().counters['book.duplicates'] ?? 0) >= 1, 'duplicate counted');
    if (kind === 'corrupt-gzip') expect(adapter.stats().counters['badGzip']).toBe(1);
    await waitFor(() => SYMBOLS.every((s) => adapter.book(s)?.synced) && count(books, OTHER) > otherAtFault + 3, 'both symbols flowing after the fault');
    await expectSameBooks(sim, adapter);

    const after = quality.slice(before);
    if (!wide) {
      // The other symbol on the same connection never noticed: no gap, no resync, same epoch.
      expect(kinds(after, OTHER)).toEqual([]);
      expect(adapter.book(OTHER)!.epoch).toBe(epochOther);
      if (kind !== 'duplicate') {
        expect(kinds(after, TARGET)).toContain(RESYNC);
        expect(adapter.stats().counters['resubscribes']).toBe(1);
        // The gap report names the ids: expected previous + 1, received something else.
        const gap = after.find((q) => q.kind === GAP)!;
        expect(gap.receivedId).not.toBe(gap.expectedId);
      }
    } else {
      expect(kinds(after, TARGET)).toContain(RESYNC);
      expect(kinds(after, OTHER)).toContain(RESYNC);
      expect(adapter.book(OTHER)!.epoch).toBeGreaterThan(epochOther);
    }
    await waitFor(() => adapter.stats().counters['book.gaps'] === kinds(quality, TARGET).filter((k) => k === GAP).length, 'every gap reported');
  });

  it('publishes normalized trades, mark-price and REST tickers, and one UNAVAILABLE liquidation marker per symbol', async () => {
    const { sim, adapter, trades, tickers, liquidations, keys } = await setup(10_000, 100);
    await waitFor(() => SYMBOLS.every((s) => trades.some((t) => t.symbol === s)), 'trades of both symbols');
    await waitFor(() => tickers.some((t) => t.openInterest !== undefined) && tickers.some((t) => t.markPrice !== undefined && t.openInterest === undefined), 'tickers');
    // Liquidations: BingX has none publicly — one marker each, size 0 meaning "no data", never a zero stream.
    expect([...liquidations].sort((a, b) => a.symbol.localeCompare(b.symbol))).toEqual(SYMBOLS.map((symbol) => expect.objectContaining({ exchange: 'bingx', market: 'perp', symbol, size: 0, completeness: Completeness.COMPLETENESS_UNAVAILABLE })));
    const allowed = new Set(['bingx:perp:BTCUSDT', 'bingx:perp:ETHUSDT', 'bingx:perp:']);
    expect([...keys].every((k) => allowed.has(k))).toBe(true);
    sim.pause();
    // Every trade the simulator produced for BTC-USDT since the adapter subscribed arrives once, in order, exactly.
    const all = sim.trades('perp', TARGET);
    const got = () => trades.filter((t) => t.symbol === TARGET);
    await waitFor(() => got().at(-1)?.exchangeTs === all.at(-1)!.time && got().length > 0 && got().at(-1)!.price === all.at(-1)!.price, 'last trade delivered');
    const tail = all.slice(all.length - got().length);
    expect(got().map((t) => [t.price, t.size, t.exchangeTs])).toEqual(tail.map((t) => [t.price, t.qty, t.time]));
    expect(new Set(got().map((t) => t.tradeId)).size).toBe(got().length);
    const oi = tickers.find((t) => t.openInterest !== undefined)!;
    expect(oi).toMatchObject({ exchange: 'bingx', market: 'perp' });
    expect(oi.fundingRate).toBeTypeOf('number');
    expect(oi.indexPrice).toBeGreaterThan(0);
    // The heartbeat was answered: the simulator never dropped the adapter.
    expect(sim.stats().ws.pongsReceived).toBeGreaterThan(0);
    expect(sim.stats().ws.pongTimeouts).toBe(0);
    expect(adapter.nativeSymbol('btcusdt')).toBe('BTC-USDT');
    expect(adapter.book('DOGEUSDT')).toBeUndefined();
  });
});

describe('BingxAdapter configuration', () => {
  const base = { bus: new MemoryBus(), clock: systemClock, logger: silentLogger, urls: { wsUrl: 'ws://127.0.0.1:1/swap-market', restUrl: 'http://127.0.0.1:1' } };
  it('collects the perpetual swap only and validates URLs and symbols', () => {
    expect(() => new BingxAdapter({ ...base, symbols: ['BTCUSDT'], market: 'spot' })).toThrow(/perp/);
    expect(() => new BingxAdapter({ ...base, symbols: ['BTCUSDT'], market: 'perp', urls: { wsUrl: 'nope', restUrl: 'http://x' } })).toThrow(/wsUrl/);
    expect(() => new BingxAdapter({ ...base, symbols: ['B'], market: 'perp' })).toThrow(/invalid/);
  });

  it('batches subscriptions within 200 topics per connection (3 per symbol ⇒ 66 symbols each)', () => {
    const symbols = Array.from({ length: 70 }, (_, i) => `C${i}USDT`);
    const a = new BingxAdapter({ ...base, symbols, market: 'perp' });
    const s = a.stats();
    expect(Object.keys(s.books)).toHaveLength(70);
    expect((a as unknown as { connections: { symbols: string[] }[] }).connections.map((c) => c.symbols.length)).toEqual([66, 4]);
  });
});

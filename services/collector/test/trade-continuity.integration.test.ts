import { QualityKind, Side, type QualityEvent, type Trade } from '@pricelevel/contracts';
import { BinanceSimulator, HtxSim } from '@pricelevel/exchange-sim';
import { MemoryBus, silentLogger, systemClock, type Subscription } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceAdapter } from '../src/exchanges/binance/binance-adapter.js';
import { HtxAdapter } from '../src/exchanges/htx/htx-adapter.js';
import { waitFor } from './helpers/fake-binance.js';

/**
 * Trade continuity against the simulators: trades dropped on the socket and trades made while the
 * connection was down are fetched over REST, so what reaches the bus is exactly the venue's trade
 * list, each trade once, and every hole is reported (and its recovery counted) as a SEQUENCE_GAP.
 */
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const TARGET = 'BTCUSDT';
const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = (trades: Trade[], symbol: string) => trades.filter((t) => t.symbol === symbol).length;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function busFor(): Promise<{ bus: MemoryBus; trades: Trade[]; quality: QualityEvent[] }> {
  const bus = new MemoryBus();
  const trades: Trade[] = [];
  const quality: QualityEvent[] = [];
  const subs: Subscription[] = [
    await bus.subscribe({ topic: 'md.trade.v1', group: 'test', fromBeginning: true }, async (b) => void trades.push(...b.map((d) => d.value))),
    await bus.subscribe({ topic: 'md.quality.v1', group: 'test', fromBeginning: true }, async (b) => void quality.push(...b.map((d) => d.value))),
  ];
  stops.push(async () => {
    await Promise.all(subs.map((s) => s.close()));
    await bus.close();
  });
  return { bus, trades, quality };
}

/** One SEQUENCE_GAP per trade gap, published when its fill ends. */
const tradeGaps = (quality: QualityEvent[], symbol?: string) =>
  quality.filter((q) => (symbol === undefined || q.symbol === symbol) && q.kind === QualityKind.QUALITY_KIND_SEQUENCE_GAP && q.detail.startsWith('trade ids'));
/** Every gap the adapter detected has been reported. */
const allReported = (quality: QualityEvent[], a: { stats(): { counters: Record<string, number> } }) => tradeGaps(quality).length === (a.stats().counters.tradeGaps ?? 0);
const recoveredOf = (e: QualityEvent) => /recovered (\d+) of (\d+)/.exec(e.detail)!.slice(1).map(Number) as [number, number];

/** Published trades of `symbol`, each id once (a second copy fails the test), by id. */
function uniqueById(trades: Trade[], symbol: string): Trade[] {
  const mine = trades.filter((t) => t.symbol === symbol);
  const ids = mine.map((t) => t.tradeId);
  expect(new Set(ids).size, `duplicate trades of ${symbol} on the bus`).toBe(ids.length);
  return mine.sort((a, b) => Number(a.tradeId) - Number(b.tradeId));
}

describe.each(['spot', 'perp'] as const)('Binance %s aggTrade continuity', (market) => {
  it('backfills dropped trades and the reconnect window exactly once, and reports each gap', async () => {
    const sim = await BinanceSimulator.start({ seed: 11, symbols: SYMBOLS, markets: [market], tickMs: 50, tradesPerSecond: 40 });
    stops.push(() => sim.close());
    const { bus, trades, quality } = await busFor();
    const adapter = new BinanceAdapter({
      symbols: SYMBOLS,
      market,
      urls: market === 'spot' ? { wsUrl: sim.urls.spotWs, restUrl: sim.urls.spotRest } : { wsUrl: sim.urls.perpWs, restUrl: sim.urls.perpRest },
      bus,
      clock: systemClock,
      logger: silentLogger,
      // ≥ 200 ms away: at 40 trades/s the reconnect window always holds trades.
      backoff: { initialMs: 400, maxMs: 400 },
      snapshotRetryMs: 20,
      openInterestIntervalMs: 0,
    });
    stops.push(() => adapter.stop());
    await adapter.start();
    await waitFor(() => trades.filter((t) => t.symbol === TARGET).length >= 10, 'trades flowing');

    // Three single aggTrades lost on the socket, with trades in between: three gaps.
    for (let i = 1; i <= 3; i++) {
      sim.fault({ kind: 'drop-trade', market, symbol: TARGET });
      await waitFor(() => sim.faultsApplied().filter((f) => f.kind === 'drop-trade').length === i, 'trade dropped');
      const seen = count(trades, TARGET);
      await waitFor(() => count(trades, TARGET) > seen + 2, 'trades after the drop');
    }
    const dropped = sim.faultsApplied().filter((f) => f.kind === 'drop-trade').map((f) => f.U);
    await waitFor(() => dropped.every((id) => trades.some((t) => t.symbol === TARGET && Number(t.tradeId) === id)), 'dropped trades recovered');

    // The server drops the connection; trades go on while the adapter reconnects.
    sim.fault({ kind: 'disconnect', market });
    await waitFor(() => quality.some((q) => q.kind === QualityKind.QUALITY_KIND_RECONNECT), 'reconnected');
    await waitFor(() => tradeGaps(quality, TARGET).some((e) => e.detail.includes('reconnect window')), 'reconnect window seen');

    sim.pause();
    const first = Number(uniqueById(trades, TARGET)[0]!.tradeId);
    const sent = sim.trades(market, TARGET).filter((t) => t.aggId >= first);
    await waitFor(() => trades.filter((t) => t.symbol === TARGET).length >= sent.length && allReported(quality, adapter), 'every gap filled');
    await sleepMs(100); // anything still in flight would show up as a duplicate
    await adapter.flush();

    const got = uniqueById(trades, TARGET);
    expect(got.map((t) => [t.tradeId, t.price, t.size, t.side, t.exchangeTs, t.tradeCount])).toEqual(
      sent.map((t) => [String(t.aggId), t.price, t.qty, t.isBuyerMaker ? Side.SIDE_SELL : Side.SIDE_BUY, t.time, t.lastId - t.firstId + 1]),
    );
    // Each dropped trade was its own gap; the reconnect window is one more. All recovered in full.
    const gaps = tradeGaps(quality, TARGET);
    expect(gaps.length).toBeGreaterThanOrEqual(4);
    for (const id of dropped) expect(gaps.some((g) => g.expectedId === id && g.receivedId === id + 1)).toBe(true);
    for (const e of tradeGaps(quality, TARGET)) {
      const [recovered, of] = recoveredOf(e);
      expect(recovered).toBe(of);
    }
    const counters = adapter.stats().counters;
    expect(counters.tradesRecovered).toBe(tradeGaps(quality).reduce((s, e) => s + recoveredOf(e)[0], 0));
    expect(counters.tradesUnrecoverable ?? 0).toBe(0);
  });
});

describe('HTX trade.detail continuity', () => {
  async function setup(opts: { autoTick: boolean; tradesPerSecond: number; symbols?: string[] }) {
    const symbols = opts.symbols ?? SYMBOLS;
    const sim = await HtxSim.start({ seed: 5, symbols, tickMs: 50, tradesPerSecond: opts.tradesPerSecond, autoTick: opts.autoTick, pingIntervalMs: 5000 });
    stops.push(() => sim.close());
    const { bus, trades, quality } = await busFor();
    const adapter = new HtxAdapter({
      symbols,
      market: 'spot',
      urls: { wsUrl: sim.urls.spotWs, restUrl: sim.urls.spotRest },
      bus,
      clock: systemClock,
      logger: silentLogger,
      // ≥ 200 ms away: at 40 trades/s the reconnect window always holds trades.
      backoff: { initialMs: 400, maxMs: 400 },
    });
    stops.push(() => adapter.stop());
    await adapter.start();
    return { sim, adapter, trades, quality };
  }

  const expectSame = (got: Trade[], sent: ReturnType<HtxSim['trades']>) =>
    expect(got.map((t) => [t.tradeId, t.price, t.size, t.side, t.exchangeTs])).toEqual(
      sent.map((t) => [String(t.tradeId), t.price, t.size, t.direction === 'buy' ? Side.SIDE_BUY : Side.SIDE_SELL, t.ts]),
    );

  it('backfills dropped pushes and the reconnect window exactly once, and reports each gap', async () => {
    const { sim, adapter, trades, quality } = await setup({ autoTick: true, tradesPerSecond: 40 });
    await waitFor(() => trades.filter((t) => t.symbol === TARGET).length >= 10, 'trades flowing');

    // Two pushes dropped back to back (one gap), then a third later (another gap).
    sim.fault({ kind: 'drop-trade', market: 'spot', symbol: TARGET });
    sim.fault({ kind: 'drop-trade', market: 'spot', symbol: TARGET });
    await waitFor(() => sim.faultsApplied().filter((f) => f.kind === 'drop-trade').length === 2, 'pushes dropped');
    const seen = count(trades, TARGET);
    await waitFor(() => count(trades, TARGET) > seen + 2, 'trades after the drop');
    sim.fault({ kind: 'drop-trade', market: 'spot', symbol: TARGET });
    await waitFor(() => sim.faultsApplied().filter((f) => f.kind === 'drop-trade').length === 3, 'third push dropped');
    const dropped = sim.faultsApplied().filter((f) => f.kind === 'drop-trade');
    await waitFor(() => dropped.every((f) => trades.some((t) => t.symbol === TARGET && Number(t.tradeId) === f.seqNum)), 'dropped pushes recovered');

    sim.fault({ kind: 'disconnect', market: 'spot' });
    await waitFor(() => quality.some((q) => q.kind === QualityKind.QUALITY_KIND_RECONNECT), 'reconnected');
    await waitFor(() => tradeGaps(quality, TARGET).some((e) => e.detail.includes('reconnect window')), 'reconnect window seen');

    sim.pause();
    const first = Number(uniqueById(trades, TARGET)[0]!.tradeId);
    const sent = sim.trades('spot', TARGET).filter((t) => t.tradeId >= first);
    await waitFor(() => trades.filter((t) => t.symbol === TARGET).length >= sent.length && allReported(quality, adapter), 'every gap filled');
    await sleepMs(100);
    await adapter.flush();

    expectSame(uniqueById(trades, TARGET), sent);
    const gaps = tradeGaps(quality, TARGET);
    expect(gaps.some((g) => g.expectedId === dropped[0]!.seqNum && g.receivedId === dropped[1]!.prevSeqNum + 1)).toBe(true);
    expect(gaps.some((g) => g.expectedId === dropped[2]!.seqNum && g.receivedId === dropped[2]!.prevSeqNum + 1)).toBe(true);
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    for (const e of tradeGaps(quality, TARGET)) {
      const [recovered, of] = recoveredOf(e);
      expect(recovered).toBe(of);
    }
  });

  it('fetches what the latest 2000 groups still hold and reports the rest as unrecoverable', async () => {
    const { sim, adapter, trades, quality } = await setup({ autoTick: false, tradesPerSecond: 60, symbols: [TARGET] });
    await waitFor(() => adapter.stats().connected, 'connected');
    // Tick until trades reach the bus (the subscription is live).
    for (let i = 0; i < 200 && !trades.some((t) => t.symbol === TARGET); i++) {
      sim.tick();
      await sleepMs(10);
    }
    const first = Number(uniqueById(trades, TARGET)[0]!.tradeId);

    // Drop the connection, then trade far more than /market/history/trade can reach back to before
    // the adapter can reconnect (tick() is synchronous).
    sim.fault({ kind: 'disconnect', market: 'spot' });
    sim.tick(2600);
    await waitFor(() => quality.some((q) => q.kind === QualityKind.QUALITY_KIND_RECONNECT), 'reconnected');
    for (let i = 0; i < 200 && !adapter.stats().counters.tradeGaps; i++) {
      sim.tick();
      await sleepMs(10);
    }
    await waitFor(() => allReported(quality, adapter), 'gap closed');
    await sleepMs(100);
    await adapter.flush();

    const gap = tradeGaps(quality, TARGET)[0]!;
    expect(gap.detail).toContain('reconnect window');
    const [recovered, of] = recoveredOf(tradeGaps(quality, TARGET)[0]!);
    const got = uniqueById(trades, TARGET);
    const sent = sim.trades('spot', TARGET).filter((t) => t.tradeId >= first);
    const published = new Set(got.map((t) => Number(t.tradeId)));
    const lost = sent.filter((t) => !published.has(t.tradeId));
    // Everything published is the venue's own trade; exactly the reported number is missing, all
    // of them inside the gap and older than what the venue still serves.
    expectSame(got, sent.filter((t) => !lost.includes(t)));
    expect(of).toBe(gap.receivedId - gap.expectedId);
    expect(recovered).toBeGreaterThan(0);
    expect(lost.length).toBe(of - recovered);
    expect(tradeGaps(quality, TARGET)[0]!.detail).toContain(`${of - recovered} unrecoverable`);
    expect(lost.every((t) => t.tradeId >= gap.expectedId && t.tradeId < gap.receivedId - recovered)).toBe(true);
    expect(adapter.stats().counters.tradesUnrecoverable).toBeGreaterThanOrEqual(lost.length);
  });
});

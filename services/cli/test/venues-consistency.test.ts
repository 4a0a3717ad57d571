import { QualityKind, type BookUpdate, type Candle, type Market, type QualityEvent, type QualityMinute, type Trade } from '@pricelevel/contracts';
import {
  BinanceAdapter, BingxAdapter, BybitAdapter, HtxAdapter, klineSourceFor, type ExchangeAdapter, type KlineRestUrls,
} from '@pricelevel/collector';
import { BinanceSimulator, BingxSim, BybitSim, HtxSim } from '@pricelevel/exchange-sim';
import { buildCandlesFromTrades, QualityLedger } from '@pricelevel/market';
import { MemoryBus, silentLogger, systemClock, type Bus, type Clock, type Subscription } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * Every venue market end to end against its simulator, with venue time driven by hand: the candles
 * folded from the trades the adapter published must be exactly the venue's own 1m klines (read back
 * over the venue's REST API), and a book gap injected on one symbol must show up in that symbol's
 * quality-ledger minutes only, while the other symbol's trades keep flowing.
 */
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const TARGET = 'BTCUSDT';
const OTHER = 'ETHUSDT';
const MIN = 60_000;
const STEPS = 150;
const BACKOFF = { initialMs: 20, maxMs: 200 };
// One tick is one second of venue time; a few trades per second keep the busy CI cores unhurried.
const SIM = { seed: 11, symbols: SYMBOLS, autoTick: false, tickMs: 1000, tradesPerSecond: 3 } as const;

type Venue = 'binance' | 'bybit' | 'bingx' | 'htx';

/** What the test needs of any simulator: tick, inject the book-gap fault, tell when it bit, close. */
interface SimHandle {
  tick(): void;
  injectGap(symbol: string): void;
  /** Venue time at which each injected fault was applied. */
  faultTimes(): number[];
  restUrls: KlineRestUrls;
  adapter(bus: Bus): ExchangeAdapter;
  close(): Promise<void>;
}

interface VenueCase {
  name: string;
  exchange: Venue;
  market: Market;
  start(clock: { now(): number }): Promise<SimHandle>;
  /** Fields the venue's kline carries besides OHLC and base volume. */
  hasQuoteVolume: boolean;
  hasTradeCount: boolean;
}

const base = (bus: Bus) => ({ symbols: SYMBOLS, bus, clock: systemClock, logger: silentLogger, backoff: BACKOFF });
const urlsFor = (rest: string): KlineRestUrls => ({
  BINANCE_SPOT_REST_URL: rest, BINANCE_PERP_REST_URL: rest, BYBIT_REST_URL: rest, BINGX_PERP_REST_URL: rest, HTX_REST_URL: rest,
});

function binance(market: Market): VenueCase {
  return {
    name: `binance ${market}`, exchange: 'binance', market, hasQuoteVolume: true, hasTradeCount: true,
    async start(clock) {
      const sim = await BinanceSimulator.start({ ...SIM, symbols: [...SYMBOLS], markets: [market], clock });
      const urls = market === 'spot' ? { wsUrl: sim.urls.spotWs, restUrl: sim.urls.spotRest } : { wsUrl: sim.urls.perpWs, restUrl: sim.urls.perpRest };
      return {
        tick: () => sim.tick(),
        // 'drop' loses one depth diff: the next one's U (or pu) no longer follows.
        injectGap: (symbol) => sim.fault({ kind: 'drop', market, symbol }),
        faultTimes: () => sim.faultsApplied().map((f) => f.at),
        restUrls: urlsFor(urls.restUrl),
        adapter: (bus) => new BinanceAdapter({ ...base(bus), market, urls, snapshotRetryMs: 20, openInterestIntervalMs: 0 }),
        close: () => sim.close(),
      };
    },
  };
}

function bybit(market: Market): VenueCase {
  return {
    // Bybit klines carry volume and turnover (quote volume) but no trade count.
    name: `bybit ${market}`, exchange: 'bybit', market, hasQuoteVolume: true, hasTradeCount: false,
    async start(clock) {
      const sim = await BybitSim.start({ ...SIM, symbols: [...SYMBOLS], markets: [market], clock });
      const urls = { wsUrl: market === 'spot' ? sim.urls.spotWs : sim.urls.linearWs, restUrl: sim.urls.rest };
      return {
        tick: () => sim.tick(),
        injectGap: (symbol) => sim.fault({ kind: 'drop', market, symbol }),
        faultTimes: () => sim.faultsApplied().map((f) => f.at),
        restUrls: urlsFor(urls.restUrl),
        adapter: (bus) => new BybitAdapter({ ...base(bus), market, urls }),
        close: () => sim.close(),
      };
    },
  };
}

const bingxPerp: VenueCase = {
  // BingX v3 klines carry OHLC and base volume only: no quote volume, no trade count.
  name: 'bingx perp', exchange: 'bingx', market: 'perp', hasQuoteVolume: false, hasTradeCount: false,
  async start(clock) {
    const sim = await BingxSim.start({ ...SIM, symbols: [...SYMBOLS], clock });
    const urls = { wsUrl: sim.urls.perpWs, restUrl: sim.urls.perpRest };
    return {
      tick: () => sim.tick(),
      // BingX's own gap: one lastUpdateId is never sent.
      injectGap: (symbol) => sim.fault({ kind: 'gap', market: 'perp', symbol }),
      faultTimes: () => sim.faultsApplied().map((f) => f.at),
      restUrls: urlsFor(urls.restUrl),
      adapter: (bus) => new BingxAdapter({ ...base(bus), market: 'perp', urls, restPollIntervalMs: 0 }),
      close: () => sim.close(),
    };
  },
};

const htxSpot: VenueCase = {
  name: 'htx spot', exchange: 'htx', market: 'spot', hasQuoteVolume: true, hasTradeCount: true,
  async start(clock) {
    const sim = await HtxSim.start({ ...SIM, symbols: [...SYMBOLS], clock });
    const urls = { wsUrl: sim.urls.spotWs, restUrl: sim.urls.spotRest };
    return {
      tick: () => sim.tick(),
      // HTX's own gap: an incremental whose prevSeqNum skips one.
      injectGap: (symbol) => sim.fault({ kind: 'gap', market: 'spot', symbol }),
      faultTimes: () => sim.faultsApplied().map((f) => f.at),
      restUrls: urlsFor(urls.restUrl),
      adapter: (bus) => new HtxAdapter({ ...base(bus), market: 'spot', urls }),
      close: () => sim.close(),
    };
  },
};

const CASES: VenueCase[] = [binance('spot'), binance('perp'), bybit('spot'), bybit('perp'), bingxPerp, htxSpot];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** |a − b| ≤ k ulp of b, as |b|·k·EPSILON (b is the venue's value). */
function expectUlps(a: number, b: number, k: number, what: string): void {
  expect(Math.abs(a - b), `${what}: ${a} vs venue ${b}`).toBeLessThanOrEqual(Math.abs(b) * k * Number.EPSILON);
}

const sum = (rows: QualityMinute[], f: (r: QualityMinute) => number) => rows.reduce((s, r) => s + f(r), 0);

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Adapter first, then the bus, then the simulator (reverse order of start).
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe.each(CASES)('$name: bus candles = venue klines, gap in the quality ledger', (vc) => {
  it('agrees with the venue and ledgers the gap on the faulted symbol only', async () => {
    // Venue time: the warm-up minute S, then the driven minutes S+1m … S+3m (the last one partial).
    const S = Math.floor(Date.now() / MIN) * MIN;
    let simNow = S;
    const simClock = { now: () => simNow };
    const sim = await vc.start(simClock);
    cleanup.push(() => sim.close());

    const bus = new MemoryBus();
    cleanup.push(() => bus.close());
    const trades: Trade[] = [];
    const quality: QualityEvent[] = [];
    const books: BookUpdate[] = [];
    const subs: Subscription[] = [
      await bus.subscribe({ topic: 'md.trade.v1', group: 'test', fromBeginning: true }, async (b) => void trades.push(...b.map((d) => d.value))),
      await bus.subscribe({ topic: 'md.quality.v1', group: 'test', fromBeginning: true }, async (b) => void quality.push(...b.map((d) => d.value))),
      await bus.subscribe({ topic: 'md.book.v1', group: 'test', fromBeginning: true }, async (b) => void books.push(...b.map((d) => d.value))),
    ];
    cleanup.push(async () => void (await Promise.all(subs.map((s) => s.close()))));
    const adapter = sim.adapter(bus);
    cleanup.push(() => adapter.stop());
    await adapter.start();

    // Warm-up, all at venue time S: books need diffs to sync, and trades made before the adapter's
    // subscription took effect are never sent (no venue replays a stream), so minute S is not compared.
    const received = (sym: string) => trades.some((t) => t.symbol === sym);
    for (let i = 0; !(adapter.stats().connected && SYMBOLS.every((s) => adapter.book(s)?.synced && received(s))); i++) {
      if (i > 1500) throw new Error(`${vc.name}: no sync and trades in the warm-up: ${JSON.stringify(adapter.stats())}`);
      sim.tick();
      await sleep(10);
    }

    // Drive ~2.5 min of venue time in a few seconds; the book gap on TARGET half-way.
    simNow = S + MIN;
    for (let step = 1; step <= STEPS; step++) {
      if (step === STEPS / 2) sim.injectGap(TARGET);
      simNow += 1000;
      sim.tick();
      await sleep(3);
    }
    const lastMinute = Math.floor(simNow / MIN) * MIN;
    expect(lastMinute).toBe(S + 3 * MIN);
    // Frames flow in order per connection: once a trade of the partial last minute arrived, every
    // earlier trade has too.
    await waitFor(() => SYMBOLS.every((s) => trades.some((t) => t.symbol === s && t.exchangeTs >= lastMinute)), 'trades of the last minute');
    expect(sim.faultTimes()).toHaveLength(1);
    const faultAt = sim.faultTimes()[0]!;
    const gapOn = (sym: string) => quality.some((q) => q.symbol === sym && q.kind === QualityKind.QUALITY_KIND_SEQUENCE_GAP);
    await waitFor(() => gapOn(TARGET), 'the sequence gap reported');

    // 3. Candles from the bus = the venue's klines, for every complete driven minute.
    const compared = [S + MIN, S + 2 * MIN];
    const restClock: Clock = { now: () => simNow, setTimeout: systemClock.setTimeout, setInterval: systemClock.setInterval };
    const source = klineSourceFor(vc.exchange, vc.market, sim.restUrls, { clock: restClock, minGapMs: { bybit: 0, bingx: 0, htx: 0 } });
    for (const sym of SYMBOLS) {
      const mine = buildCandlesFromTrades(trades.filter((t) => t.symbol === sym), '1m');
      // HTX answers only the latest `limit` candles (no time range): 10 reach back past S+1m.
      const venue = await source.fetch(sym, '1m', { startTime: compared[0]!, endTime: compared[compared.length - 1]!, limit: 10 });
      for (const openTime of compared) {
        const at = `${vc.name} ${sym} ${new Date(openTime).toISOString()}`;
        const m: Candle | undefined = mine.find((c) => c.openTime === openTime);
        const v: Candle | undefined = venue.find((c) => c.openTime === openTime);
        expect(m, `${at}: candle from the bus`).toBeDefined();
        expect(v, `${at}: venue kline`).toBeDefined();
        expect(v!.final, `${at}: venue kline closed`).toBe(true);
        expect(m!.tradeCount, `${at}: trades in the minute`).toBeGreaterThan(0);
        expect([m!.open, m!.high, m!.low, m!.close], `${at}: OHLC`).toEqual([v!.open, v!.high, v!.low, v!.close]);
        // Sizes are the venue's decimals read as doubles; the exact sum of those rounds to within
        // one ulp of the venue's exact decimal sum.
        expectUlps(m!.volume, v!.volume, 1, `${at}: volume`);
        // Quote volume: price and size are each within half an ulp of the venue decimal, so each
        // product is within one EPSILON relative, plus one rounding on each side: two ulps.
        if (vc.hasQuoteVolume) expectUlps(m!.quoteVolume, v!.quoteVolume, 2, `${at}: quote volume`);
        if (vc.hasTradeCount) expect(m!.tradeCount, `${at}: trade count`).toBe(v!.tradeCount);
      }
    }

    // 4. The gap is in the ledger, on TARGET's minutes only. The ledger watches from minute S (its
    // clock there while folding), then its clock moves 2 min past the venue's so every minute closes.
    // Quality events carry the collector's (real) time, which also lies in S … S+3m.
    let ledgerNow = S;
    const ledger = new QualityLedger({ clock: { now: () => ledgerNow }, allowedLatenessMs: 0, maxFutureMs: 10 * MIN });
    for (const t of trades) ledger.onTrade(t);
    for (const b of books) ledger.onBookUpdate(b);
    for (const q of quality) ledger.onQualityEvent(q);
    ledgerNow = Math.max(simNow, Date.now()) + 2 * MIN;
    const rows = ledger.advance();
    expect(ledger.stats().lateDropped + ledger.stats().futureDropped + ledger.stats().invalidDropped).toBe(0);
    const target = rows.filter((r) => r.symbol === TARGET);
    const other = rows.filter((r) => r.symbol === OTHER);
    expect(sum(target, (r) => r.sequenceGaps), `${vc.name}: gaps on ${TARGET}`).toBeGreaterThanOrEqual(1);
    expect(sum(other, (r) => r.sequenceGaps), `${vc.name}: gaps on ${OTHER}`).toBe(0);
    expect(sum(other, (r) => r.messages)).toBeGreaterThan(0);
    expect(sum(other, (r) => r.trades)).toBe(trades.filter((t) => t.symbol === OTHER).length);

    // The other symbol kept trading after the fault.
    expect(gapOn(OTHER)).toBe(false);
    expect(trades.some((t) => t.symbol === OTHER && t.exchangeTs > faultAt)).toBe(true);
  }, 90_000);
});

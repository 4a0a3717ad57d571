/**
 * BinanceSimulator: a seeded live market for Binance spot and USDⓈ-M, served over the venue's real
 * WebSocket and REST protocol on loopback (spot on one port under /api/v3, perp on another under /fapi/v1).
 * Depth events carry every level change since the previous event of their stream; REST snapshots return
 * the same book with its lastUpdateId, so snapshot + diffs reproduce `book()` exactly.
 */
import { Prng } from './prng.js';
import { InstrumentSim, type SimLiquidation, type SimTrade } from './instrument-sim.js';
import { DEFAULT_START_PRICE, priceNum, priceStr, qtyNum, symbolSpec, type Market } from './symbol-spec.js';
import { depthPeriods, depthStreamNames, markPriceStreamNames, parseStream } from './streams.js';
import { VenueServer, type PingOptions, type SimLogger, type VenueServerStats } from './venue-server.js';
import { FaultInjector, type AppliedFault, type Fault } from './faults.js';
import {
  aggTradePayload,
  depthUpdatePayload,
  forceOrderPayload,
  markPricePayload,
  type DepthEvent,
  type MarkPriceState,
} from './payloads.js';
import { handleLiveRest } from './live-rest.js';
import { HistoryStore, type HistoryOptions } from './history.js';
import type { KlineSource } from './klines.js';
import { defaultFixturesDir } from './fixtures-path.js';

export type { SimTrade } from './instrument-sim.js';

export interface BinanceSimulatorOptions {
  seed: number;
  /** Venue symbols, e.g. 'BTCUSDT'. */
  symbols: string[];
  /** Default both. */
  markets?: Market[];
  /** Tick length; depth events are produced every tick per symbol (default 100). */
  tickMs?: number;
  /** Mean taker orders per second per instrument (default 10). */
  tradesPerSecond?: number;
  /** Mean liquidations per second per perp symbol before the 1/s push limit (default 0.3). */
  liquidationsPerSecond?: number;
  /** Default true; false = the market moves only on `tick()`. */
  autoTick?: boolean;
  startPrice?: Record<string, number>;
  /** Exchange timestamps (E, T, klines); default Date.now. */
  clock?: { now(): number };
  /** Serve klines before the session from the bundled real candles (fixtures/ohlcv). */
  history?: HistoryOptions;
  /** Project fixtures dir; default resolved from this package (../../fixtures). */
  fixturesDir?: string;
  /** Server ping period / pong deadline (default: spot 20 s / 60 s, perp 3 min / 10 min). */
  ping?: PingOptions;
  /** Inbound WS messages per second before disconnect (default: spot 5, perp 10). */
  maxInboundPerSecond?: number;
  logger?: SimLogger;
}

export interface SimUrls {
  spotWs: string;
  spotRest: string;
  perpWs: string;
  perpRest: string;
}

export interface BookView {
  lastUpdateId: number;
  bids: [number, number][];
  asks: [number, number][];
}

export interface SimStats {
  connections: number;
  framesSent: number;
  ticks: number;
  trades: number;
  depthEvents: number;
  liquidationsGenerated: number;
  liquidationsPushed: number;
  faultsApplied: number;
  markets: Partial<Record<Market, VenueServerStats>>;
}

/** Pending depth changes of one stream cadence (latest level wins), and the last u it sent (for pu). */
interface DepthAgg {
  periodMs: number;
  everyTicks: number;
  streams: string[];
  U: number;
  u: number;
  bids: Map<number, number>;
  asks: Map<number, number>;
  lastSentU: number;
}

interface SymbolState {
  inst: InstrumentSim;
  aggs: DepthAgg[];
  pendingLiq: SimLiquidation | null;
}

interface MarketState {
  market: Market;
  server: VenueServer;
  symbols: Map<string, SymbolState>;
}

const MARK_PERIODS = [1000, 3000];

export class BinanceSimulator {
  readonly urls: SimUrls;
  private readonly markets = new Map<Market, MarketState>();
  private readonly faults: FaultInjector;
  private readonly clock: { now(): number };
  private readonly tickMs: number;
  private readonly history: HistoryStore | null;
  private readonly sessionStart: number;
  private timer: NodeJS.Timeout | null = null;
  private ticks = 0;
  private counters = { trades: 0, depthEvents: 0, liqGenerated: 0, liqPushed: 0 };
  private closed = false;

  private constructor(
    private readonly opts: BinanceSimulatorOptions,
    clock: { now(): number },
    history: HistoryStore | null,
    sessionStart: number,
  ) {
    this.clock = clock;
    this.tickMs = opts.tickMs ?? 100;
    this.history = history;
    this.sessionStart = sessionStart;
    this.faults = new FaultInjector({
      disconnectAll: (m) => this.markets.get(m)?.server.disconnectAll(),
      stall: (m, ms) => this.markets.get(m)?.server.stall(ms),
    });
    this.urls = { spotWs: '', spotRest: '', perpWs: '', perpRest: '' };
  }

  static async start(opts: BinanceSimulatorOptions): Promise<BinanceSimulator> {
    if (!Number.isFinite(opts.seed)) throw new Error('BinanceSimulator: seed must be a number');
    if (!opts.symbols?.length) throw new Error('BinanceSimulator: at least one symbol is required');
    const tickMs = opts.tickMs ?? 100;
    if (!(tickMs > 0)) throw new Error('BinanceSimulator: tickMs must be > 0');
    const clock = opts.clock ?? { now: () => Date.now() };
    const sessionStart = clock.now();
    const fixturesDir = opts.fixturesDir ?? defaultFixturesDir();
    const history = opts.history ? new HistoryStore(opts.history, fixturesDir, sessionStart) : null;
    const sim = new BinanceSimulator(opts, clock, history, sessionStart);
    const symbols = [...new Set(opts.symbols.map((s) => s.toUpperCase()))];
    const root = new Prng(opts.seed);
    for (const market of opts.markets ?? (['spot', 'perp'] as Market[])) {
      const states = new Map<string, SymbolState>();
      for (const symbol of symbols) {
        const start =
          opts.startPrice?.[symbol] ?? history?.lastClose(symbol) ?? DEFAULT_START_PRICE[symbol] ?? 100;
        const spec = symbolSpec(market, symbol, start);
        const inst = new InstrumentSim({
          spec,
          rng: root.fork(`${market}:${symbol}`),
          startPrice: start,
          tradesPerSecond: opts.tradesPerSecond ?? 10,
          tickMs,
          liquidationsPerSecond: market === 'perp' ? (opts.liquidationsPerSecond ?? 0.3) : 0,
        });
        const aggs = depthPeriods(market).map((periodMs) => ({
          periodMs,
          everyTicks: Math.max(1, Math.round(periodMs / tickMs)),
          streams: depthStreamNames(market, symbol, periodMs),
          U: 0,
          u: 0,
          bids: new Map<number, number>(),
          asks: new Map<number, number>(),
          lastSentU: inst.lastUpdateId,
        }));
        states.set(symbol, { inst, aggs, pendingLiq: null });
      }
      const symbolSet = new Set(symbols);
      const server = await VenueServer.listen({
        market,
        parseStream: (raw) => parseStream(market, raw, symbolSet),
        handleRest: (req) =>
          handleLiveRest(
            {
              market,
              now: () => sim.clock.now(),
              instrument: (s) => states.get(s.toUpperCase())?.inst,
              symbols: () => [...states.keys()],
              klineSource: (s, iv) => sim.klineSource(market, s, iv),
              markState: (s) => sim.markState(s),
            },
            req,
          ),
        now: () => sim.clock.now(),
        ...(opts.ping ? { ping: opts.ping } : {}),
        ...(opts.maxInboundPerSecond ? { maxInboundPerSecond: opts.maxInboundPerSecond } : {}),
        ...(opts.logger ? { logger: opts.logger } : {}),
      });
      sim.markets.set(market, { market, server, symbols: states });
      if (market === 'spot') Object.assign(sim.urls, { spotWs: server.wsUrl, spotRest: server.restUrl });
      else Object.assign(sim.urls, { perpWs: server.wsUrl, perpRest: server.restUrl });
    }
    if (opts.autoTick ?? true) sim.resume();
    return sim;
  }

  /** Advance the market deterministically by n ticks. */
  tick(n = 1): void {
    if (this.closed) throw new Error('BinanceSimulator is closed');
    for (let i = 0; i < n; i++) this.stepOnce();
  }

  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  resume(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.stepOnce(), this.tickMs);
  }

  /** Full book, best first, with the update id it reflects. */
  book(market: Market, symbol: string): BookView {
    const inst = this.instrument(market, symbol);
    const conv = (lv: [number, number][]) =>
      lv.map(([p, q]) => [priceNum(inst.spec, p), qtyNum(inst.spec, q)] as [number, number]);
    return {
      lastUpdateId: inst.lastUpdateId,
      bids: conv(inst.book.levels('bid')),
      asks: conv(inst.book.levels('ask')),
    };
  }

  /** Every aggTrade produced (and sent to subscribers), oldest first. */
  trades(market: Market, symbol: string): SimTrade[] {
    return this.instrument(market, symbol).trades.slice();
  }

  fault(f: Fault): void {
    if (!this.markets.has(f.market)) throw new Error(`fault: market ${f.market} is not simulated`);
    if (f.symbol && !this.markets.get(f.market)!.symbols.has(f.symbol.toUpperCase()))
      throw new Error(`fault: unknown symbol ${f.symbol}`);
    this.faults.add(f);
  }

  faultsApplied(): AppliedFault[] {
    return this.faults.applied.slice();
  }

  stats(): SimStats {
    const markets: Partial<Record<Market, VenueServerStats>> = {};
    let connections = 0;
    let framesSent = 0;
    for (const [m, st] of this.markets) {
      markets[m] = { ...st.server.stats };
      connections += st.server.stats.connections;
      framesSent += st.server.stats.framesSent;
    }
    return {
      connections,
      framesSent,
      ticks: this.ticks,
      trades: this.counters.trades,
      depthEvents: this.counters.depthEvents,
      liquidationsGenerated: this.counters.liqGenerated,
      liquidationsPushed: this.counters.liqPushed,
      faultsApplied: this.faults.applied.length,
      markets,
    };
  }

  /** Kline inputs for one instrument and interval (what /klines serves). */
  klineSource(market: Market, symbol: string, intervalMs: number): KlineSource {
    const inst = this.instrument(market, symbol);
    return {
      spec: inst.spec,
      trades: inst.trades,
      sessionStart: this.sessionStart,
      startPriceStr: priceStr(inst.spec, inst.startPriceUnits),
      history: this.history ? this.history.candles(inst.spec.symbol, intervalMs) : [],
    };
  }

  /** Current mark/index/funding for a perp symbol; index follows the spot book when spot is simulated. */
  markState(symbol: string): MarkPriceState {
    const perp = this.instrument('perp', symbol);
    const spot = this.markets.get('spot')?.symbols.get(symbol.toUpperCase())?.inst;
    const mark = perp.midPrice();
    const index = spot ? spot.midPrice() : mark * 0.9998;
    const premium = (mark - index) / index;
    const fundingRate = Math.max(-0.0075, Math.min(0.0075, 0.0001 + premium / 3));
    const eight = 8 * 3_600_000;
    const now = this.clock.now();
    return {
      mark,
      index,
      settle: index,
      fundingRate,
      nextFundingTime: Math.floor(now / eight) * eight + eight,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pause();
    await Promise.all([...this.markets.values()].map((m) => m.server.close()));
  }

  private instrument(market: Market, symbol: string): InstrumentSim {
    const st = this.markets.get(market)?.symbols.get(symbol.toUpperCase());
    if (!st) throw new Error(`unknown instrument ${market}:${symbol}`);
    return st.inst;
  }

  private stepOnce(): void {
    this.ticks++;
    const now = this.clock.now();
    for (const ms of this.markets.values()) {
      for (const [symbol, st] of ms.symbols) this.stepSymbol(ms, symbol, st, now);
    }
  }

  private stepSymbol(ms: MarketState, symbol: string, st: SymbolState, now: number): void {
    const { market, server } = ms;
    const res = st.inst.step(now);
    const spec = st.inst.spec;
    const lower = symbol.toLowerCase();
    this.counters.trades += res.trades.length;
    const tradeStream = `${lower}@aggTrade`;
    if (server.hasSubscribers(tradeStream)) {
      for (const t of res.trades) {
        if (this.faults.dropTrade(market, symbol, t.aggId, now)) continue;
        server.publish(tradeStream, JSON.stringify(aggTradePayload(market, symbol, t, now)));
      }
    }
    for (const agg of st.aggs) {
      if (res.depth) {
        if (agg.bids.size === 0 && agg.asks.size === 0) agg.U = res.depth.U;
        agg.u = res.depth.u;
        for (const [p, q] of res.depth.bids) agg.bids.set(p, q);
        for (const [p, q] of res.depth.asks) agg.asks.set(p, q);
      }
      if (this.ticks % agg.everyTicks !== 0 || (agg.bids.size === 0 && agg.asks.size === 0)) continue;
      const sorted = (m: Map<number, number>) => [...m.entries()].sort((a, b) => a[0] - b[0]);
      const ev: DepthEvent = {
        symbol,
        U: agg.U,
        u: agg.u,
        pu: agg.lastSentU,
        E: now,
        T: now,
        bids: sorted(agg.bids),
        asks: sorted(agg.asks),
      };
      agg.lastSentU = agg.u;
      agg.bids = new Map();
      agg.asks = new Map();
      this.counters.depthEvents++;
      const live = agg.streams.filter((s) => server.hasSubscribers(s));
      if (!live.length) continue;
      const payload = JSON.stringify(depthUpdatePayload(spec, ev));
      this.faults.emit({
        market,
        symbol,
        group: `${market}:${symbol}:${agg.periodMs}`,
        streams: live,
        U: ev.U,
        u: ev.u,
        now,
        deliver: (mangle) => {
          for (const s of live) server.publish(s, payload, mangle);
        },
      });
    }
    if (market !== 'perp') return;
    if (res.liquidation) {
      this.counters.liqGenerated++;
      st.pendingLiq = res.liquidation; // only the latest per second is pushed, as on the venue
    }
    const perSecond = Math.max(1, Math.round(1000 / this.tickMs));
    if (st.pendingLiq && this.ticks % perSecond === 0) {
      const liq = st.pendingLiq;
      st.pendingLiq = null;
      this.counters.liqPushed++;
      server.publish(`${lower}@forceOrder`, JSON.stringify(forceOrderPayload(spec, liq, now)));
    }
    for (const period of MARK_PERIODS) {
      if (this.ticks % Math.max(1, Math.round(period / this.tickMs)) !== 0) continue;
      const names = markPriceStreamNames(symbol, period).filter((s) => server.hasSubscribers(s));
      if (!names.length) continue;
      const payload = JSON.stringify(markPricePayload(symbol, this.markState(symbol), now));
      for (const s of names) server.publish(s, payload);
    }
  }
}

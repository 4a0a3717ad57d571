/**
 * BingxSim: a seeded live market for BingX perpetual swap V2, served over the venue's protocol on loopback
 * with one server per venue host (market WebSocket host, REST host). incrDepth sends the full book
 * (`all`) on subscribe, then the changed levels with lastUpdateId + 1 per push; `book()` is the book as
 * of the last push, so `all` + updates reproduce it exactly. Klines come from the sim's own trades,
 * preceded (with `history`) by real historical candles shifted to end where the session starts.
 */
import { Prng } from '../prng.js';
import { InstrumentSim, type SimTrade } from '../instrument-sim.js';
import { buildKline, KLINE_INTERVALS, type KlineSource } from '../klines.js';
import { DEFAULT_START_PRICE, priceNum, priceStr, qtyNum, type Market } from '../symbol-spec.js';
import { formatScaled, rescale } from '../decimal.js';
import type { SimLogger } from '../venue-server.js';
import { BingxServer, type BingxClient, type BingxPingOptions, type BingxServerStats } from './bingx-server.js';
import { BingxFaultInjector, type BingxAppliedFault, type BingxFault } from './bingx-faults.js';
import { bingxFlat, bingxNative, bingxSpec } from './bingx-spec.js';
import {
  bookTickerFrame,
  depthFrame,
  incrDepthFrame,
  klineFrame,
  lastPriceFrame,
  markPriceFrame,
  tradeFrame,
  type Levels,
} from './bingx-payloads.js';
import { handleBingxRest, type BingxRestInstrument } from './bingx-rest.js';
import { HistoryStore, type HistoryOptions } from '../history.js';
import { defaultFixturesDir } from '../fixtures-path.js';

export interface BingxSimOptions {
  seed: number;
  /** `BTCUSDT` or `BTC-USDT`. */
  symbols: string[];
  /** BingX is simulated for the perpetual swap only: ['perp'] (the default). */
  markets?: Market[];
  /** Tick length (default 100 ms). */
  tickMs?: number;
  /** Mean taker orders per second per symbol (default 10). */
  tradesPerSecond?: number;
  /** Default true; false = the market moves only on `tick()`. */
  autoTick?: boolean;
  /** By project or native name. */
  startPrice?: Record<string, number>;
  /** Exchange timestamps; default Date.now. */
  clock?: { now(): number };
  /** incrDepth push period (venue: 200 ms for BTC-USDT/ETH-USDT, 800 ms for others). */
  depthPushMs?: number;
  /** Server Ping period / Pong deadline (default 5 s / 10 s). */
  ping?: BingxPingOptions;
  /** Serve klines before the session from the bundled real candles (fixtures/ohlcv), as BinanceSimulator. */
  history?: HistoryOptions;
  /** Project fixtures dir; default resolved from this package (../../fixtures). */
  fixturesDir?: string;
  logger?: SimLogger;
}

export interface BingxSimUrls {
  /** Market WebSocket (venue: wss://open-api-swap.bingx.com/swap-market). */
  perpWs: string;
  /** REST host (venue: https://open-api.bingx.com). */
  perpRest: string;
}

export interface BingxBookView {
  /** lastUpdateId of the last incrDepth push the book reflects. */
  seq: number;
  bids: [number, number][];
  asks: [number, number][];
}

export interface BingxSimStats {
  ticks: number;
  trades: number;
  depthPushes: number;
  faultsApplied: number;
  ws: BingxServerStats;
  rest: BingxServerStats;
}

interface SymbolState {
  flat: string;
  native: string;
  inst: InstrumentSim;
  /** The book as last pushed (price units → qty units). */
  bids: Map<number, number>;
  asks: Map<number, number>;
  pendingBids: Map<number, number>;
  pendingAsks: Map<number, number>;
  lastUpdateId: number;
  depthEveryTicks: number;
}

const DEPTH_LEVELS = [5, 10, 20, 50, 100];
const DEPTH_MS = [100, 200, 500, 1000];
const MAX_ALL_LEVELS = 1000;

function sortedDesc(m: Map<number, number>, limit = Infinity): Levels {
  const out = [...m.entries()].sort((a, b) => b[0] - a[0]);
  return out.length > limit ? out.slice(0, limit) : out;
}

function sortedAsc(m: Map<number, number>, limit = Infinity): Levels {
  const out = [...m.entries()].sort((a, b) => a[0] - b[0]);
  return out.length > limit ? out.slice(0, limit) : out;
}

export class BingxSim {
  readonly urls: BingxSimUrls = { perpWs: '', perpRest: '' };
  private readonly symbols = new Map<string, SymbolState>();
  private readonly byNative = new Map<string, SymbolState>();
  private readonly faults: BingxFaultInjector;
  private readonly clock: { now(): number };
  private readonly tickMs: number;
  private readonly sessionStart: number;
  private readonly history: HistoryStore | null;
  private ws!: BingxServer;
  private rest!: BingxServer;
  private timer: NodeJS.Timeout | null = null;
  private ticks = 0;
  private counters = { trades: 0, depthPushes: 0 };
  private closed = false;

  private constructor(opts: BingxSimOptions) {
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.tickMs = opts.tickMs ?? 100;
    this.sessionStart = this.clock.now();
    this.history = opts.history ? new HistoryStore(opts.history, opts.fixturesDir ?? defaultFixturesDir(), this.sessionStart) : null;
    this.faults = new BingxFaultInjector({
      disconnectAll: () => this.ws.disconnectAll(),
      stall: (ms) => this.ws.stall(ms),
      missPongs: () => this.ws.missPongs(),
    });
  }

  static async start(opts: BingxSimOptions): Promise<BingxSim> {
    if (!Number.isFinite(opts.seed)) throw new Error('BingxSim: seed must be a number');
    if (!opts.symbols?.length) throw new Error('BingxSim: at least one symbol is required');
    const markets = opts.markets ?? ['perp'];
    if (markets.length !== 1 || markets[0] !== 'perp') throw new Error("BingxSim: only the 'perp' market (swap V2) is simulated");
    const tickMs = opts.tickMs ?? 100;
    if (!(tickMs > 0)) throw new Error('BingxSim: tickMs must be > 0');
    const sim = new BingxSim(opts);
    const root = new Prng(opts.seed);
    const natives = [...new Set(opts.symbols.map(bingxNative))];
    for (const native of natives) {
      const flat = bingxFlat(native);
      // Live prices continue the history: start at its last close unless a start price is given.
      const start = opts.startPrice?.[flat] ?? opts.startPrice?.[native] ?? sim.history?.lastClose(flat) ?? DEFAULT_START_PRICE[flat] ?? 100;
      const inst = new InstrumentSim({
        spec: bingxSpec(flat, start),
        rng: root.fork(`bingx:${flat}`),
        startPrice: start,
        tradesPerSecond: opts.tradesPerSecond ?? 10,
        tickMs,
        liquidationsPerSecond: 0,
      });
      const pushMs = opts.depthPushMs ?? (flat === 'BTCUSDT' || flat === 'ETHUSDT' ? 200 : 800);
      const st: SymbolState = {
        flat,
        native,
        inst,
        bids: new Map(inst.book.levels('bid')),
        asks: new Map(inst.book.levels('ask')),
        pendingBids: new Map(),
        pendingAsks: new Map(),
        // BingX ids are small consecutive counters (e.g. 393592635), one per push.
        lastUpdateId: inst.lastUpdateId % 1_000_000_000,
        depthEveryTicks: Math.max(1, Math.round(pushMs / tickMs)),
      };
      sim.symbols.set(flat, st);
      sim.byNative.set(native, st);
    }
    const common = { ...(opts.logger ? { logger: opts.logger } : {}) };
    sim.ws = await BingxServer.listen({
      role: 'ws',
      isTopic: (dt) => sim.isTopic(dt),
      handleRest: () => ({ status: 404, body: {} }),
      onSubscribe: (client, dt) => sim.onSubscribe(client, dt),
      ...(opts.ping ? { ping: opts.ping } : {}),
      ...common,
    });
    sim.rest = await BingxServer.listen({
      role: 'rest',
      isTopic: () => false,
      handleRest: (req) =>
        handleBingxRest(
          {
            now: () => sim.clock.now(),
            instrument: (n) => sim.restInstrument(n),
            all: () => [...sim.byNative.keys()].map((n) => sim.restInstrument(n)!),
          },
          req,
        ),
      ...common,
    });
    sim.urls.perpWs = sim.ws.wsUrl;
    sim.urls.perpRest = sim.rest.restUrl;
    if (opts.autoTick ?? true) sim.resume();
    return sim;
  }

  tick(n = 1): void {
    if (this.closed) throw new Error('BingxSim is closed');
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

  /** The full book as of the last incrDepth push, best first, with that push's lastUpdateId. */
  book(market: Market, symbol: string): BingxBookView {
    const st = this.state(market, symbol);
    const spec = st.inst.spec;
    const conv = (lv: Levels) => lv.map(([p, q]) => [priceNum(spec, p), qtyNum(spec, q)] as [number, number]);
    return { seq: st.lastUpdateId, bids: conv(sortedDesc(st.bids)), asks: conv(sortedAsc(st.asks)) };
  }

  /** Every trade produced (and pushed to subscribers), oldest first. */
  trades(market: Market, symbol: string): SimTrade[] {
    return this.state(market, symbol).inst.trades.slice();
  }

  fault(f: BingxFault): void {
    if (f.market !== 'perp') throw new Error(`fault: market ${String(f.market)} is not simulated`);
    let symbol: string | undefined;
    if (f.symbol) {
      symbol = bingxFlat(bingxNative(f.symbol));
      if (!this.symbols.has(symbol)) throw new Error(`fault: unknown symbol ${f.symbol}`);
    }
    this.faults.add({ kind: f.kind, ...(symbol ? { symbol } : {}), ...(f.durationMs !== undefined ? { durationMs: f.durationMs } : {}) });
  }

  faultsApplied(): BingxAppliedFault[] {
    return this.faults.applied.slice();
  }

  stats(): BingxSimStats {
    return {
      ticks: this.ticks,
      trades: this.counters.trades,
      depthPushes: this.counters.depthPushes,
      faultsApplied: this.faults.applied.length,
      ws: { ...this.ws.stats },
      rest: { ...this.rest.stats },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pause();
    await Promise.all([this.ws.close(), this.rest.close()]);
  }

  private state(market: Market, symbol: string): SymbolState {
    let st: SymbolState | undefined;
    try {
      st = market === 'perp' ? this.symbols.get(bingxFlat(bingxNative(symbol))) : undefined;
    } catch {
      st = undefined;
    }
    if (!st) throw new Error(`unknown instrument ${market}:${symbol}`);
    return st;
  }

  private klineSource(st: SymbolState, intervalMs: number): KlineSource {
    return {
      spec: st.inst.spec,
      trades: st.inst.trades,
      sessionStart: this.sessionStart,
      startPriceStr: priceStr(st.inst.spec, st.inst.startPriceUnits),
      history: this.history ? this.history.candles(st.flat, intervalMs) : [],
    };
  }

  private markUnits(st: SymbolState): number {
    const b = sortedDesc(st.bids, 1)[0]?.[0];
    const a = sortedAsc(st.asks, 1)[0]?.[0];
    const t = st.inst.spec.tickUnits;
    return b !== undefined && a !== undefined ? Math.round((a + b) / 2 / t) * t : st.inst.startPriceUnits;
  }

  private restInstrument(native: string): BingxRestInstrument | undefined {
    const st = this.byNative.get(native);
    if (!st) return undefined;
    const spec = st.inst.spec;
    return {
      spec,
      native,
      levels: (limit) => ({ bids: sortedDesc(st.bids, limit), asks: sortedAsc(st.asks, limit) }),
      trades: st.inst.trades,
      klineSource: (intervalMs) => this.klineSource(st, intervalMs),
      // Open interest in contracts (= coins here), two decimals like rest_swap_v2_quote_openInterest.
      openInterestStr: () => formatScaled(rescale(BigInt(st.inst.openInterestUnits), spec.qtyDecimals, 2), 2),
      premium: () => {
        const mark = this.markUnits(st);
        const index = Math.round(mark * 0.9998);
        const rate = Math.round((0.0001 + (mark - index) / index / 3) * 1e8);
        const eight = 8 * 3_600_000;
        const now = this.clock.now();
        return {
          markPrice: priceStr(spec, mark),
          indexPrice: priceStr(spec, index),
          lastFundingRate: formatScaled(rate, 8),
          nextFundingTime: Math.floor(now / eight) * eight + eight,
        };
      },
    };
  }

  /** Known dataTypes: trade, incrDepth, depth<N>[@<ms>ms], kline_<iv>, markPrice, lastPrice, bookTicker. */
  private isTopic(dataType: string): boolean {
    const at = dataType.indexOf('@');
    if (at < 0 || !this.byNative.has(dataType.slice(0, at))) return false;
    const rest = dataType.slice(at + 1);
    if (['trade', 'incrDepth', 'markPrice', 'lastPrice', 'bookTicker'].includes(rest)) return true;
    const k = /^kline_(.+)$/.exec(rest);
    if (k) return KLINE_INTERVALS[k[1]!] !== undefined;
    const d = /^depth(\d+)(?:@(\d+)ms)?$/.exec(rest);
    return !!d && DEPTH_LEVELS.includes(Number(d[1])) && (d[2] === undefined || DEPTH_MS.includes(Number(d[2])));
  }

  private onSubscribe(client: BingxClient, dataType: string): void {
    if (!dataType.endsWith('@incrDepth')) return;
    const st = this.byNative.get(dataType.slice(0, dataType.indexOf('@')))!;
    // The best MAX_ALL_LEVELS per side; asks listed descending like every BingX book.
    const asks = sortedAsc(st.asks, MAX_ALL_LEVELS).reverse();
    const frame = incrDepthFrame(st.inst.spec, st.native, 'all', st.lastUpdateId, this.clock.now(), sortedDesc(st.bids, MAX_ALL_LEVELS), asks);
    this.ws.sendTo(client, JSON.stringify(frame));
  }

  private stepOnce(): void {
    this.ticks++;
    const now = this.clock.now();
    for (const st of this.symbols.values()) this.stepSymbol(st, now);
  }

  private stepSymbol(st: SymbolState, now: number): void {
    const res = st.inst.step(now);
    const spec = st.inst.spec;
    const ws = this.ws;
    const n = st.native;
    this.counters.trades += res.trades.length;
    if (res.trades.length) {
      ws.publish(`${n}@trade`, JSON.stringify(tradeFrame(n, res.trades)));
      const last = res.trades[res.trades.length - 1]!;
      ws.publish(`${n}@lastPrice`, JSON.stringify(lastPriceFrame(n, last.priceStr, now)));
      for (const [iv, ms] of Object.entries(KLINE_INTERVALS)) {
        const dt = `${n}@kline_${iv}`;
        if (!ws.hasSubscribers(dt)) continue;
        const open = Math.floor(last.time / ms) * ms;
        const row = buildKline(spec, st.inst.trades, open, ms, last.priceStr);
        ws.publish(dt, JSON.stringify(klineFrame(n, iv, row)));
      }
    }
    if (res.depth) {
      for (const [p, q] of res.depth.bids) st.pendingBids.set(p, q);
      for (const [p, q] of res.depth.asks) st.pendingAsks.set(p, q);
    }
    if (this.ticks % st.depthEveryTicks === 0 && (st.pendingBids.size || st.pendingAsks.size)) this.pushDepth(st, now);
    if (this.ticks % Math.max(1, Math.round(1000 / this.tickMs)) === 0) {
      const dt = `${n}@markPrice`;
      if (ws.hasSubscribers(dt)) ws.publish(dt, JSON.stringify(markPriceFrame(n, priceStr(spec, this.markUnits(st)), now)));
    }
    for (const levels of DEPTH_LEVELS) {
      for (const ms of [undefined, ...DEPTH_MS]) {
        const dt = ms === undefined ? `${n}@depth${levels}` : `${n}@depth${levels}@${ms}ms`;
        if (!ws.hasSubscribers(dt)) continue;
        const every = Math.max(1, Math.round((ms ?? 300) / this.tickMs));
        if (this.ticks % every !== 0) continue;
        const asks = sortedAsc(st.asks, levels).reverse();
        ws.publish(dt, JSON.stringify(depthFrame(spec, dt, now, sortedDesc(st.bids, levels), asks)));
      }
    }
  }

  private pushDepth(st: SymbolState, now: number): void {
    const dt = `${st.native}@incrDepth`;
    const live = this.ws.hasSubscribers(dt);
    if (live && this.faults.takeGap(st.flat, now, dt, st.lastUpdateId + 1)) st.lastUpdateId++;
    const id = ++st.lastUpdateId;
    for (const [p, q] of st.pendingBids) {
      if (q > 0) st.bids.set(p, q);
      else st.bids.delete(p);
    }
    for (const [p, q] of st.pendingAsks) {
      if (q > 0) st.asks.set(p, q);
      else st.asks.delete(p);
    }
    const bids = sortedDesc(st.pendingBids);
    const asks = sortedDesc(st.pendingAsks);
    st.pendingBids = new Map();
    st.pendingAsks = new Map();
    this.counters.depthPushes++;
    const spec = st.inst.spec;
    const bt = `${st.native}@bookTicker`;
    if (this.ws.hasSubscribers(bt)) {
      const b = sortedDesc(st.bids, 1)[0];
      const a = sortedAsc(st.asks, 1)[0];
      if (b && a) this.ws.publish(bt, JSON.stringify(bookTickerFrame(spec, st.native, id, now, b, a)));
    }
    if (!live) return;
    const text = JSON.stringify(incrDepthFrame(spec, st.native, 'update', id, now, bids, asks));
    this.faults.emit({ symbol: st.flat, dataType: dt, lastUpdateId: id, now, deliver: (mode) => void this.ws.publish(dt, text, mode) });
  }
}

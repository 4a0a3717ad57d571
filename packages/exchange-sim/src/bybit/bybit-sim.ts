/**
 * BybitSim: a seeded live market for Bybit v5 spot and linear (USDT perpetual), served over the venue's
 * real protocol on loopback — the WS host (`/v5/public/spot`, `/v5/public/linear`) and the REST host
 * (`/v5/market/*`) on separate ports, as the venue splits stream.bybit.com and api.bybit.com.
 * Topics: publicTrade, orderbook.{1,50,200,1000} (+500 on linear), tickers, allLiquidation (linear).
 * Every orderbook topic has its own `u` (+1 per message); its snapshot + deltas reproduce exactly
 * `book(market, symbol, depth)`. With `history`, real historical candles precede the session's klines.
 */
import { Prng } from '../prng.js';
import { InstrumentSim, type SimTrade } from '../instrument-sim.js';
import { formatScaled, parseScaled, rescale } from '../decimal.js';
import { priceNum, qtyNum, toTicks, type Market, type SymbolSpec } from '../symbol-spec.js';
import type { SimLogger } from '../venue-server.js';
import { BybitFaultInjector, type BybitAppliedFault, type BybitFault } from './faults.js';
import {
  allLiquidationFrame,
  orderbookFrame,
  publicTradeFrame,
  spotTickerFrame,
  tickerFrame,
  type BybitLiquidation,
  type BybitTrade,
  type TickerFields,
} from './payloads.js';
import { BybitRestServer, handleBybitRest } from './rest.js';
import { BYBIT_START_PRICE, bybitSpec, fmtPrice, fmtQty, trimZeros } from './spec.js';
import { bybitIntervalMs, queryBybitKlines } from './klines.js';
import { HistoryStore, type HistoryOptions } from '../history.js';
import { defaultFixturesDir } from '../fixtures-path.js';
import { TopicBook } from './topic-book.js';
import { BybitWsServer, type BybitClient, type BybitWsStats } from './ws-server.js';

export interface BybitSimOptions {
  seed: number;
  /** Venue symbols, e.g. 'BTCUSDT'. */
  symbols: string[];
  /** Default both. */
  markets?: Market[];
  /** Tick length (default 100 ms); topics push at their documented cadence rounded to whole ticks. */
  tickMs?: number;
  /** Default true; false = the market moves only on `tick()`. */
  autoTick?: boolean;
  /** Mean taker orders per second per instrument (default 10). */
  tradesPerSecond?: number;
  /** Mean liquidations per second per linear symbol (default 0.5). */
  liquidationsPerSecond?: number;
  startPrice?: Record<string, number>;
  /** Exchange timestamps; default Date.now. */
  clock?: { now(): number };
  /** Serve klines before the session from the bundled real candles (fixtures/ohlcv), as BinanceSimulator. */
  history?: HistoryOptions;
  /** Project fixtures dir; default resolved from this package (../../fixtures). */
  fixturesDir?: string;
  logger?: SimLogger;
}

export interface BybitSimUrls {
  /** REST host (api.bybit.com). */
  rest: string;
  /** `<ws host>/v5/public/spot`. */
  spotWs: string;
  /** `<ws host>/v5/public/linear`. */
  linearWs: string;
}

export interface BybitBookView {
  /** Cross sequence of the book state. */
  seq: number;
  /** Update id of the orderbook.<depth> topic (only when a depth was asked for). */
  u?: number;
  bids: [number, number][];
  asks: [number, number][];
}

export interface BybitSimTrade {
  id: string;
  time: number;
  side: 'Buy' | 'Sell';
  price: number;
  size: number;
  priceStr: string;
  sizeStr: string;
}

export interface BybitSimStats {
  ticks: number;
  trades: number;
  bookMessages: number;
  liquidations: number;
  faultsApplied: number;
  restRequests: number;
  ws: BybitWsStats;
}

export const BYBIT_DEPTHS: Record<Market, readonly number[]> = { spot: [1, 50, 200, 1000], perp: [1, 50, 200, 500, 1000] };
const DEPTH_PERIOD_MS: Record<number, number> = { 1: 10, 50: 20, 200: 100, 500: 100, 1000: 200 };
const TICKER_PERIOD_MS: Record<Market, number> = { spot: 50, perp: 100 };
const LIQUIDATION_PERIOD_MS = 500;
const LEVEL1_REPUSH_MS = 3000;
const OI_SAMPLE_MS = 300_000;

interface SymbolState {
  symbol: string;
  market: Market;
  spec: SymbolSpec;
  inst: InstrumentSim;
  ids: Prng;
  topics: Map<number, TopicBook>;
  lastTradeUnits: number;
  lastTick: BybitTrade['tick'];
  pendingLiqs: BybitLiquidation[];
  lastTicker: TickerFields | null;
  /** Session volume / turnover (exact), high / low, for the 24h ticker fields. */
  vol: bigint;
  turnover: bigint;
  high: number;
  low: number;
  oiSamples: [number, number][];
}

export class BybitSim {
  readonly urls: BybitSimUrls = { rest: '', spotWs: '', linearWs: '' };
  private readonly states = new Map<string, SymbolState>();
  private readonly faults: BybitFaultInjector;
  private readonly clock: { now(): number };
  private readonly tickMs: number;
  private readonly sessionStart: number;
  private readonly history: HistoryStore | null;
  private ws!: BybitWsServer;
  private rest!: BybitRestServer;
  private timer: NodeJS.Timeout | null = null;
  private ticks = 0;
  private counters = { trades: 0, bookMessages: 0, liquidations: 0 };
  private closed = false;

  private constructor(private readonly opts: BybitSimOptions) {
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.tickMs = opts.tickMs ?? 100;
    this.sessionStart = this.clock.now();
    this.history = opts.history ? new HistoryStore(opts.history, opts.fixturesDir ?? defaultFixturesDir(), this.sessionStart) : null;
    this.faults = new BybitFaultInjector({
      disconnect: (m) => this.ws.disconnect(m),
      stall: (m, ms) => this.ws.stall(m, ms),
      mutePongs: (m) => this.ws.mutePongs(m),
      resnapshot: (m, s, restart) => this.resnapshot(m, s, restart),
    });
  }

  static async start(opts: BybitSimOptions): Promise<BybitSim> {
    if (!Number.isFinite(opts.seed)) throw new Error('BybitSim: seed must be a number');
    if (!opts.symbols?.length) throw new Error('BybitSim: at least one symbol is required');
    if (opts.tickMs !== undefined && !(opts.tickMs > 0)) throw new Error('BybitSim: tickMs must be > 0');
    const sim = new BybitSim(opts);
    const root = new Prng(opts.seed);
    const symbols = [...new Set(opts.symbols.map((s) => s.toUpperCase()))];
    for (const market of opts.markets ?? (['spot', 'perp'] as Market[])) {
      for (const symbol of symbols) {
        // Live prices continue the history: start at its last close unless a start price is given.
        const start = opts.startPrice?.[symbol] ?? sim.history?.lastClose(symbol) ?? BYBIT_START_PRICE[symbol] ?? 100;
        const spec = bybitSpec(market, symbol, start);
        const inst = new InstrumentSim({
          spec,
          rng: root.fork(`bybit:${market}:${symbol}`),
          startPrice: start,
          tradesPerSecond: opts.tradesPerSecond ?? 10,
          tickMs: sim.tickMs,
          liquidationsPerSecond: market === 'perp' ? (opts.liquidationsPerSecond ?? 0.5) : 0,
        });
        const ids = root.fork(`bybit:${market}:${symbol}:ids`);
        const topics = new Map<number, TopicBook>();
        for (const d of BYBIT_DEPTHS[market]) topics.set(d, new TopicBook(d, `orderbook.${d}.${symbol}`, ids.int(1_000_000, 90_000_000)));
        sim.states.set(`${market}|${symbol}`, {
          symbol, market, spec, inst, ids, topics,
          lastTradeUnits: inst.startPriceUnits,
          lastTick: 'ZeroPlusTick',
          pendingLiqs: [],
          lastTicker: null,
          vol: 0n,
          turnover: 0n,
          high: inst.startPriceUnits,
          low: inst.startPriceUnits,
          oiSamples: [[Math.floor(sim.sessionStart / OI_SAMPLE_MS) * OI_SAMPLE_MS, inst.openInterestUnits]],
        });
      }
    }
    sim.ws = await BybitWsServer.listen({
      validTopic: (m, t) => sim.validTopic(m, t),
      onSubscribe: (c, topics) => sim.onSubscribe(c, topics),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    sim.rest = await BybitRestServer.listen((path, q) => handleBybitRest(sim.restBackend(), path, q));
    Object.assign(sim.urls, { rest: sim.rest.url, spotWs: sim.ws.url('spot'), linearWs: sim.ws.url('perp') });
    if (opts.autoTick ?? true) sim.resume();
    return sim;
  }

  /** WS URL of a market (`perp` = linear). */
  wsUrl(market: Market): string {
    return market === 'spot' ? this.urls.spotWs : this.urls.linearWs;
  }

  tick(n = 1): void {
    if (this.closed) throw new Error('BybitSim is closed');
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

  /**
   * Full book (best first) with its cross sequence; with `depth`, the top-`depth` view subscribers of
   * `orderbook.<depth>.<symbol>` hold, with that topic's `u`.
   */
  book(market: Market, symbol: string, depth?: number): BybitBookView {
    const st = this.state(market, symbol);
    const conv = (lv: [number, number][]) => lv.map(([p, q]) => [priceNum(st.spec, p), qtyNum(st.spec, q)] as [number, number]);
    if (depth === undefined) {
      return { seq: st.inst.lastUpdateId, bids: conv(st.inst.book.levels('bid')), asks: conv(st.inst.book.levels('ask')) };
    }
    const topic = st.topics.get(depth);
    if (!topic) throw new Error(`orderbook depth ${depth} is not served on ${market}`);
    const view = topic.view(st.inst.book);
    return { seq: st.inst.lastUpdateId, u: topic.u, bids: conv(view.bids), asks: conv(view.asks) };
  }

  /** Every trade produced (and sent to publicTrade subscribers), oldest first. */
  trades(market: Market, symbol: string): BybitSimTrade[] {
    const st = this.state(market, symbol);
    return st.inst.trades.map((t) => {
      const bt = this.toBybitTrade(st, t);
      return { id: bt.id, time: t.time, side: bt.side, price: t.price, size: t.qty, priceStr: fmtPrice(st.spec, bt.priceUnits), sizeStr: fmtQty(st.spec, bt.qtyUnits) };
    });
  }

  fault(f: BybitFault): void {
    if (![...this.states.values()].some((s) => s.market === f.market)) throw new Error(`fault: market ${f.market} is not simulated`);
    if (f.symbol && !this.states.has(`${f.market}|${f.symbol.toUpperCase()}`)) throw new Error(`fault: unknown symbol ${f.symbol}`);
    this.faults.add(f);
  }

  faultsApplied(): BybitAppliedFault[] {
    return this.faults.applied.slice();
  }

  stats(): BybitSimStats {
    return {
      ticks: this.ticks,
      trades: this.counters.trades,
      bookMessages: this.counters.bookMessages,
      liquidations: this.counters.liquidations,
      faultsApplied: this.faults.applied.length,
      restRequests: this.rest.requests,
      ws: { ...this.ws.stats },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pause();
    await Promise.all([this.ws.close(), this.rest.close()]);
  }

  // ---- topics ---------------------------------------------------------------------------------------

  private state(market: Market, symbol: string): SymbolState {
    const st = this.states.get(`${market}|${symbol.toUpperCase()}`);
    if (!st) throw new Error(`unknown instrument ${market}:${symbol}`);
    return st;
  }

  private parseTopic(market: Market, topic: string): { channel: string; depth?: number; st: SymbolState } | null {
    const parts = topic.split('.');
    const channel = parts[0]!;
    const symbol = parts[parts.length - 1]!;
    const st = this.states.get(`${market}|${symbol}`);
    if (!st) return null;
    if (channel === 'orderbook' && parts.length === 3) {
      const depth = Number(parts[1]);
      return st.topics.has(depth) ? { channel, depth, st } : null;
    }
    if (parts.length !== 2) return null;
    if (channel === 'publicTrade' || channel === 'tickers') return { channel, st };
    if (channel === 'allLiquidation' && market === 'perp') return { channel, st };
    return null;
  }

  private validTopic(market: Market, topic: string): boolean {
    return this.parseTopic(market, topic) !== null;
  }

  private onSubscribe(c: BybitClient, topics: string[]): void {
    const now = this.clock.now();
    for (const t of topics) {
      const p = this.parseTopic(c.market, t)!;
      if (p.channel === 'orderbook') {
        const tb = p.st.topics.get(p.depth!)!;
        this.ws.sendTo(c, this.snapshotFrame(p.st, tb, now));
      } else if (p.channel === 'tickers') {
        const fields = this.tickerFields(p.st);
        this.ws.sendTo(c, c.market === 'spot' ? spotTickerFrame(p.st.symbol, fields, p.st.inst.lastUpdateId, now) : tickerFrame(p.st.symbol, 'snapshot', fields, p.st.inst.lastUpdateId, now));
      }
    }
  }

  private snapshotFrame(st: SymbolState, tb: TopicBook, now: number): string {
    const view = tb.view(st.inst.book);
    return orderbookFrame(st.spec, { topic: tb.name, type: 'snapshot', ts: now, symbol: st.symbol, bids: view.bids, asks: view.asks, u: tb.u, seq: st.inst.lastUpdateId, cts: now });
  }

  /** A snapshot mid-stream on every subscribed orderbook topic; `restart` = service restart (u=1). */
  private resnapshot(market: Market, symbol: string, restart: boolean): void {
    const st = this.state(market, symbol);
    const now = this.clock.now();
    for (const tb of st.topics.values()) {
      if (!this.ws.subscribers(market, tb.name)) continue;
      tb.reload(st.inst.book);
      tb.u = restart ? 1 : tb.u + 1;
      this.counters.bookMessages++;
      this.ws.publish(market, tb.name, this.snapshotFrame(st, tb, now));
    }
  }

  // ---- market step ----------------------------------------------------------------------------------

  private every(periodMs: number): boolean {
    return this.ticks % Math.max(1, Math.round(periodMs / this.tickMs)) === 0;
  }

  private stepOnce(): void {
    this.ticks++;
    const now = this.clock.now();
    for (const st of this.states.values()) this.stepSymbol(st, now);
  }

  private toBybitTrade(st: SymbolState, t: SimTrade): BybitTrade {
    const priceUnits = Number(parseScaled(t.priceStr, st.spec.priceDecimals));
    const qtyUnits = Number(parseScaled(t.qtyStr, st.spec.qtyDecimals));
    const id = st.market === 'spot' ? String(2_100_000_000_000_000_000n + BigInt(t.aggId)) : uuidFor(st.symbol, t.aggId);
    return { id, time: t.time, side: t.isBuyerMaker ? 'Sell' : 'Buy', priceUnits, qtyUnits, tick: 'ZeroPlusTick', block: false };
  }

  private stepSymbol(st: SymbolState, now: number): void {
    const { market, symbol, spec } = st;
    const res = st.inst.step(now);
    this.counters.trades += res.trades.length;
    if (res.trades.length) {
      const trades: BybitTrade[] = [];
      for (const t of res.trades) {
        const bt = this.toBybitTrade(st, t);
        // Tick direction: relative to the previous trade's price; unchanged keeps the last direction's sign.
        if (bt.priceUnits > st.lastTradeUnits) st.lastTick = 'PlusTick';
        else if (bt.priceUnits < st.lastTradeUnits) st.lastTick = 'MinusTick';
        else st.lastTick = st.lastTick === 'PlusTick' || st.lastTick === 'ZeroPlusTick' ? 'ZeroPlusTick' : 'ZeroMinusTick';
        bt.tick = st.lastTick;
        st.lastTradeUnits = bt.priceUnits;
        st.vol += BigInt(bt.qtyUnits);
        st.turnover += BigInt(bt.priceUnits) * BigInt(bt.qtyUnits);
        st.high = Math.max(st.high, bt.priceUnits);
        st.low = Math.min(st.low, bt.priceUnits);
        trades.push(bt);
      }
      const topic = `publicTrade.${symbol}`;
      if (this.ws.subscribers(market, topic)) this.ws.publish(market, topic, publicTradeFrame(spec, symbol, trades, now));
    }

    for (const tb of st.topics.values()) {
      if (!this.ws.subscribers(market, tb.name)) {
        if (tb.live) tb.drop();
        continue;
      }
      tb.idleMs += this.tickMs;
      if (!this.every(DEPTH_PERIOD_MS[tb.depth] ?? 100)) continue;
      const delta = tb.advance(st.inst.book);
      if (tb.depth === 1) {
        // Level 1 is snapshot-only; an unchanged book is re-pushed every 3 s with the same u.
        if (!delta && tb.idleMs < LEVEL1_REPUSH_MS) continue;
        if (delta) tb.u++;
        tb.idleMs = 0;
        this.counters.bookMessages++;
        this.ws.publish(market, tb.name, this.snapshotFrame(st, tb, now));
        continue;
      }
      if (!delta) continue;
      tb.u++;
      tb.idleMs = 0;
      this.counters.bookMessages++;
      const text = orderbookFrame(spec, { topic: tb.name, type: 'delta', ts: now, symbol, bids: delta.bids, asks: delta.asks, u: tb.u, seq: st.inst.lastUpdateId, cts: now });
      this.faults.emit({ market, symbol, topic: tb.name, u: tb.u, now, deliver: (mangle) => void this.ws.publish(market, tb.name, text, mangle) });
    }

    if (market === 'perp') {
      if (res.liquidation) {
        const l = res.liquidation;
        // Forced SELL closes a long: Bybit reports the position side, Buy.
        st.pendingLiqs.push({ time: l.time, side: l.side === 'SELL' ? 'Buy' : 'Sell', qtyUnits: l.qtyUnits, priceUnits: l.bankruptcyUnits });
        this.counters.liquidations++;
      }
      if (st.pendingLiqs.length && this.every(LIQUIDATION_PERIOD_MS)) {
        const liqs = st.pendingLiqs.splice(0);
        const topic = `allLiquidation.${symbol}`;
        if (this.ws.subscribers(market, topic)) this.ws.publish(market, topic, allLiquidationFrame(spec, symbol, liqs, now));
      }
      const bucket = Math.floor(now / OI_SAMPLE_MS) * OI_SAMPLE_MS;
      const lastOi = st.oiSamples[st.oiSamples.length - 1]!;
      if (bucket > lastOi[0]) st.oiSamples.push([bucket, st.inst.openInterestUnits]);
      else lastOi[1] = st.inst.openInterestUnits;
    }

    if (this.every(TICKER_PERIOD_MS[market])) {
      const topic = `tickers.${symbol}`;
      if (!this.ws.subscribers(market, topic)) {
        st.lastTicker = null;
        return;
      }
      const fields = this.tickerFields(st);
      if (market === 'spot') {
        this.ws.publish(market, topic, spotTickerFrame(symbol, fields, st.inst.lastUpdateId, now));
        return;
      }
      const prev = st.lastTicker;
      const changed: TickerFields = {};
      let n = 0;
      for (const [k, v] of Object.entries(fields)) {
        if (prev && prev[k] === v) continue;
        changed[k] = v;
        n++;
      }
      st.lastTicker = fields;
      if (n > 0) this.ws.publish(market, topic, tickerFrame(symbol, 'delta', changed, st.inst.lastUpdateId, now));
    }
  }

  /** Mark and index of a linear symbol in price units; the index follows the spot book when simulated. */
  private markIndex(st: SymbolState): { mark: number; index: number } {
    const t = st.spec.tickUnits;
    const mark = Math.round(st.inst.mid() / t) * t;
    const spot = this.states.get(`spot|${st.symbol}`);
    const indexRaw = spot ? toTicks(st.spec, spot.inst.midPrice()) : mark * 0.9998;
    return { mark, index: Math.round(indexRaw) };
  }

  private tickerFields(st: SymbolState): TickerFields {
    const spec = st.spec;
    const last = fmtPrice(spec, st.lastTradeUnits);
    const prev = st.inst.startPriceUnits;
    const pcnt = trimZeros(((st.lastTradeUnits - prev) / prev).toFixed(6));
    const bid = st.inst.book.levels('bid', 1)[0];
    const ask = st.inst.book.levels('ask', 1)[0];
    const common = {
      highPrice24h: fmtPrice(spec, st.high),
      lowPrice24h: fmtPrice(spec, st.low),
      prevPrice24h: fmtPrice(spec, prev),
      volume24h: formatScaled(st.vol, spec.qtyDecimals),
      turnover24h: formatScaled(rescale(st.turnover, spec.priceDecimals + spec.qtyDecimals, 4), 4),
    };
    if (st.market === 'spot') {
      return {
        lastPrice: last,
        ...common,
        volume24h: trimZeros(common.volume24h),
        turnover24h: trimZeros(common.turnover24h),
        price24hPcnt: pcnt === '-0' ? '0' : pcnt,
        usdIndexPrice: trimZeros(st.inst.midPrice().toFixed(7)),
      };
    }
    const { mark, index } = this.markIndex(st);
    const premium = (mark - index) / index;
    const funding = Math.max(-0.005, Math.min(0.005, 0.0001 + premium / 3));
    const eight = 8 * 3_600_000;
    const now = this.clock.now();
    const oi = BigInt(st.inst.openInterestUnits);
    const oiValue = rescale(oi * BigInt(mark), spec.qtyDecimals + spec.priceDecimals, 2);
    return {
      tickDirection: st.lastTick,
      price24hPcnt: pcnt === '-0' ? '0' : pcnt,
      lastPrice: last,
      prevPrice24h: common.prevPrice24h,
      highPrice24h: common.highPrice24h,
      lowPrice24h: common.lowPrice24h,
      prevPrice1h: common.prevPrice24h,
      markPrice: fmtPrice(spec, mark),
      indexPrice: fmtPrice(spec, index),
      openInterest: formatScaled(oi, spec.qtyDecimals),
      openInterestValue: formatScaled(oiValue, 2),
      turnover24h: common.turnover24h,
      volume24h: common.volume24h,
      nextFundingTime: String(Math.floor(now / eight) * eight + eight),
      fundingRate: trimZeros(funding.toFixed(6)),
      bid1Price: bid ? fmtPrice(spec, bid[0]) : '',
      bid1Size: bid ? fmtQty(spec, bid[1]) : '',
      ask1Price: ask ? fmtPrice(spec, ask[0]) : '',
      ask1Size: ask ? fmtQty(spec, ask[1]) : '',
    };
  }

  // ---- REST -----------------------------------------------------------------------------------------

  private restBackend() {
    return {
      now: () => this.clock.now(),
      has: (m: Market, s: string) => this.states.has(`${m}|${s}`),
      klines: (m: Market, s: string, q: Parameters<typeof queryBybitKlines>[4]) => {
        const st = this.state(m, s);
        const ivMs = bybitIntervalMs(q.interval);
        const history = this.history && ivMs !== undefined ? this.history.candles(s, ivMs) : [];
        return queryBybitKlines(st.spec, st.inst.trades, this.sessionStart, fmtPrice(st.spec, st.inst.startPriceUnits), q, this.clock.now(), history);
      },
      orderbook: (m: Market, s: string, limit: number) => {
        const st = this.state(m, s);
        const f = (lv: [number, number][]) => lv.map(([p, q]) => [fmtPrice(st.spec, p), fmtQty(st.spec, q)] as [string, string]);
        const deepest = st.topics.get(1000)!;
        return { b: f(st.inst.book.levels('bid', limit)), a: f(st.inst.book.levels('ask', limit)), u: deepest.u, seq: st.inst.lastUpdateId };
      },
      openInterest: (s: string, iv: number, startTime: number | undefined, endTime: number | undefined, limit: number) => {
        const st = this.state('perp', s);
        const out: [number, string][] = [];
        for (let i = st.oiSamples.length - 1; i >= 0 && out.length < limit; i--) {
          const [t, units] = st.oiSamples[i]!;
          if (t % iv !== 0 && i !== st.oiSamples.length - 1) continue;
          const ts = Math.floor(t / iv) * iv;
          if ((endTime !== undefined && ts > endTime) || (startTime !== undefined && ts < startTime)) continue;
          if (out.length && out[out.length - 1]![0] === ts) continue;
          out.push([ts, formatScaled(units, st.spec.qtyDecimals)]);
        }
        return out;
      },
      recentTrades: (m: Market, s: string, limit: number) => {
        const st = this.state(m, s);
        const list = st.inst.trades.slice(-limit).reverse();
        return list.map((t) => {
          const bt = this.toBybitTrade(st, t);
          return { execId: bt.id, symbol: s, price: fmtPrice(st.spec, bt.priceUnits), size: fmtQty(st.spec, bt.qtyUnits), side: bt.side, time: String(t.time), isBlockTrade: false };
        });
      },
    };
  }
}

/** A deterministic RFC-4122-shaped id (version 5 nibble, as the venue's) for a linear trade. */
function uuidFor(symbol: string, n: number): string {
  let h1 = 0x811c9dc5 ^ n;
  let h2 = 0x01000193 ^ Math.floor(n / 2 ** 32);
  for (let i = 0; i < symbol.length; i++) {
    h1 = Math.imul(h1 ^ symbol.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 ^ symbol.charCodeAt(i), 2246822519) >>> 0;
  }
  const mix = (x: number, k: number) => (Math.imul(x ^ (x >>> 15), k) >>> 0).toString(16).padStart(8, '0');
  const a = mix(h1, 0x85ebca6b);
  const b = mix(h2 ^ n, 0xc2b2ae35);
  const c = mix(h1 ^ h2, 0x27d4eb2f);
  const d = mix(h2 + n, 0x165667b1);
  return `${a}-${b.slice(0, 4)}-5${b.slice(5, 8)}-${((parseInt(c[0]!, 16) & 3) | 8).toString(16)}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

/**
 * HtxSim: HTX spot on loopback. In `live` mode (default) a seeded, deterministic market per symbol is
 * served in the venue's exact formats: `trade.detail` and `kline.<period>` on /ws, `mbp.150`
 * incrementals (diffs of two 100 ms top-150 images, empty no-change frames included, `prevSeqNum`
 * chain) with the REQ refresh on /feed, and REST depth / klines / trades. In `replay` mode the real
 * captured frames are served instead (see htx-replay.ts).
 */
import { InstrumentSim } from '../instrument-sim.js';
import { parseScaled } from '../decimal.js';
import { Prng } from '../prng.js';
import { priceNum, qtyNum, toTicks, type SymbolSpec } from '../symbol-spec.js';
import type { SimLogger } from '../venue-server.js';
import { defaultFixturesDir } from '../fixtures-path.js';
import { corruptGzip, HtxFaultQueue, type HtxAppliedFault, type HtxFault } from './htx-faults.js';
import { HTX_KLINE_PERIODS, buildHtxKline, bucketStart, htxHistory, latestKlines } from './htx-klines.js';
import { HistoryStore, type HistoryOptions } from '../history.js';
import {
  klineText,
  mbpRepText,
  mbpText,
  restDepthText,
  restErrorText,
  restKlinesText,
  restTradesText,
  tradeDetailText,
  type HtxSimTrade,
  type HtxTradeGroup,
} from './htx-payloads.js';
import { HtxReplaySource } from './htx-replay.js';
import { HtxServer, type HtxPath, type HtxServerStats, type HtxTopicHandler } from './htx-server.js';
import { HTX_DEFAULT_START_PRICE, htxSpec } from './htx-spec.js';
import pako from 'pako';

export const HTX_MBP_LEVELS = 150;

export interface HtxSimOptions {
  seed: number;
  /** Symbols in any case (`BTCUSDT` or `btcusdt`). */
  symbols: string[];
  /** HTX is simulated for spot only. */
  markets?: 'spot'[];
  /** Tick length; one MBP incremental per symbol per tick (HTX: 100 ms). */
  tickMs?: number;
  autoTick?: boolean;
  /** Mean taker orders per second per symbol (default 10). */
  tradesPerSecond?: number;
  startPrice?: Record<string, number>;
  /** Exchange timestamps; default Date.now. */
  clock?: { now(): number };
  /** Server ping period (HTX: 5000 ms); two unanswered pings ⇒ disconnect. */
  pingIntervalMs?: number;
  /** `live` (seeded market, default) or `replay` (real captured frames from fixtures/htx). */
  mode?: 'live' | 'replay';
  /** Live mode: serve klines before the session from the bundled real candles (fixtures/ohlcv), as BinanceSimulator. */
  history?: HistoryOptions;
  fixturesDir?: string;
  logger?: SimLogger;
}

export interface HtxSimUrls {
  /** wss://api.huobi.pro/ws equivalent. */
  spotWs: string;
  /** wss://api.huobi.pro/feed equivalent. */
  spotFeed: string;
  spotRest: string;
}

export interface HtxBookView {
  seq: number;
  bids: [number, number][];
  asks: [number, number][];
}

export interface HtxTradeView {
  /** Exact legacy id (beyond 2^53). */
  id: string;
  tradeId: number;
  ts: number;
  price: number;
  size: number;
  direction: 'buy' | 'sell';
}

export interface HtxSimStats {
  connections: number;
  framesSent: number;
  ticks: number;
  trades: number;
  mbpEvents: number;
  emptyMbpEvents: number;
  faultsApplied: number;
  server: HtxServerStats;
}

interface SymbolState {
  symbol: string;
  native: string;
  spec: SymbolSpec;
  inst: InstrumentSim;
  /** The top-150 image last sent (price units → qty units). */
  bids: Map<number, number>;
  asks: Map<number, number>;
  seq: number;
  trades: HtxSimTrade[];
  groups: HtxTradeGroup[];
  nextTradeId: number;
  nextLegacy: bigint;
  held: { text: string; seqNum: number } | null;
  startPriceUnits: number;
}

function diff(prev: Map<number, number>, next: [number, number][], descending: boolean): { out: [number, number][]; map: Map<number, number> } {
  const map = new Map(next);
  const out: [number, number][] = [];
  for (const [p, q] of next) if (prev.get(p) !== q) out.push([p, q]);
  for (const p of prev.keys()) if (!map.has(p)) out.push([p, 0]);
  out.sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0]));
  return { out, map };
}

export class HtxSim {
  readonly urls: HtxSimUrls = { spotWs: '', spotFeed: '', spotRest: '' };
  private readonly states = new Map<string, SymbolState>();
  private readonly faults = new HtxFaultQueue();
  private readonly clock: { now(): number };
  private readonly tickMs: number;
  private readonly sessionStart: number;
  private readonly history: HistoryStore | null;
  private server!: HtxServer;
  private timer: NodeJS.Timeout | null = null;
  private ticks = 0;
  private counters = { trades: 0, mbp: 0, empty: 0 };
  private closed = false;
  private replay: HtxReplaySource | null = null;

  private constructor(opts: HtxSimOptions) {
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.tickMs = opts.tickMs ?? 100;
    this.sessionStart = this.clock.now();
    this.history = opts.history ? new HistoryStore(opts.history, opts.fixturesDir ?? defaultFixturesDir(), this.sessionStart) : null;
  }

  static async start(opts: HtxSimOptions): Promise<HtxSim> {
    if (!Number.isFinite(opts.seed)) throw new Error('HtxSim: seed must be a number');
    if (!opts.symbols?.length) throw new Error('HtxSim: at least one symbol is required');
    if (opts.markets && opts.markets.some((m) => m !== 'spot')) throw new Error('HtxSim: HTX is simulated for spot only');
    if (!((opts.tickMs ?? 100) > 0)) throw new Error('HtxSim: tickMs must be > 0');
    const sim = new HtxSim(opts);
    const root = new Prng(opts.seed);
    for (const raw of new Set(opts.symbols.map((s) => s.toUpperCase()))) {
      // Live prices continue the history: start at its last close unless a start price is given.
      const start = opts.startPrice?.[raw] ?? sim.history?.lastClose(raw) ?? HTX_DEFAULT_START_PRICE[raw] ?? 100;
      const spec = htxSpec(raw, start);
      const rng = root.fork(`htx:${raw}`);
      const inst = new InstrumentSim({ spec, rng, startPrice: start, tradesPerSecond: opts.tradesPerSecond ?? 10, tickMs: sim.tickMs, liquidationsPerSecond: 0 });
      const st: SymbolState = {
        symbol: raw,
        native: raw.toLowerCase(),
        spec,
        inst,
        bids: new Map(inst.book.levels('bid', HTX_MBP_LEVELS)),
        asks: new Map(inst.book.levels('ask', HTX_MBP_LEVELS)),
        seq: rng.int(100_000_000_000, 180_000_000_000),
        trades: [],
        groups: [],
        nextTradeId: rng.int(100_000_000_000, 110_000_000_000),
        nextLegacy: BigInt(rng.int(100_000_000, 900_000_000)) * 1_000_000n,
        held: null,
        startPriceUnits: toTicks(spec, start),
      };
      sim.states.set(raw, st);
    }
    const replay = opts.mode === 'replay' ? new HtxReplaySource(opts.fixturesDir ?? defaultFixturesDir(), () => sim.clock.now()) : null;
    sim.replay = replay;
    sim.server = await HtxServer.listen({
      handler: replay ?? sim.handler(),
      now: () => sim.clock.now(),
      pingIntervalMs: opts.pingIntervalMs ?? 5000,
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    replay?.attach(sim.server);
    const base = sim.server.base;
    Object.assign(sim.urls, { spotWs: `ws://${base}/ws`, spotFeed: `ws://${base}/feed`, spotRest: `http://${base}` });
    if (!replay && (opts.autoTick ?? true)) sim.resume();
    return sim;
  }

  tick(n = 1): void {
    if (this.closed) throw new Error('HtxSim is closed');
    if (this.replay) throw new Error('HtxSim: tick() is not available in replay mode');
    for (let i = 0; i < n; i++) this.stepOnce();
  }

  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  resume(): void {
    if (this.timer || this.closed || this.replay) return;
    this.timer = setInterval(() => this.stepOnce(), this.tickMs);
  }

  /** The MBP-150 image the feed describes (what a synced client must hold), best first, with its seqNum. */
  book(market: 'spot', symbol: string): HtxBookView {
    const st = this.state(market, symbol);
    const conv = (m: Map<number, number>, desc: boolean) =>
      [...m.entries()].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0])).map(([p, q]) => [priceNum(st.spec, p), qtyNum(st.spec, q)] as [number, number]);
    return { seq: st.seq, bids: conv(st.bids, true), asks: conv(st.asks, false) };
  }

  /** Every trade produced (and pushed to subscribers), oldest first. */
  trades(market: 'spot', symbol: string): HtxTradeView[] {
    const st = this.state(market, symbol);
    return st.trades.map((t) => ({ id: t.idText, tradeId: t.tradeId, ts: t.ts, price: priceNum(st.spec, t.priceUnits), size: qtyNum(st.spec, t.qtyUnits), direction: t.direction }));
  }

  fault(f: HtxFault): void {
    if (f.market !== 'spot') throw new Error(`fault: market ${String(f.market)} is not simulated`);
    if (f.symbol && !this.states.has(f.symbol.toUpperCase())) throw new Error(`fault: unknown symbol ${f.symbol}`);
    this.faults.add(f);
  }

  faultsApplied(): HtxAppliedFault[] {
    return this.faults.applied.slice();
  }

  stats(): HtxSimStats {
    return {
      connections: this.server.stats.connections,
      framesSent: this.server.stats.framesSent,
      ticks: this.ticks,
      trades: this.counters.trades,
      mbpEvents: this.counters.mbp,
      emptyMbpEvents: this.counters.empty,
      faultsApplied: this.faults.applied.length,
      server: { ...this.server.stats },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pause();
    await this.server.close();
  }

  private state(market: string, symbol: string): SymbolState {
    if (this.replay) throw new Error('HtxSim: the simulated market is not available in replay mode');
    const st = market === 'spot' ? this.states.get(symbol.toUpperCase()) : undefined;
    if (!st) throw new Error(`unknown instrument ${market}:${symbol}`);
    return st;
  }

  private stepOnce(): void {
    this.ticks++;
    const now = this.clock.now();
    for (const st of this.states.values()) this.stepSymbol(st, now);
  }

  private stepSymbol(st: SymbolState, now: number): void {
    const res = st.inst.step(now);
    const server = this.server;
    if (res.trades.length) {
      const group: HtxTradeGroup = { tickId: st.nextTradeId, ts: now, trades: [] };
      for (const t of res.trades) {
        const tr: HtxSimTrade = {
          // Legacy ids look like <tick id><15 digits> and exceed 2^53.
          idText: `${group.tickId}${(st.nextLegacy++).toString().padStart(15, '0')}`,
          tradeId: st.nextTradeId++,
          ts: now,
          priceUnits: Number(parseScaled(t.priceStr, st.spec.priceDecimals)),
          qtyUnits: Number(parseScaled(t.qtyStr, st.spec.qtyDecimals)),
          direction: t.isBuyerMaker ? 'sell' : 'buy',
        };
        group.trades.push(tr);
        st.trades.push(tr);
      }
      st.groups.push(group);
      this.counters.trades += group.trades.length;
      const topic = `market.${st.native}.trade.detail`;
      if (server.hasSubscribers(topic)) {
        if (this.faults.takeTradeDrop(st.symbol)) {
          const ids = group.trades.map((t) => t.tradeId);
          this.faults.applied.push({ kind: 'drop-trade', market: 'spot', symbol: st.symbol, topic, seqNum: ids[0]!, prevSeqNum: ids[ids.length - 1]!, at: now, detail: `tradeId ${ids[0]}..${ids[ids.length - 1]} not sent` });
        } else server.publish(topic, tradeDetailText(st.spec, st.native, group, now));
      }
      for (const [period, ms] of Object.entries(HTX_KLINE_PERIODS)) {
        const kt = `market.${st.native}.kline.${period}`;
        if (!server.hasSubscribers(kt)) continue;
        const open = bucketStart(now, ms);
        const before = st.trades.findIndex((x) => x.ts >= open);
        const prev = before > 0 ? st.trades[before - 1]!.priceUnits : st.startPriceUnits;
        server.publish(kt, klineText(st.native, period, buildHtxKline(st.spec, st.trades, open, ms, prev), now));
      }
    }
    this.emitMbp(st, now);
  }

  /** One 100 ms MBP-150 incremental: the diff between the last image sent and the current top 150. */
  private emitMbp(st: SymbolState, now: number): void {
    const b = diff(st.bids, st.inst.book.levels('bid', HTX_MBP_LEVELS), true);
    const a = diff(st.asks, st.inst.book.levels('ask', HTX_MBP_LEVELS), false);
    st.bids = b.map;
    st.asks = a.map;
    const topic = `market.${st.native}.mbp.${HTX_MBP_LEVELS}`;
    const live = this.server.hasSubscribers(topic);
    const fault = live ? this.faults.take(st.symbol) : undefined;
    if (fault?.kind === 'gap') st.seq += 3; // messages the client never gets: prevSeqNum jumps
    const prevSeqNum = st.seq;
    st.seq += 1 + b.out.length + a.out.length;
    this.counters.mbp++;
    if (b.out.length + a.out.length === 0) this.counters.empty++;
    if (!live) return;
    const text = mbpText(st.spec, st.native, HTX_MBP_LEVELS, st.seq, prevSeqNum, b.out, a.out, now);
    const send = () => this.server.publish(topic, text);
    const held = st.held;
    if (held) {
      // Second half of a reorder: the newer message first, then the held one.
      st.held = null;
      send();
      this.server.publish(topic, held.text);
      const rec = this.faults.applied.find((f) => f.kind === 'reorder' && f.seqNum === held.seqNum && f.detail === undefined);
      if (rec) rec.detail = `sent seqNum=${st.seq} before it`;
      if (!fault) return;
    }
    if (!fault) return void send();
    const rec: HtxAppliedFault = { kind: fault.kind, market: 'spot', symbol: st.symbol, topic, seqNum: st.seq, prevSeqNum, at: now };
    this.faults.applied.push(rec);
    switch (fault.kind) {
      case 'drop':
        return;
      case 'duplicate':
        send();
        send();
        return;
      case 'reorder':
        if (held) return void send(); // cannot hold two at once: deliver in order
        st.held = { text, seqNum: st.seq };
        return;
      case 'malformed':
        this.server.publish(topic, text.slice(0, Math.max(1, Math.floor(text.length / 2))));
        return;
      case 'corrupt-gzip':
        this.server.publishBytes(topic, corruptGzip(pako.gzip(text)));
        return;
      case 'gap':
        rec.detail = `prevSeqNum jumped by 3`;
        send();
        return;
      case 'disconnect':
        this.server.disconnectAll();
        return;
      case 'stall': {
        const ms = fault.durationMs ?? 1000;
        rec.detail = `held ${ms} ms`;
        this.server.stall(ms);
        send();
        return;
      }
      case 'missed-pong':
        rec.detail = `pongs of ${this.server.losePongs()} connections lost until the server drops them`;
        send();
        return;
    }
  }

  private handler(): HtxTopicHandler {
    const topicRe = /^market\.([a-z0-9]+)\.(.+)$/;
    const validate = (path: HtxPath, topic: string): string | null => {
      const m = topicRe.exec(topic);
      if (!m) return `invalid topic ${topic}`;
      if (!this.states.has(m[1]!.toUpperCase())) return `invalid symbol ${m[1]}`;
      const ch = m[2]!;
      const ok =
        path === 'ws'
          ? ch === 'trade.detail' || (ch.startsWith('kline.') && ch.slice(6) in HTX_KLINE_PERIODS)
          : ch === `mbp.${HTX_MBP_LEVELS}`;
      return ok ? null : `invalid topic ${topic}`;
    };
    return {
      validate,
      request: (path, topic, id) => {
        const m = topicRe.exec(topic)!;
        if (path !== 'feed') return { error: `invalid topic ${topic}` };
        const st = this.states.get(m[1]!.toUpperCase())!;
        const sorted = (mp: Map<number, number>, desc: boolean) => [...mp.entries()].sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0]));
        return { text: mbpRepText(st.spec, st.native, HTX_MBP_LEVELS, id, st.seq, sorted(st.bids, true), sorted(st.asks, false), this.clock.now()) };
      },
      rest: (path, q) => this.rest(path, q),
    };
  }

  private rest(path: string, q: URLSearchParams): { status: number; text: string } {
    const now = this.clock.now();
    const bad = (msg: string) => ({ status: 200, text: restErrorText('invalid-parameter', msg) });
    const sym = q.get('symbol') ?? '';
    const st = this.states.get(sym.toUpperCase());
    const intParam = (name: string, def: number, lo: number, hi: number): number | null => {
      const raw = q.get(name);
      if (raw === null) return def;
      const v = Number(raw);
      return Number.isInteger(v) && v >= lo && v <= hi ? v : null;
    };
    switch (path) {
      case '/market/depth': {
        if (!st || sym !== st.native) return bad('invalid symbol');
        const type = q.get('type') ?? 'step0';
        if (type !== 'step0') return bad(`invalid type ${type}: the simulator serves step0 only`);
        const depth = q.get('depth');
        if (depth !== null && !['5', '10', '20'].includes(depth)) return bad('invalid depth');
        const n = depth === null ? HTX_MBP_LEVELS : Number(depth);
        return { status: 200, text: restDepthText(st.spec, st.native, type, st.seq, st.inst.book.levels('bid', n), st.inst.book.levels('ask', n), now) };
      }
      case '/market/history/kline': {
        if (!st || sym !== st.native) return bad('invalid symbol');
        const period = q.get('period') ?? '';
        const ms = HTX_KLINE_PERIODS[period];
        if (!ms) return bad('invalid period');
        const size = intParam('size', 150, 1, 2000);
        if (size === null) return bad('invalid size, valid range: [1, 2000]');
        const history = this.history ? htxHistory(this.history, st.symbol, ms, this.sessionStart) : [];
        const rows = latestKlines(st.spec, st.trades, ms, size, now, this.sessionStart, st.startPriceUnits, history);
        return { status: 200, text: restKlinesText(st.native, period, rows, now) };
      }
      case '/market/history/trade': {
        if (!st || sym !== st.native) return bad('invalid symbol');
        const size = intParam('size', 1, 1, 2000);
        if (size === null) return bad('invalid size, valid range: [1, 2000]');
        return { status: 200, text: restTradesText(st.spec, st.native, st.groups.slice(-size).reverse(), now) };
      }
      case '/v1/common/timestamp':
        return { status: 200, text: `{"status":"ok","data":${now}}` };
      default:
        return { status: 404, text: restErrorText('not-found', `no such endpoint ${path}`) };
    }
  }
}

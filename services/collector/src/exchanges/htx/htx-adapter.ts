import { Completeness, PositionSide, QualityKind, Side } from '@pricelevel/contracts';
import type { Logger, TimerHandle } from '@pricelevel/platform';
import { BatchingPublisher } from '../batching-publisher.js';
import { Counters } from '../counters.js';
import { QualityReporter } from '../quality-reporter.js';
import type { AdapterStats, BookView, ExchangeAdapter, ExchangeAdapterOptions } from '../exchange-adapter.js';
import { HtxWsConnection } from './htx-ws.js';
import { HtxRestClient } from './htx-rest.js';
import { TradeGapFiller } from '../trade-gap-filler.js';
import { htxTradesGapFetcher } from './trade-gap-filler.js';
import { HtxBookSync, type MbpSyncSink } from './mbp-sync.js';
import { HtxParser, type HtxEvent, type ParseError } from './parsers.js';
import { HTX, klineTopic, mbpTopic, nativeSymbol, normalizeHtxSymbol, normalizeHtxSymbols, tradeTopic } from './symbols.js';

export interface HtxAdapterOptions extends ExchangeAdapterOptions {
  /** MBP endpoint; default `<wsUrl host>/feed` (HTX serves MBP incremental only there). */
  feedUrl?: string;
  /** Also subscribe `market.<sym>.kline.1min` (parsed and counted; candles are built from trades). Default false. */
  klines?: boolean;
  /** Symbols per connection pair (/ws + /feed). Default 50 (HTX advises against many topics per connection). */
  maxSymbolsPerConnection?: number;
  /** Topics per SUB frame (1 = one topic per frame, the form in the captured client traffic). */
  topicsPerSub?: number;
  /** No REQ answer within this time ⇒ ask again. Default 5000 ms. */
  refreshTimeoutMs?: number;
  /** Same (kind, symbol) quality events closer than this are folded into one. Default 1000 ms. */
  qualityThrottleMs?: number;
  fetch?: typeof globalThis.fetch;
}

interface Pair {
  ws: HtxWsConnection;
  feed: HtxWsConnection;
  symbols: string[];
}

/** Strips a trailing /ws or /feed so both endpoint paths can be derived from one base. */
function baseOf(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/(ws|feed)$/, '');
}

/**
 * HTX spot market data for a set of symbols: trades (`trade.detail` on /ws) and books (`mbp.150`
 * incrementals on /feed kept in sync with REQ refreshes on the same connection), normalized and
 * published to the bus keyed by instrument. Every frame is gzip; server pings are answered with the
 * same integer. HTX spot has no liquidation stream: one UNAVAILABLE marker per symbol at start.
 */
export class HtxAdapter implements ExchangeAdapter {
  readonly exchange = HTX;
  readonly market = 'spot' as const;
  readonly symbols: string[];

  private readonly logger: Logger;
  private readonly counters = new Counters();
  private readonly publisher: BatchingPublisher;
  private readonly reporter: QualityReporter;
  private readonly parser: HtxParser;
  private readonly syncs = new Map<string, HtxBookSync>();
  private readonly pairs: Pair[] = [];
  private readonly pairOf = new Map<string, Pair>();
  private readonly requests = new Map<string, { symbol: string; token: number; timer: TimerHandle }>();
  private readonly refreshTimeoutMs: number;
  private reqSeq = 0;
  /** tradeId is consecutive per symbol: gaps and reconnect windows are fetched over REST, trades deduplicated. */
  private readonly trades: TradeGapFiller;
  private started = false;

  constructor(private readonly options: HtxAdapterOptions) {
    if (options.market !== 'spot') throw new Error(`HTX adapter supports the spot market only, got ${String(options.market)}`);
    for (const key of ['wsUrl', 'restUrl'] as const) {
      const url = options.urls?.[key];
      if (typeof url !== 'string' || !/^(wss?|https?):\/\//.test(url)) throw new Error(`urls.${key} must be an absolute URL, got ${String(url)}`);
    }
    if (options.feedUrl !== undefined && !/^wss?:\/\//.test(options.feedUrl)) throw new Error(`feedUrl must be a ws(s) URL, got ${options.feedUrl}`);
    this.symbols = normalizeHtxSymbols(options.symbols);
    this.logger = options.logger.child({ exchange: HTX, market: 'spot' });
    this.refreshTimeoutMs = options.refreshTimeoutMs ?? 5000;
    this.parser = new HtxParser(this.symbols);
    this.publisher = new BatchingPublisher(options.bus, this.logger, this.counters);
    this.reporter = new QualityReporter({
      exchange: HTX, market: 'spot', symbols: this.symbols, clock: options.clock, logger: this.logger,
      counters: this.counters, publisher: this.publisher, epochOf: (s) => this.syncs.get(s)?.epoch ?? 0, throttleMs: options.qualityThrottleMs,
    });

    this.trades = new TradeGapFiller({
      exchange: HTX,
      market: 'spot',
      symbols: this.symbols,
      fetchGap: htxTradesGapFetcher(new HtxRestClient({ restUrl: options.urls.restUrl, clock: options.clock, ...(options.fetch ? { fetch: options.fetch } : {}) })),
      publish: (t) => this.reporter.emit('md.trade.v1', t.symbol, t),
      quality: (q) => this.reporter.emitQuality(q),
      clock: options.clock,
      logger: this.logger,
      counters: this.counters,
      ...(options.random ? { random: options.random } : {}),
    });

    const sink: MbpSyncSink = {
      book: (u) => this.reporter.emit('md.book.v1', u.symbol, u),
      quality: (q) => this.reporter.emitQuality(q),
      requestRefresh: (symbol, token) => this.requestRefresh(symbol, token),
    };
    for (const symbol of this.symbols) {
      this.syncs.set(symbol, new HtxBookSync({ symbol }, sink));
    }

    const base = baseOf(options.urls.wsUrl);
    const wsUrl = `${base}/ws`;
    const feedUrl = options.feedUrl ?? `${base}/feed`;
    const per = Math.max(1, options.maxSymbolsPerConnection ?? 50);
    for (let i = 0; i < this.symbols.length; i += per) {
      const group = this.symbols.slice(i, i + per);
      const index = this.pairs.length;
      const common = {
        clock: options.clock,
        ...(options.random ? { random: options.random } : {}),
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.staleMs ? { staleMs: options.staleMs } : {}),
        ...(options.topicsPerSub ? { topicsPerSub: options.topicsPerSub } : {}),
      };
      const make = (path: 'ws' | 'feed', url: string, topics: string[]) =>
        new HtxWsConnection({
          ...common,
          url,
          topics,
          logger: this.logger.child({ conn: `${path}${index}` }),
          onFrame: (data, ts) => this.onFrame(data, ts, pair, path),
          onOpen: ({ reconnect }) => {
            if (reconnect && path === 'ws') this.trades.onReconnect(group);
            this.onOpen(`${path}${index}`, reconnect);
          },
          onClose: ({ code, reason }) => this.onClose(pair, path, code, reason),
          onStale: (silentMs) => {
            this.counters.inc('stale');
            this.reporter.report('', QualityKind.QUALITY_KIND_STALE, `connection ${path}${index}: no data for ${silentMs} ms`);
          },
        });
      const pair: Pair = {
        symbols: group,
        ws: make('ws', wsUrl, group.flatMap((s) => (options.klines ? [tradeTopic(s), klineTopic(s)] : [tradeTopic(s)]))),
        feed: make('feed', feedUrl, group.map((s) => mbpTopic(s))),
      };
      this.pairs.push(pair);
      for (const s of group) this.pairOf.set(s, pair);
    }
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const now = this.options.clock.now();
    for (const symbol of this.symbols) {
      // No public liquidation stream on HTX spot: say so once per symbol instead of implying zero.
      this.reporter.emit('md.liquidation.v1', symbol, {
        exchange: HTX,
        market: 'spot',
        symbol,
        side: Side.SIDE_UNSPECIFIED,
        liquidatedPosition: PositionSide.POSITION_SIDE_UNSPECIFIED,
        price: 0,
        size: 0,
        completeness: Completeness.COMPLETENESS_UNAVAILABLE,
        exchangeTs: now,
        receivedTs: now,
      });
    }
    for (const p of this.pairs) {
      p.ws.start();
      p.feed.start();
    }
    this.logger.info({ symbols: this.symbols.length, connections: this.pairs.length * 2 }, 'htx adapter started');
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const r of this.requests.values()) r.timer.cancel();
    this.requests.clear();
    this.trades.stop();
    await Promise.all(this.pairs.flatMap((p) => [p.ws.stop(), p.feed.stop()]));
    await this.publisher.flush();
    this.logger.info(this.counters.toJSON(), 'htx adapter stopped');
  }

  flush(): Promise<void> {
    return this.publisher.flush();
  }

  stats(): AdapterStats {
    const counters = this.counters.toJSON();
    const books: AdapterStats['books'] = {};
    for (const [symbol, sync] of this.syncs) {
      books[symbol] = { synced: sync.state === 'synced', lastUpdateId: sync.lastUpdateId, epoch: sync.epoch };
      for (const [k, v] of Object.entries(sync.counters)) counters[`book.${k}`] = (counters[`book.${k}`] ?? 0) + v;
    }
    for (const p of this.pairs) {
      for (const conn of [p.ws, p.feed]) {
        for (const [k, v] of Object.entries(conn.stats)) counters[`ws.${k}`] = (counters[`ws.${k}`] ?? 0) + v;
      }
    }
    return {
      exchange: HTX,
      market: 'spot',
      connected: this.pairs.length > 0 && this.pairs.every((p) => p.ws.connected && p.feed.connected),
      counters,
      books,
    };
  }

  book(symbol: string): BookView | undefined {
    let s: string;
    try {
      s = normalizeHtxSymbol(symbol);
    } catch {
      return undefined;
    }
    const sync = this.syncs.get(s);
    if (!sync) return undefined;
    return { symbol: s, synced: sync.state === 'synced', lastUpdateId: sync.lastUpdateId, epoch: sync.epoch, book: sync.book };
  }

  /** The venue's own name of a collected symbol (`BTCUSDT` → `btcusdt`). */
  nativeSymbol(symbol: string): string | undefined {
    const s = this.book(symbol)?.symbol;
    return s ? nativeSymbol(s) : undefined;
  }

  /** Forces every connection to drop and reconnect (ops tooling and tests). */
  reconnect(reason = 'requested'): void {
    for (const p of this.pairs) {
      p.ws.reconnect(reason);
      p.feed.reconnect(reason);
    }
  }

  private onFrame(data: Buffer, receivedTs: number, pair: Pair, path: 'ws' | 'feed'): void {
    this.counters.inc('frames');
    this.handle(this.parser.parse(data, receivedTs), pair, path);
  }

  private handle(e: HtxEvent, pair: Pair, path: 'ws' | 'feed'): void {
    switch (e.kind) {
      case 'ping':
        this.counters.inc('pings');
        (path === 'ws' ? pair.ws : pair.feed).pong(e.ping);
        return;
      case 'trades':
        this.counters.inc('trades', e.trades.length);
        for (const t of e.trades) this.trades.onTrade(t);
        return;
      case 'mbp':
        this.counters.inc('mbpUpdates');
        this.syncs.get(e.update.symbol)!.onIncremental(e.update);
        return;
      case 'mbp-refresh': {
        this.counters.inc('refreshes');
        const req = this.requests.get(e.refresh.id);
        if (!req || req.symbol !== e.refresh.symbol) {
          this.counters.inc('unexpectedRefreshes');
          return;
        }
        req.timer.cancel();
        this.requests.delete(e.refresh.id);
        this.syncs.get(req.symbol)!.onRefresh(e.refresh, req.token);
        return;
      }
      case 'kline':
        this.counters.inc('klines');
        return;
      case 'depth':
      case 'bbo':
      case 'detail':
        this.counters.inc(e.kind);
        return;
      case 'ack':
        this.counters.inc('acks');
        this.logger.debug({ id: e.id, op: e.op, topic: e.topic }, 'subscription acknowledged');
        return;
      case 'venue-error': {
        this.counters.inc('venueErrors');
        this.logger.error({ id: e.id, code: e.code, msg: e.msg }, 'venue rejected a request');
        const req = this.requests.get(e.id);
        if (req) {
          // A rejected REQ: ask again after the timeout instead of hammering the venue.
          this.requests.delete(e.id);
          req.timer.cancel();
          this.scheduleRetry(req.symbol, req.token);
        }
        return;
      }
      case 'error':
        this.onParseError(e);
        return;
    }
  }

  private onParseError(e: ParseError): void {
    const counter = { malformed: 'malformed', 'corrupt-gzip': 'corruptGzip', 'unknown-symbol': 'unknownSymbol', 'unknown-event': 'unknownEvent' }[e.reason];
    this.counters.inc(counter);
    const kind = e.reason === 'unknown-symbol' ? QualityKind.QUALITY_KIND_UNKNOWN_SYMBOL : QualityKind.QUALITY_KIND_MALFORMED;
    if (this.reporter.report(this.syncs.has(e.symbol) ? e.symbol : '', kind, `${e.reason}: ${e.detail}`)) {
      this.logger.warn({ reason: e.reason, detail: e.detail, total: this.counters.get(counter) }, 'frame dropped');
    }
  }

  private requestRefresh(symbol: string, token: number): void {
    const pair = this.pairOf.get(symbol);
    if (!pair) return;
    const id = `r${++this.reqSeq}`;
    this.counters.inc('refreshRequests');
    // The refresh must come over the same /feed connection as the SUB (sequence numbers are per feed).
    if (!pair.feed.request(mbpTopic(symbol), id)) return; // not connected: the reconnect restarts the round
    const timer = this.options.clock.setTimeout(() => {
      this.requests.delete(id);
      this.counters.inc('refreshTimeouts');
      const sync = this.syncs.get(symbol)!;
      if (sync.wantedToken === token) sync.retryRefresh();
    }, this.refreshTimeoutMs);
    this.requests.set(id, { symbol, token, timer });
  }

  private scheduleRetry(symbol: string, token: number): void {
    const key = `retry:${symbol}:${token}`;
    const timer = this.options.clock.setTimeout(() => {
      this.requests.delete(key);
      const sync = this.syncs.get(symbol)!;
      if (this.started && sync.wantedToken === token) sync.retryRefresh();
    }, Math.min(this.refreshTimeoutMs, 1000));
    this.requests.set(key, { symbol, token, timer });
  }

  private onOpen(conn: string, reconnect: boolean): void {
    this.counters.inc(reconnect ? 'reconnects' : 'connects');
    if (reconnect) this.reporter.report('', QualityKind.QUALITY_KIND_RECONNECT, `connection ${conn} re-established`, true);
  }

  private onClose(pair: Pair, path: 'ws' | 'feed', code: number, reason: string): void {
    this.counters.inc('disconnects');
    if (path === 'feed') {
      // MBP sequence numbers do not continue across connections: every book of this feed resyncs.
      for (const symbol of pair.symbols) this.syncs.get(symbol)!.reset();
      for (const [id, r] of this.requests) {
        if (pair.symbols.includes(r.symbol)) {
          r.timer.cancel();
          this.requests.delete(id);
        }
      }
    }
    this.logger.warn({ path, code, reason }, path === 'feed' ? 'feed lost: its books will resync' : 'trade connection lost');
  }
}

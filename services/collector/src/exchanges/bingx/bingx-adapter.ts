import {
  Completeness,
  PositionSide,
  QualityKind,
  Side,
  type Liquidation,
  type Market,
  type Ticker,
} from '@pricelevel/contracts';
import type { Logger } from '@pricelevel/platform';
import { BatchingPublisher } from '../batching-publisher.js';
import { Counters } from '../counters.js';
import { QualityReporter } from '../quality-reporter.js';
import type { AdapterStats, BookView, ExchangeAdapter, ExchangeAdapterOptions } from '../exchange-adapter.js';
import { OpenInterestPoller } from '../binance/open-interest-poller.js';
import { BingxBookSync, type BingxBookSyncSink } from './book-sync.js';
import { BingxRestClient } from './bingx-rest.js';
import { BINGX_MAX_TOPICS_PER_CONNECTION, BingxWsConnection } from './bingx-ws.js';
import { BingxParser, type BingxEvent, type BingxParseError } from './parsers.js';
import { BINGX, bingxSymbol, bingxSymbols, bingxTopicsFor, type BingxSymbol } from './symbols.js';

export interface BingxAdapterOptions extends ExchangeAdapterOptions {
  /** Open interest + premium index (mark, index, funding) REST poll per symbol. Default 5000 ms; 0 disables. */
  restPollIntervalMs?: number;
  /** Topics per connection (≤ 200, the venue's limit). */
  maxTopicsPerConnection?: number;
  /** Client → server messages per second per connection (subscribe pacing). Default 50. */
  maxMessagesPerSecond?: number;
  /** Same (kind, symbol) quality events closer than this are folded into one. Default 1000 ms. */
  qualityThrottleMs?: number;
  fetch?: typeof globalThis.fetch;
}

/**
 * BingX perpetual swap V2 market data for a set of symbols: trades (`@trade`), books (`@incrDepth`
 * full book + lastUpdateId-chained updates), mark price (`@markPrice`), open interest, index price and
 * funding (REST polls), normalized to `BTCUSDT`-style symbols and published to the bus by instrument.
 * BingX has no public liquidation stream: each symbol gets one Liquidation marker with completeness
 * UNAVAILABLE ("no data"), never a stream of zero liquidations.
 */
export class BingxAdapter implements ExchangeAdapter {
  readonly exchange = BINGX;
  readonly market: Market;
  /** Project symbols (`BTCUSDT`). */
  readonly symbols: string[];

  private readonly logger: Logger;
  private readonly counters = new Counters();
  private readonly publisher: BatchingPublisher;
  private readonly reporter: QualityReporter;
  private readonly parser: BingxParser;
  private readonly bySymbol = new Map<string, BingxSymbol>();
  private readonly syncs = new Map<string, BingxBookSync>();
  private readonly connOf = new Map<string, number>();
  private readonly connections: { conn: BingxWsConnection; symbols: string[] }[] = [];
  private readonly rest: BingxRestClient;
  private readonly poller: OpenInterestPoller | undefined;
  private started = false;

  constructor(private readonly options: BingxAdapterOptions) {
    if (options.market !== 'perp') throw new Error(`BingX is collected for the perpetual swap only (market 'perp'), got ${String(options.market)}`);
    for (const key of ['wsUrl', 'restUrl'] as const) {
      const url = options.urls?.[key];
      if (typeof url !== 'string' || !/^(wss?|https?):\/\//.test(url)) throw new Error(`urls.${key} must be an absolute URL, got ${String(url)}`);
    }
    this.market = options.market;
    const list = bingxSymbols(options.symbols);
    this.symbols = list.map((s) => s.symbol);
    this.logger = options.logger.child({ exchange: BINGX, market: this.market });
    this.parser = new BingxParser(this.market, list);
    this.publisher = new BatchingPublisher(options.bus, this.logger, this.counters);
    this.reporter = new QualityReporter({
      exchange: BINGX, market: this.market, symbols: this.symbols, clock: options.clock, logger: this.logger,
      counters: this.counters, publisher: this.publisher, epochOf: (s) => this.syncs.get(s)?.epoch ?? 0, throttleMs: options.qualityThrottleMs,
      gapMessage: 'book sequence gap: resubscribing',
    });
    this.rest = new BingxRestClient({ restUrl: options.urls.restUrl, clock: options.clock, market: this.market, ...(options.fetch ? { fetch: options.fetch } : {}) });

    const sink: BingxBookSyncSink = {
      book: (u) => this.reporter.emit('md.book.v1', u.symbol, u),
      quality: (q) => this.reporter.emitQuality(q),
      resubscribe: (symbol) => {
        this.counters.inc('resubscribes');
        const s = this.bySymbol.get(symbol)!;
        this.connections[this.connOf.get(symbol)!]?.conn.resubscribe(`${s.native}@incrDepth`);
      },
    };
    for (const s of list) {
      this.bySymbol.set(s.symbol, s);
      this.syncs.set(s.symbol, new BingxBookSync(s.symbol, this.market, sink));
    }

    const perConn = Math.min(options.maxTopicsPerConnection ?? BINGX_MAX_TOPICS_PER_CONNECTION, BINGX_MAX_TOPICS_PER_CONNECTION);
    const symbolsPerConn = Math.max(1, Math.floor(perConn / bingxTopicsFor('X-USDT').length));
    for (let i = 0; i < list.length; i += symbolsPerConn) {
      const group = list.slice(i, i + symbolsPerConn);
      const index = this.connections.length;
      for (const s of group) this.connOf.set(s.symbol, index);
      const conn = new BingxWsConnection({
        wsUrl: options.urls.wsUrl,
        topics: group.flatMap((s) => bingxTopicsFor(s.native)),
        clock: options.clock,
        logger: this.logger.child({ conn: index }),
        ...(options.random ? { random: options.random } : {}),
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.staleMs ? { staleMs: options.staleMs } : {}),
        ...(options.maxMessagesPerSecond ? { maxMessagesPerSecond: options.maxMessagesPerSecond } : {}),
        onFrame: (data, ts) => this.onFrame(data, ts, index),
        onOpen: ({ reconnect }) => this.onOpen(index, reconnect),
        onClose: ({ code, reason }) => this.onClose(index, code, reason),
        onStale: (silentMs) => {
          this.counters.inc('stale');
          this.reporter.report('', QualityKind.QUALITY_KIND_STALE, `connection ${index}: no data for ${silentMs} ms`);
        },
      });
      this.connections.push({ conn, symbols: group.map((s) => s.symbol) });
    }

    const pollMs = options.restPollIntervalMs ?? 5000;
    if (pollMs > 0) {
      this.poller = new OpenInterestPoller({
        symbols: this.symbols,
        intervalMs: pollMs,
        // Two requests per poll; the venue allows about 500 market requests per 10 s per IP: use ≤ 10 %.
        maxWeightPerMinute: 150,
        fetch: (symbol, signal) => this.pollRest(symbol, signal),
        onTicker: (t) => {
          this.counters.inc('restTickers');
          this.reporter.emit('md.ticker.v1', t.symbol, t);
        },
        onError: () => this.counters.inc('restPollErrors'),
        clock: options.clock,
        logger: this.logger,
      });
    }
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.publishLiquidationUnavailable();
    for (const { conn } of this.connections) conn.start();
    this.poller?.start();
    this.logger.info({ symbols: this.symbols.length, connections: this.connections.length }, 'bingx adapter started');
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.poller?.stop();
    await Promise.all(this.connections.map(({ conn }) => conn.stop()));
    await this.publisher.flush();
    this.logger.info(this.counters.toJSON(), 'bingx adapter stopped');
  }

  /** Resolves when everything handled so far has been handed to the bus. */
  flush(): Promise<void> {
    return this.publisher.flush();
  }

  /** The venue's name of a collected symbol (`BTCUSDT` → `BTC-USDT`), or undefined. */
  nativeSymbol(symbol: string): string | undefined {
    try {
      return this.bySymbol.get(bingxSymbol(symbol).symbol)?.native;
    } catch {
      return undefined;
    }
  }

  stats(): AdapterStats {
    const counters = this.counters.toJSON();
    const books: AdapterStats['books'] = {};
    for (const [symbol, sync] of this.syncs) {
      books[symbol] = { synced: sync.state === 'synced', lastUpdateId: sync.lastUpdateId, epoch: sync.epoch };
      for (const [k, v] of Object.entries(sync.counters)) counters[`book.${k}`] = (counters[`book.${k}`] ?? 0) + v;
    }
    for (const { conn } of this.connections) {
      for (const [k, v] of Object.entries(conn.stats)) counters[`ws.${k}`] = (counters[`ws.${k}`] ?? 0) + v;
    }
    return {
      exchange: BINGX,
      market: this.market,
      connected: this.connections.length > 0 && this.connections.every(({ conn }) => conn.connected),
      counters,
      books,
    };
  }

  book(symbol: string): BookView | undefined {
    let s: string;
    try {
      s = bingxSymbol(symbol).symbol;
    } catch {
      return undefined;
    }
    const sync = this.syncs.get(s);
    if (!sync) return undefined;
    return { symbol: s, synced: sync.state === 'synced', lastUpdateId: sync.lastUpdateId, epoch: sync.epoch, book: sync.book };
  }

  /** Forces every connection to drop and reconnect (ops tooling and tests). */
  reconnect(reason = 'requested'): void {
    for (const { conn } of this.connections) conn.reconnect(reason);
  }

  private async pollRest(symbol: string, signal: AbortSignal): Promise<Ticker> {
    const s = this.bySymbol.get(symbol)!;
    const [oi, premium] = await Promise.all([this.rest.openInterest(s, signal), this.rest.premiumIndex(s, signal)]);
    return { ...premium, openInterest: oi.openInterest, exchangeTs: oi.exchangeTs };
  }

  /**
   * BingX publishes no liquidations: one marker per symbol says so (completeness UNAVAILABLE, size 0 =
   * "no data"), so consumers never read the silence as zero liquidations.
   */
  private publishLiquidationUnavailable(): void {
    const now = this.options.clock.now();
    for (const symbol of this.symbols) {
      const marker: Liquidation = {
        exchange: BINGX,
        market: this.market,
        symbol,
        side: Side.SIDE_UNSPECIFIED,
        liquidatedPosition: PositionSide.POSITION_SIDE_UNSPECIFIED,
        price: 0,
        size: 0,
        completeness: Completeness.COMPLETENESS_UNAVAILABLE,
        exchangeTs: now,
        receivedTs: now,
      };
      this.counters.inc('liquidationUnavailableMarkers');
      this.reporter.emit('md.liquidation.v1', symbol, marker);
    }
  }

  private onFrame(data: Buffer | string, receivedTs: number, conn: number): void {
    this.counters.inc('frames');
    this.handle(this.parser.parse(data, receivedTs), conn);
  }

  private handle(e: BingxEvent, conn: number): void {
    switch (e.kind) {
      case 'trades':
        // No trade ids at all on BingX (the parser builds a synthetic one from time/price/qty/side and the
        // ordinal within one frame, which is not stable between WS frames and a REST list): gaps cannot be
        // seen and a reconnect window cannot be merged exactly, so it is not backfilled.
        this.counters.inc('trades', e.trades.length);
        for (const t of e.trades) this.reporter.emit('md.trade.v1', t.symbol, t);
        return;
      case 'depth':
        this.counters.inc(e.depth.action === 'all' ? 'depthSnapshots' : 'depthUpdates');
        this.syncs.get(e.depth.symbol)!.onDepth(e.depth);
        return;
      case 'ticker':
        this.counters.inc('tickers');
        this.reporter.emit('md.ticker.v1', e.ticker.symbol, e.ticker);
        return;
      case 'ping':
        this.counters.inc('pings');
        this.connections[conn]?.conn.pong();
        return;
      case 'json-ping':
        this.counters.inc('pings');
        this.connections[conn]?.conn.sendNow(JSON.stringify({ pong: e.id, time: e.time }));
        return;
      case 'ack':
        this.counters.inc('acks');
        return;
      case 'venue-error': {
        this.counters.inc('venueErrors');
        const dataType = e.dataType || this.connections[conn]?.conn.dataTypeOf(e.id) || '';
        this.logger.error({ id: e.id, code: e.code, msg: e.msg, dataType }, 'venue refused a request');
        return;
      }
      case 'kline':
      case 'partial-book':
      case 'book-top':
      case 'last-price':
      case 'ticker-24h':
        // Channels the collector does not subscribe; counted in case a shared socket delivers them.
        this.counters.inc('unusedChannelFrames');
        return;
      case 'error':
        this.onParseError(e);
        return;
    }
  }

  private onParseError(e: BingxParseError): void {
    const counter = { 'bad-gzip': 'badGzip', malformed: 'malformed', 'unknown-event': 'unknownEvent', 'unknown-symbol': 'unknownSymbol' }[e.reason];
    this.counters.inc(counter);
    const kind = e.reason === 'unknown-symbol' ? QualityKind.QUALITY_KIND_UNKNOWN_SYMBOL : QualityKind.QUALITY_KIND_MALFORMED;
    if (this.reporter.report(this.syncs.has(e.symbol) ? e.symbol : '', kind, `${e.reason}: ${e.detail}`)) {
      this.logger.warn({ reason: e.reason, detail: e.detail, total: this.counters.get(counter) }, 'frame dropped');
    }
  }

  private onOpen(index: number, reconnect: boolean): void {
    this.counters.inc(reconnect ? 'reconnects' : 'connects');
    if (reconnect) this.reporter.report('', QualityKind.QUALITY_KIND_RECONNECT, `connection ${index} re-established`, true);
  }

  private onClose(index: number, code: number, reason: string): void {
    this.counters.inc('disconnects');
    // The new socket's subscriptions start with fresh full books: every book of this connection resyncs.
    for (const symbol of this.connections[index]?.symbols ?? []) this.syncs.get(symbol)!.reset();
    this.logger.warn({ conn: index, code, reason }, 'connection lost: books of this connection will resync');
  }
}

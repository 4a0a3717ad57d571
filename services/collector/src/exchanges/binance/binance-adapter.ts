import { QualityKind, type Market } from '@pricelevel/contracts';
import type { Logger } from '@pricelevel/platform';
import { BatchingPublisher } from '../batching-publisher.js';
import { backoffDelay } from '../backoff.js';
import { Counters } from '../counters.js';
import { QualityReporter } from '../quality-reporter.js';
import type { AdapterStats, BookView, ExchangeAdapter, ExchangeAdapterOptions } from '../exchange-adapter.js';
import { BinanceBookSync, type BookSyncSink } from './book-sync.js';
import { BinanceRestClient } from './binance-rest.js';
import { TradeGapFiller } from '../trade-gap-filler.js';
import { aggTradesGapFetcher } from './trade-gap-filler.js';
import {
  BinanceWsConnection,
  MAX_STREAMS_PER_CONNECTION,
  PERP_MAX_MESSAGES_PER_SECOND,
  SPOT_MAX_MESSAGES_PER_SECOND,
  type SubscribeMode,
} from './binance-ws.js';
import { OpenInterestPoller } from './open-interest-poller.js';
import { BinanceParser, type BinanceEvent, type ParseError } from './parsers.js';
import { BINANCE, normalizeSymbol, normalizeSymbols, streamsFor } from './symbols.js';
import { PERP_WEIGHT_PER_MINUTE, sleep, SPOT_WEIGHT_PER_MINUTE, WeightLimiter } from './weight-limiter.js';

export interface BinanceAdapterOptions extends ExchangeAdapterOptions {
  /** REST snapshot depth (spot 1–5000, perp 5/10/20/50/100/500/1000). Default 1000. */
  depthLimit?: number;
  /** Open-interest poll interval per symbol (perp). Default 5000 ms; 0 disables polling. */
  openInterestIntervalMs?: number;
  subscribeMode?: SubscribeMode;
  /** Request weight per minute of the venue (default: spot 6000, perp 2400). */
  weightLimitPerMinute?: number;
  /** First retry delay of a failed snapshot; doubles up to 30 s. Default 1000 ms. */
  snapshotRetryMs?: number;
  /** Streams per connection (≤ 1024). */
  maxStreamsPerConnection?: number;
  /** Same (kind, symbol) quality events closer than this are folded into one. Default 1000 ms. */
  qualityThrottleMs?: number;
  fetch?: typeof globalThis.fetch;
}

interface SnapshotJob {
  wanted: number;
  running: boolean;
  failures: number;
  refetches: number;
}

/**
 * Binance spot or USDⓈ-M market data for a set of symbols: trades (aggTrade), books (diff depth
 * kept in sync with REST snapshots), mark price/funding and liquidations (perp), open interest
 * (perp, REST), all normalized and published to the bus keyed by instrument.
 */
export class BinanceAdapter implements ExchangeAdapter {
  readonly exchange = BINANCE;
  readonly market: Market;
  readonly symbols: string[];

  private readonly logger: Logger;
  private readonly counters = new Counters();
  private readonly publisher: BatchingPublisher;
  private readonly reporter: QualityReporter;
  private readonly parser: BinanceParser;
  private readonly syncs = new Map<string, BinanceBookSync>();
  private readonly rest: BinanceRestClient;
  private readonly limiter: WeightLimiter;
  private readonly connections: { conn: BinanceWsConnection; symbols: string[] }[] = [];
  private readonly poller: OpenInterestPoller | undefined;
  /** aggTrade ids are consecutive: gaps and reconnect windows are fetched over REST, trades deduplicated. */
  private readonly trades: TradeGapFiller;
  private readonly snapshotJobs = new Map<string, SnapshotJob>();
  private readonly random: () => number;
  private readonly depthLimit: number;
  private readonly snapshotRetryMs: number;
  private abort = new AbortController();
  private started = false;

  constructor(private readonly options: BinanceAdapterOptions) {
    if (options.market !== 'spot' && options.market !== 'perp') throw new Error(`unknown Binance market ${String(options.market)}`);
    for (const key of ['wsUrl', 'restUrl'] as const) {
      const url = options.urls?.[key];
      if (typeof url !== 'string' || !/^(wss?|https?):\/\//.test(url)) throw new Error(`urls.${key} must be an absolute URL, got ${String(url)}`);
    }
    this.market = options.market;
    this.symbols = normalizeSymbols(options.symbols);
    this.logger = options.logger.child({ exchange: BINANCE, market: this.market });
    this.random = options.random ?? Math.random;
    this.depthLimit = options.depthLimit ?? 1000;
    this.snapshotRetryMs = options.snapshotRetryMs ?? 1000;
    this.parser = new BinanceParser(this.market, this.symbols);
    this.publisher = new BatchingPublisher(options.bus, this.logger, this.counters);
    this.reporter = new QualityReporter({
      exchange: BINANCE, market: this.market, symbols: this.symbols, clock: options.clock, logger: this.logger,
      counters: this.counters, publisher: this.publisher, epochOf: (s) => this.syncs.get(s)?.epoch ?? 0, throttleMs: options.qualityThrottleMs,
    });
    this.limiter = new WeightLimiter({
      limitPerMinute: options.weightLimitPerMinute ?? (this.market === 'spot' ? SPOT_WEIGHT_PER_MINUTE : PERP_WEIGHT_PER_MINUTE),
      clock: options.clock,
    });
    this.rest = new BinanceRestClient({
      restUrl: options.urls.restUrl,
      market: this.market,
      limiter: this.limiter,
      clock: options.clock,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });

    this.trades = new TradeGapFiller({
      exchange: BINANCE,
      market: this.market,
      symbols: this.symbols,
      fetchGap: aggTradesGapFetcher({
        restUrl: options.urls.restUrl,
        market: this.market,
        limiter: this.limiter,
        clock: options.clock,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
      publish: (t) => this.reporter.emit('md.trade.v1', t.symbol, t),
      quality: (q) => this.reporter.emitQuality(q),
      clock: options.clock,
      logger: this.logger,
      counters: this.counters,
      random: this.random,
    });

    const sink: BookSyncSink = {
      book: (u) => this.reporter.emit('md.book.v1', u.symbol, u),
      quality: (q) => this.reporter.emitQuality(q),
      requestSnapshot: (symbol, token) => this.requestSnapshot(symbol, token),
    };
    for (const symbol of this.symbols) {
      this.syncs.set(symbol, new BinanceBookSync({ market: this.market, symbol }, sink));
    }

    const perConn = Math.min(options.maxStreamsPerConnection ?? MAX_STREAMS_PER_CONNECTION, MAX_STREAMS_PER_CONNECTION);
    const streamsPerSymbol = streamsFor('x', this.market).length;
    const symbolsPerConn = Math.max(1, Math.floor(perConn / streamsPerSymbol));
    for (let i = 0; i < this.symbols.length; i += symbolsPerConn) {
      const group = this.symbols.slice(i, i + symbolsPerConn);
      const index = this.connections.length;
      const log = this.logger.child({ conn: index });
      const conn = new BinanceWsConnection({
        wsUrl: options.urls.wsUrl,
        streams: group.flatMap((s) => streamsFor(s, this.market)),
        clock: options.clock,
        logger: log,
        random: this.random,
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.staleMs ? { staleMs: options.staleMs } : {}),
        ...(options.subscribeMode ? { subscribeMode: options.subscribeMode } : {}),
        maxMessagesPerSecond: this.market === 'spot' ? SPOT_MAX_MESSAGES_PER_SECOND : PERP_MAX_MESSAGES_PER_SECOND,
        onFrame: (data, ts) => this.onFrame(data, ts, index),
        onOpen: ({ reconnect }) => this.onOpen(index, reconnect),
        onClose: ({ code, reason }) => this.onClose(index, code, reason),
        onStale: (silentMs) => {
          this.counters.inc('stale');
          this.reporter.report('', QualityKind.QUALITY_KIND_STALE, `connection ${index}: no data for ${silentMs} ms`);
        },
      });
      this.connections.push({ conn, symbols: group });
    }

    const oiInterval = options.openInterestIntervalMs ?? 5000;
    if (this.market === 'perp' && oiInterval > 0) {
      const limit = options.weightLimitPerMinute ?? PERP_WEIGHT_PER_MINUTE;
      this.poller = new OpenInterestPoller({
        symbols: this.symbols,
        intervalMs: oiInterval,
        maxWeightPerMinute: Math.floor(limit * 0.1),
        fetch: (symbol, signal) => this.rest.openInterest(symbol, signal),
        onTicker: (t) => {
          this.counters.inc('openInterest');
          this.reporter.emit('md.ticker.v1', t.symbol, t);
        },
        onError: () => this.counters.inc('openInterestErrors'),
        clock: options.clock,
        logger: this.logger,
      });
    }
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.abort = new AbortController();
    for (const { conn } of this.connections) conn.start();
    this.poller?.start();
    this.logger.info({ symbols: this.symbols.length, connections: this.connections.length }, 'binance adapter started');
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.abort.abort();
    this.trades.stop();
    this.poller?.stop();
    await Promise.all(this.connections.map(({ conn }) => conn.stop()));
    await this.publisher.flush();
    this.logger.info(this.counters.toJSON(), 'binance adapter stopped');
  }

  /** Resolves when everything handled so far has been handed to the bus. */
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
    for (const { conn } of this.connections) {
      for (const [k, v] of Object.entries(conn.stats)) counters[`ws.${k}`] = (counters[`ws.${k}`] ?? 0) + v;
    }
    const weight = this.limiter.state();
    counters['rest.weightUsed'] = weight.used;
    counters['rest.blockedForMs'] = weight.blockedForMs;
    return {
      exchange: BINANCE,
      market: this.market,
      connected: this.connections.length > 0 && this.connections.every(({ conn }) => conn.connected),
      counters,
      books,
    };
  }

  book(symbol: string): BookView | undefined {
    let s: string;
    try {
      s = normalizeSymbol(symbol);
    } catch {
      return undefined;
    }
    const sync = this.syncs.get(s);
    if (!sync) return undefined;
    return { symbol: s, synced: sync.state === 'synced', lastUpdateId: sync.lastUpdateId, epoch: sync.epoch, book: sync.book };
  }

  /** Forces a connection to drop and reconnect (ops tooling and tests). */
  reconnect(reason = 'requested'): void {
    for (const { conn } of this.connections) conn.reconnect(reason);
  }

  private onFrame(data: Buffer, receivedTs: number, conn: number): void {
    this.counters.inc('frames');
    this.handle(this.parser.parse(data, receivedTs), conn);
  }

  private handle(e: BinanceEvent, conn: number): void {
    switch (e.kind) {
      case 'trade':
        this.counters.inc('trades');
        this.trades.onTrade(e.trade);
        return;
      case 'depth':
        this.counters.inc('depthDiffs');
        this.syncs.get(e.depth.symbol)!.onDiff(e.depth);
        return;
      case 'ticker':
        this.counters.inc('tickers');
        this.reporter.emit('md.ticker.v1', e.ticker.symbol, e.ticker);
        return;
      case 'liquidation':
        this.counters.inc('liquidations');
        this.reporter.emit('md.liquidation.v1', e.liquidation.symbol, e.liquidation);
        return;
      case 'batch':
        for (const inner of e.events) this.handle(inner, conn);
        return;
      case 'response':
        this.counters.inc('responses');
        this.logger.debug({ id: e.id, result: e.result }, 'request acknowledged');
        return;
      case 'venue-error':
        this.counters.inc('venueErrors');
        this.logger.error({ id: e.id, code: e.code, msg: e.msg }, 'venue rejected a request');
        return;
      case 'server-shutdown':
        this.counters.inc('serverShutdowns');
        this.connections[conn]?.conn.reconnect('serverShutdown');
        return;
      case 'error':
        this.onParseError(e);
        return;
    }
  }

  private onParseError(e: ParseError): void {
    const counter = e.reason === 'malformed' ? 'malformed' : e.reason === 'unknown-symbol' ? 'unknownSymbol' : 'unknownEvent';
    this.counters.inc(counter);
    const kind = e.reason === 'unknown-symbol' ? QualityKind.QUALITY_KIND_UNKNOWN_SYMBOL : QualityKind.QUALITY_KIND_MALFORMED;
    if (this.reporter.report(this.syncs.has(e.symbol) ? e.symbol : '', kind, `${e.reason}: ${e.detail}`)) {
      this.logger.warn({ reason: e.reason, detail: e.detail, total: this.counters.get(counter) }, 'frame dropped');
    }
  }

  private onOpen(index: number, reconnect: boolean): void {
    this.counters.inc(reconnect ? 'reconnects' : 'connects');
    if (reconnect) this.reporter.report('', QualityKind.QUALITY_KIND_RECONNECT, `connection ${index} re-established`, true);
    if (reconnect) this.trades.onReconnect(this.connections[index]?.symbols ?? []);
  }

  private onClose(index: number, code: number, reason: string): void {
    this.counters.inc('disconnects');
    // Diffs on the new socket do not continue the old ones: every book of this connection resyncs.
    for (const symbol of this.connections[index]?.symbols ?? []) this.syncs.get(symbol)!.reset();
    this.logger.warn({ conn: index, code, reason }, 'connection lost: books of this connection will resync');
  }

  private requestSnapshot(symbol: string, token: number): void {
    let job = this.snapshotJobs.get(symbol);
    if (!job) {
      job = { wanted: token, running: false, failures: 0, refetches: 0 };
      this.snapshotJobs.set(symbol, job);
    }
    job.wanted = token;
    if (!job.running) void this.runSnapshotJob(symbol, job);
  }

  /** One snapshot fetch at a time per symbol; re-fetches while the sync keeps asking, retries failures. */
  private async runSnapshotJob(symbol: string, job: SnapshotJob): Promise<void> {
    job.running = true;
    const signal = this.abort.signal;
    try {
      while (this.started && !signal.aborted) {
        const token = job.wanted;
        try {
          this.counters.inc('snapshotFetches');
          const snap = await this.rest.depthSnapshot(symbol, this.depthLimit, signal);
          job.failures = 0;
          if (job.wanted === token) job.refetches = 0;
          this.syncs.get(symbol)!.onSnapshot(snap, token);
        } catch (err) {
          if (signal.aborted) return;
          this.counters.inc('snapshotFailures');
          const delay = backoffDelay(job.failures++, { initialMs: this.snapshotRetryMs, maxMs: 30_000 }, this.random);
          this.logger.warn({ symbol, err: String(err), retryInMs: delay }, 'depth snapshot failed');
          await sleep(this.options.clock, delay, signal);
          continue;
        }
        if (job.wanted === token) return; // no newer request arrived meanwhile
        // The sync asked again right away (snapshot too old, or a hole in the buffer): give the
        // stream a moment to move past it instead of spinning on the limiter.
        await sleep(this.options.clock, Math.min(2000, 100 * 2 ** Math.min(job.refetches++, 5)), signal);
      }
    } catch {
      // aborted while sleeping: stop() is in progress
    } finally {
      job.running = false;
    }
  }
}

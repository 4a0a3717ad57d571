import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { status as Status, type Server as GrpcServer } from '@grpc/grpc-js';
import { DEFAULT_HISTORY_DAYS } from '@pricelevel/levels';
import { MemoryCache, type Bus, type Cache, type Clock, type Logger, type Store, type Subscription, type TimerHandle } from '@pricelevel/platform';
import type { HealthImplementation } from 'grpc-health-check';
import { EvaluationRunner } from './evaluation-runner.js';
import { bindGrpc, createGrpcServer, setServing, shutdownGrpc } from './grpc/grpc-server.js';
import { createLevelService } from './grpc/level-service.js';
import { createMarketDataService } from './grpc/market-data-service.js';
import type { OpenStream } from './grpc/stream-writer.js';
import { createHttpRoutes } from './http/health-route.js';
import { WsGateway, type WsGatewayOptions } from './http/ws-gateway.js';
import { checkInstrumentFormat, InstrumentCatalog, type InstrumentRef } from './instruments.js';
import { resolveLimits, type GatewayLimits } from './limits.js';
import { LiveFeeds } from './live-feeds.js';
import { emptyMetrics, type GatewayMetrics } from './metrics.js';
import { WsChannelPublisher } from './ws-channel-publisher.js';

const DAY_MS = 86_400_000;

export interface GatewayServerOptions {
  store: Store;
  bus: Bus;
  /**
   * Carries the WebSocket channel updates between gateway processes (one shared Redis for replicas); by
   * default a private in-memory cache, for a single process. Left open by `stop()` when injected.
   */
  cache?: Cache;
  logger: Logger;
  clock: Clock;
  /** What the system collects; requests for anything else are NOT_FOUND. */
  instruments: readonly InstrumentRef[];
  /** port 0 = any free port (see `start()`'s result). */
  grpc: { host: string; port: number };
  http: { host: string; port: number };
  limits?: Partial<GatewayLimits>;
  /**
   * When set, every gRPC call (health and reflection aside) must carry metadata
   * `authorization: Bearer <token>`, else it is refused with UNAUTHENTICATED; WebSocket upgrades must carry
   * it too (header or `?token=`), else HTTP 401.
   */
  token?: string;
  /** WebSocket heartbeat, replay and origin settings (the token comes from `token`). */
  ws?: Partial<Omit<WsGatewayOptions, 'token'>>;
}

export interface GatewayPorts {
  grpcPort: number;
  httpPort: number;
}

/**
 * The public edge: gRPC MarketDataService and LevelService (+ health, reflection) and HTTP /health +
 * WebSocket /ws. History comes from the Store; live candles, features and level sets from ONE bus
 * subscription per topic (its own consumer group, so every replica sees every message) fanned out in
 * memory to all gRPC streams. WebSocket updates go through the cache instead: the replicas share one bus
 * consumer group that publishes each update once, numbered, and every replica relays what its clients
 * watch, so all replicas send the same numbered messages. The latest level set of each instrument is held in
 * memory, read from the store at start so a restarted gateway answers at once.
 */
export class GatewayServer {
  private readonly limits: GatewayLimits;
  private readonly catalog: InstrumentCatalog;
  private readonly logger: Logger;
  private readonly counters = emptyMetrics();
  private readonly feeds: LiveFeeds;
  private readonly streams = new Set<OpenStream>();
  private readonly ws: WsGateway;
  private readonly grpcServer: GrpcServer;
  private readonly health: HealthImplementation;
  private readonly httpServer: HttpServer;
  private readonly subscriptions: Subscription[] = [];
  private readonly evaluations: EvaluationRunner;
  private readonly cache: Cache;
  private readonly ownsCache: boolean;
  private readonly wsPublisher: WsChannelPublisher;
  private seedRetry: TimerHandle | undefined;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: GatewayServerOptions) {
    this.limits = resolveLimits(options.limits);
    for (const ref of options.instruments) {
      const bad = checkInstrumentFormat(ref);
      if (bad) throw new Error(`gateway instruments: ${bad.message}`);
    }
    this.catalog = new InstrumentCatalog(options.instruments);
    this.logger = options.logger.child({ component: 'gateway' });
    this.feeds = new LiveFeeds(this.logger, this.counters);
    this.ownsCache = options.cache === undefined;
    this.cache = options.cache ?? new MemoryCache({ logger: this.logger, clock: options.clock });
    this.wsPublisher = new WsChannelPublisher(this.cache, this.logger, this.counters);
    const isStopping = () => this.state === 'stopping' || this.state === 'stopped';

    const calls = {
      limits: this.limits, logger: this.logger, metrics: this.counters, streams: this.streams, streamsPerPeer: new Map<string, number>(), isStopping,
    };
    const marketData = createMarketDataService({ ...calls, store: options.store, feeds: this.feeds, catalog: this.catalog, clock: options.clock });
    this.evaluations = new EvaluationRunner({ concurrency: this.limits.evaluationConcurrency, timeoutMs: this.limits.evaluationTimeoutMs, clock: options.clock });
    const levels = createLevelService({
      ...calls,
      store: options.store,
      levels: this.feeds.levels,
      catalog: this.catalog,
      clock: options.clock,
      evaluations: this.evaluations,
      detectorHistory: DEFAULT_HISTORY_DAYS,
    });
    const auth = options.token ? { token: options.token, refused: () => this.counters.grpcUnauthenticated++ } : undefined;
    ({ server: this.grpcServer, health: this.health } = createGrpcServer({ marketData, levels }, auth));

    this.ws = new WsGateway({
      feeds: this.feeds, cache: this.cache, catalog: this.catalog, limits: this.limits, logger: this.logger, metrics: this.counters,
      options: { ...options.ws, token: options.token },
    });
    this.httpServer = createServer(
      createHttpRoutes({ store: options.store, clock: options.clock, logger: this.logger, healthTimeoutMs: this.limits.healthTimeoutMs, isStopping }),
    );
    this.httpServer.on('upgrade', (req, socket, head) => this.ws.handleUpgrade(req, socket, head));
    this.httpServer.on('clientError', (err, socket) => {
      this.logger.debug({ err: err.message }, 'http client error');
      socket.destroy();
    });
  }

  /** Subscribes to the bus, binds both ports, then reports SERVING. Rejects (and releases everything) on failure. */
  async start(): Promise<GatewayPorts> {
    if (this.state !== 'new') throw new Error(`gateway cannot start: it is ${this.state}`);
    this.state = 'starting';
    try {
      const group = `gateway-${randomUUID()}`;
      await this.feeds.subscribe(this.options.bus, group, (s) => this.subscriptions.push(s));
      await this.ws.init();
      await this.wsPublisher.subscribe(this.options.bus, (s) => this.subscriptions.push(s));
      // After subscribing: a set published meanwhile is not missed, and a stored one older than it is ignored.
      await this.seedLevels(this.options.instruments);
      const grpcPort = await bindGrpc(this.grpcServer, this.options.grpc.host, this.options.grpc.port);
      const httpPort = await this.listenHttp();
      setServing(this.health, true);
      this.state = 'running';
      this.logger.info({ grpcPort, httpPort, group, instruments: this.options.instruments.length }, 'gateway listening');
      return { grpcPort, httpPort };
    } catch (err) {
      this.logger.error({ err }, 'gateway failed to start');
      await this.stop();
      throw err;
    }
  }

  /**
   * Graceful stop: health NOT_SERVING, open Watch* streams and running evaluations end with UNAVAILABLE
   * (clients retry elsewhere), WebSocket clients get 1001, servers close; whatever is still open after
   * `limits.shutdownGraceMs` is forced closed. Idempotent. The injected store and bus stay open.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  /** A snapshot of the counters. */
  metrics(): GatewayMetrics {
    return { ...this.counters };
  }

  /**
   * The newest stored set of each instrument. An instrument whose read fails is retried later (the store
   * may still be starting); meanwhile its levels come from the bus alone.
   */
  private async seedLevels(instruments: readonly InstrumentRef[]): Promise<void> {
    const now = this.options.clock.now();
    const failed: InstrumentRef[] = [];
    await Promise.all(instruments.map(async (ref) => {
      try {
        // A day ahead: a set stamped by a detector whose clock runs ahead of ours is still the newest.
        const [set] = await this.options.store.queryLevelSets({ ...ref, fromTs: 0, toTs: now + DAY_MS, limit: 1, tail: true });
        if (set) this.feeds.levels.offer(set);
      } catch (err) {
        failed.push(ref);
        this.logger.warn({ err, instrument: ref }, 'reading the stored level set failed; will retry');
      }
    }));
    if (failed.length > 0 && (this.state === 'starting' || this.state === 'running')) {
      this.seedRetry = this.options.clock.setTimeout(() => void this.seedLevels(failed), this.limits.levelSeedRetryMs);
    }
  }

  private async shutdown(): Promise<void> {
    this.state = 'stopping';
    this.seedRetry?.cancel();
    setServing(this.health, false);
    for (const writer of [...this.streams]) writer.end({ code: Status.UNAVAILABLE, details: 'gateway is shutting down' });
    this.ws.closeAll();

    let graceTimer: { cancel(): void } | undefined;
    const grace = new Promise<void>((resolve) => {
      graceTimer = this.options.clock.setTimeout(resolve, this.limits.shutdownGraceMs);
    });
    const closeSubscriptions = this.subscriptions.map((s) => s.close().catch((err: unknown) => this.logger.warn({ err }, 'closing a bus subscription failed')));
    await Promise.all([...closeSubscriptions, shutdownGrpc(this.grpcServer, grace), this.closeHttp(grace), this.evaluations.stopAll()]);
    graceTimer?.cancel();
    if (this.ownsCache) await this.cache.close();
    this.state = 'stopped';
    this.logger.info(this.metrics(), 'gateway stopped');
  }

  private listenHttp(): Promise<number> {
    const { host, port } = this.options.http;
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.httpServer.once('error', onError);
      this.httpServer.listen(port, host, () => {
        this.httpServer.off('error', onError);
        resolve((this.httpServer.address() as AddressInfo).port);
      });
    });
  }

  private closeHttp(grace: Promise<void>): Promise<void> {
    if (!this.httpServer.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.httpServer.close(() => resolve());
      this.httpServer.closeIdleConnections();
      void grace.then(() => {
        this.ws.terminateAll();
        this.httpServer.closeAllConnections();
      });
    });
  }
}

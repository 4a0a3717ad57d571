import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { credentials, status as Status } from '@grpc/grpc-js';
import { LevelServiceClient } from '@pricelevel/contracts';
import { DEFAULT_HISTORY_DAYS } from '@pricelevel/levels';
import { MemoryCache, type Bus, type Cache, type Clock, type Logger, type Store, type Subscription } from '@pricelevel/platform';
import { EvaluationRunner } from './evaluation-runner.js';
import { bindGrpc, createGrpcServer, setServing, shutdownGrpc, type GrpcParts } from './grpc/grpc-server.js';
import { createLevelService } from './grpc/level-service.js';
import { createRemoteLevelService } from './grpc/remote-level-service.js';
import { LevelSeed } from './level-seed.js';
import { createMarketDataService } from './grpc/market-data-service.js';
import type { OpenStream } from './grpc/stream-writer.js';
import { createHttpRoutes } from './http/health-route.js';
import { createJsonApi } from './http/json-api.js';
import { createStaticFiles } from './http/static-files.js';
import { WsGateway, type WsGatewayOptions } from './http/ws-gateway.js';
import { checkInstrumentFormat, InstrumentCatalog, type InstrumentRef } from './instruments.js';
import { resolveLimits, type GatewayLimits } from './limits.js';
import { LiveFeeds } from './live-feeds.js';
import { emptyMetrics, type GatewayMetrics } from './metrics.js';
import { WsChannelPublisher } from './ws-channel-publisher.js';


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
  /**
   * Where LevelService is answered in distributed mode: the level detector's gRPC server (`host:port`),
   * to which every LevelService call is forwarded. Unset: answered here, from the store and the bus.
   */
  levelService?: { address: string };
  /** A directory of static files (the web UI) served over HTTP at `/`; none when unset. */
  webRoot?: string;
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
  private readonly grpc: GrpcParts;
  private readonly httpServer: HttpServer;
  private readonly subscriptions: Subscription[] = [];
  private readonly evaluations: EvaluationRunner;
  private readonly cache: Cache;
  private readonly ownsCache: boolean;
  private readonly wsPublisher: WsChannelPublisher;
  private readonly levelClient: LevelServiceClient | undefined;
  private readonly levelSeed: LevelSeed;
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
    this.wsPublisher = new WsChannelPublisher(this.cache, this.logger, this.counters, options.instruments);
    const isStopping = () => this.state === 'stopping' || this.state === 'stopped';

    const calls = {
      limits: this.limits, logger: this.logger, metrics: this.counters, streams: this.streams, streamsPerPeer: new Map<string, number>(), isStopping,
    };
    const marketData = createMarketDataService({ ...calls, store: options.store, feeds: this.feeds, catalog: this.catalog, clock: options.clock });
    this.evaluations = new EvaluationRunner({ concurrency: this.limits.evaluationConcurrency, timeoutMs: this.limits.evaluationTimeoutMs, clock: options.clock });
    this.levelSeed = new LevelSeed({ store: options.store, clock: options.clock, logger: this.logger, levels: this.feeds.levels, retryMs: this.limits.levelSeedRetryMs });
    this.levelClient = options.levelService && new LevelServiceClient(options.levelService.address, credentials.createInsecure());
    const levels = this.levelClient ? createRemoteLevelService(this.levelClient, { ...calls, address: options.levelService!.address }) : createLevelService({
      ...calls,
      store: options.store,
      levels: this.feeds.levels,
      catalog: this.catalog,
      clock: options.clock,
      evaluations: this.evaluations,
      detectorHistory: DEFAULT_HISTORY_DAYS,
    });
    const auth = options.token ? { token: options.token, refused: () => this.counters.grpcUnauthenticated++ } : undefined;
    this.grpc = createGrpcServer({ marketData, levels }, auth);

    this.ws = new WsGateway({
      feeds: this.feeds, cache: this.cache, catalog: this.catalog, limits: this.limits, logger: this.logger, metrics: this.counters,
      options: { ...options.ws, token: options.token },
    });
    const api = createJsonApi({
      marketData, levels, logger: this.logger, token: options.token, refused: () => this.counters.grpcUnauthenticated++,
    });
    const staticFiles = options.webRoot === undefined ? undefined : createStaticFiles(options.webRoot);
    this.httpServer = createServer(
      createHttpRoutes({ store: options.store, clock: options.clock, logger: this.logger, healthTimeoutMs: this.limits.healthTimeoutMs, isStopping, api, staticFiles }),
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
      await this.levelSeed.run(this.options.instruments);
      const grpcPort = await bindGrpc(this.grpc.server, this.options.grpc.host, this.options.grpc.port);
      const httpPort = await this.listenHttp();
      setServing(this.grpc, true);
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

  private async shutdown(): Promise<void> {
    this.state = 'stopping';
    this.levelSeed.cancel();
    setServing(this.grpc, false);
    for (const writer of [...this.streams]) writer.end({ code: Status.UNAVAILABLE, details: 'gateway is shutting down' });
    this.ws.closeAll();

    let graceTimer: { cancel(): void } | undefined;
    const grace = new Promise<void>((resolve) => {
      graceTimer = this.options.clock.setTimeout(resolve, this.limits.shutdownGraceMs);
    });
    const closeSubscriptions = this.subscriptions.map((s) => s.close().catch((err: unknown) => this.logger.warn({ err }, 'closing a bus subscription failed')));
    await Promise.all([...closeSubscriptions, shutdownGrpc(this.grpc.server, grace), this.closeHttp(grace), this.evaluations.stopAll()]);
    graceTimer?.cancel();
    this.levelClient?.close();
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

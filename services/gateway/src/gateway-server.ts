import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { status as Status, type Server as GrpcServer } from '@grpc/grpc-js';
import type { Bus, Clock, Logger, Store, Subscription } from '@pricelevel/platform';
import type { HealthImplementation } from 'grpc-health-check';
import { bindGrpc, createGrpcServer, setServing, shutdownGrpc } from './grpc/grpc-server.js';
import { createMarketDataService } from './grpc/market-data-service.js';
import type { OpenStream } from './grpc/stream-writer.js';
import { createHttpRoutes } from './http/health-route.js';
import { WsGateway } from './http/ws-gateway.js';
import { checkInstrumentFormat, InstrumentCatalog, type InstrumentRef } from './instruments.js';
import { resolveLimits, type GatewayLimits } from './limits.js';
import { LiveFeeds } from './live-feeds.js';
import { emptyMetrics, type GatewayMetrics } from './metrics.js';

export interface GatewayServerOptions {
  store: Store;
  bus: Bus;
  logger: Logger;
  clock: Clock;
  /** What the system collects; requests for anything else are NOT_FOUND. */
  instruments: readonly InstrumentRef[];
  /** port 0 = any free port (see `start()`'s result). */
  grpc: { host: string; port: number };
  http: { host: string; port: number };
  limits?: Partial<GatewayLimits>;
}

export interface GatewayPorts {
  grpcPort: number;
  httpPort: number;
}

/**
 * The public edge: gRPC MarketDataService (+ health, reflection) and HTTP /health + WebSocket /ws.
 * History comes from the Store; live candles and features from ONE bus subscription per topic (its own
 * consumer group, so every replica sees every message) fanned out in memory to all gRPC streams and
 * WebSocket clients.
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
    const isStopping = () => this.state === 'stopping' || this.state === 'stopped';

    const marketData = createMarketDataService({
      store: options.store,
      feeds: this.feeds,
      catalog: this.catalog,
      limits: this.limits,
      clock: options.clock,
      logger: this.logger,
      metrics: this.counters,
      streams: this.streams,
      isStopping,
    });
    ({ server: this.grpcServer, health: this.health } = createGrpcServer(marketData));

    this.ws = new WsGateway({ feeds: this.feeds, catalog: this.catalog, limits: this.limits, logger: this.logger, metrics: this.counters });
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
   * Graceful stop: health NOT_SERVING, open WatchCandles/WatchFeatures streams end with UNAVAILABLE
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
    setServing(this.health, false);
    for (const writer of [...this.streams]) writer.end({ code: Status.UNAVAILABLE, details: 'gateway is shutting down' });
    this.ws.closeAll();

    let graceTimer: { cancel(): void } | undefined;
    const grace = new Promise<void>((resolve) => {
      graceTimer = this.options.clock.setTimeout(resolve, this.limits.shutdownGraceMs);
    });
    const closeSubscriptions = this.subscriptions.map((s) => s.close().catch((err: unknown) => this.logger.warn({ err }, 'closing a bus subscription failed')));
    await Promise.all([...closeSubscriptions, shutdownGrpc(this.grpcServer, grace), this.closeHttp(grace)]);
    graceTimer?.cancel();
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

import { randomUUID } from 'node:crypto';
import { status as Status } from '@grpc/grpc-js';
import { DEFAULT_HISTORY_DAYS } from '@pricelevel/levels';
import type { Bus, Clock, Logger, Store, Subscription } from '@pricelevel/platform';
import { EvaluationRunner } from './evaluation-runner.js';
import { bindGrpc, createGrpcServer, setServing, shutdownGrpc, type GrpcParts } from './grpc/grpc-server.js';
import { createLevelService } from './grpc/level-service.js';
import type { OpenStream } from './grpc/stream-writer.js';
import { checkInstrumentFormat, InstrumentCatalog, type InstrumentRef } from './instruments.js';
import { LatestLevels } from './latest-levels.js';
import { LevelSeed } from './level-seed.js';
import { resolveLimits, type GatewayLimits } from './limits.js';
import { LEVELS_TOPIC } from './live-feeds.js';
import { emptyMetrics, type GatewayMetrics } from './metrics.js';

export interface LevelApiServerOptions {
  store: Store;
  bus: Bus;
  logger: Logger;
  clock: Clock;
  instruments: readonly InstrumentRef[];
  /** port 0 = any free port (see `start()`'s result). */
  grpc: { host: string; port: number };
  limits?: Partial<GatewayLimits>;
  /** As on the gateway: when set, every call must carry `authorization: Bearer <token>`. */
  token?: string;
}

/**
 * The level detector's LevelService over gRPC (with health and reflection), for the gateways of a
 * distributed deployment: the same service the gateway answers in one process, from the sets the detector
 * publishes (followed on the bus, seeded from the store) and the stored history and candles.
 */
export class LevelApiServer {
  private readonly grpc: GrpcParts;
  private readonly counters = emptyMetrics();
  private readonly levels: LatestLevels;
  private readonly seed: LevelSeed;
  private readonly evaluations: EvaluationRunner;
  private readonly streams = new Set<OpenStream>();
  private readonly limits: GatewayLimits;
  private readonly logger: Logger;
  private subscription: Subscription | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: LevelApiServerOptions) {
    for (const ref of options.instruments) {
      const bad = checkInstrumentFormat(ref);
      if (bad) throw new Error(`level api instruments: ${bad.message}`);
    }
    this.limits = resolveLimits(options.limits);
    this.logger = options.logger.child({ component: 'level-api' });
    this.levels = new LatestLevels(this.logger, () => this.counters.listenerErrors++);
    this.seed = new LevelSeed({ store: options.store, clock: options.clock, logger: this.logger, levels: this.levels, retryMs: this.limits.levelSeedRetryMs });
    this.evaluations = new EvaluationRunner({ concurrency: this.limits.evaluationConcurrency, timeoutMs: this.limits.evaluationTimeoutMs, clock: options.clock });
    const levels = createLevelService({
      limits: this.limits,
      logger: this.logger,
      metrics: this.counters,
      streams: this.streams,
      streamsPerPeer: new Map(),
      isStopping: () => this.stopping,
      store: options.store,
      levels: this.levels,
      catalog: new InstrumentCatalog(options.instruments),
      clock: options.clock,
      evaluations: this.evaluations,
      detectorHistory: DEFAULT_HISTORY_DAYS,
    });
    const auth = options.token ? { token: options.token, refused: () => this.counters.grpcUnauthenticated++ } : undefined;
    this.grpc = createGrpcServer({ levels }, auth);
  }

  /** Follows the level sets (every process its own group: each needs every set), seeds, binds, reports SERVING. */
  async start(): Promise<number> {
    try {
      this.subscription = await this.options.bus.subscribe({ topic: LEVELS_TOPIC, group: `level-api-${randomUUID()}` }, async (batch) => {
        for (const { value } of batch) {
          this.counters.busLevelSets++;
          if (!this.levels.offer(value)) this.counters.staleLevelSets++;
        }
      });
      await this.seed.run(this.options.instruments);
      const port = await bindGrpc(this.grpc.server, this.options.grpc.host, this.options.grpc.port);
      setServing(this.grpc, true);
      this.logger.info({ port }, 'level service listening');
      return port;
    } catch (err) {
      this.logger.error({ err }, 'level service failed to start');
      await this.stop();
      throw err;
    }
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.seed.cancel();
      setServing(this.grpc, false);
      for (const stream of [...this.streams]) stream.end({ code: Status.UNAVAILABLE, details: 'the level service is shutting down' });
      let timer: { cancel(): void } | undefined;
      const grace = new Promise<void>((resolve) => (timer = this.options.clock.setTimeout(resolve, this.limits.shutdownGraceMs)));
      await Promise.all([this.subscription?.close(), shutdownGrpc(this.grpc.server, grace), this.evaluations.stopAll()]);
      timer?.cancel();
      this.logger.info(this.metrics(), 'level service stopped');
    })();
    return this.stopped;
  }

  metrics(): GatewayMetrics {
    return { ...this.counters };
  }
}

import type { INestApplicationContext } from '@nestjs/common';
import { MetricsRegistry, registerProcessMetrics, startOpsServer, type OpsServer, type Platform } from '@pricelevel/platform';
import type { ServiceName } from './app.js';
import { registerServiceMetrics } from './service-metrics.js';

export interface ProcessOps extends OpsServer {
  registry: MetricsRegistry;
}

/**
 * Starts the operations server of this process: the metrics of the services it runs plus process
 * metrics, and readiness on the store. A port that cannot be listened on is logged, not fatal: the
 * services keep running without it (several processes on one host must set distinct OPS_PORTs).
 */
export async function startProcessOps(platform: Platform, context: INestApplicationContext, services: readonly ServiceName[]): Promise<ProcessOps | undefined> {
  const { logger, config } = platform;
  const registry = new MetricsRegistry((name, err) => logger.warn({ err, metric: name }, 'collecting a metric failed'));
  registerServiceMetrics(registry, context, services, platform.bus);
  const stopSampling = registerProcessMetrics(registry, platform.clock.now() - process.uptime() * 1000);
  let server: OpsServer;
  try {
    server = await startOpsServer({
      host: config.OPS_HOST,
      port: config.OPS_PORT,
      registry,
      checks: readinessChecks(platform),
      logger,
    });
  } catch (err) {
    stopSampling();
    logger.error({ err, host: config.OPS_HOST, port: config.OPS_PORT }, 'ops server could not listen; running without /health and /metrics');
    return undefined;
  }
  logger.info({ host: config.OPS_HOST, port: server.port }, 'ops listening');
  return {
    registry,
    port: server.port,
    markStopping: () => server.markStopping(),
    close: async () => {
      stopSampling();
      await server.close();
    },
  };
}

/** What a process needs to do its work: the store, and the broker and cache where they are remote. */
function readinessChecks({ store, bus, cache }: Platform): { name: string; check: () => Promise<void> }[] {
  const checks = [{ name: 'store', check: () => store.ping() }];
  if (bus.ping) checks.push({ name: 'bus', check: bus.ping.bind(bus) });
  if (cache.ping) checks.push({ name: 'cache', check: cache.ping.bind(cache) });
  return checks;
}

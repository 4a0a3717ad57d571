import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { AggregatorModule } from '@pricelevel/aggregator';
import { CollectorModule } from '@pricelevel/collector';
import { FeatureModule } from '@pricelevel/feature';
import { GatewayModule, LevelApiModule } from '@pricelevel/gateway';
import { LevelDetectorModule } from '@pricelevel/level-detector';
import type { Platform } from '@pricelevel/platform';
import { webRoot } from '@pricelevel/web';
import { startProcessOps, type ProcessOps } from './process-ops.js';

export const SERVICES = ['collector', 'aggregator', 'feature', 'level-detector', 'gateway'] as const;
export type ServiceName = (typeof SERVICES)[number];

function moduleFor(name: ServiceName, platform: Platform): DynamicModule {
  switch (name) {
    case 'collector':
      return CollectorModule.register(platform);
    case 'aggregator':
      return AggregatorModule.register(platform);
    case 'feature':
      return FeatureModule.register(platform);
    case 'level-detector':
      return LevelDetectorModule.register(platform);
    case 'gateway':
      return GatewayModule.register(platform, { webRoot });
  }
}

/**
 * A level detector without a gateway beside it (distributed mode) serves LevelService over gRPC itself,
 * for the gateways to forward to (LEVEL_SERVICE_ADDRESS); with one, the gateway answers it in-process.
 */
function modulesFor(services: readonly ServiceName[], platform: Platform): DynamicModule[] {
  const modules = services.map((s) => moduleFor(s, platform));
  if (services.includes('level-detector') && !services.includes('gateway')) modules.push(LevelApiModule.register(platform));
  return modules;
}

class RootModule {}

export interface RunningApp {
  context: INestApplicationContext;
  /** The operations server (/health, /metrics) on OPS_HOST:OPS_PORT; undefined when it could not listen. */
  ops: ProcessOps | undefined;
  /** Stops the services (flushing what they buffer), then the platform's adapters. Idempotent. */
  close(): Promise<void>;
}

/**
 * Boots the given services in one NestJS application context on one platform. NestJS does wiring,
 * lifecycle and shutdown only; the hot path never goes through it.
 */
export async function startApp(platform: Platform, services: readonly ServiceName[]): Promise<RunningApp> {
  await platform.store.migrate();
  const context = await NestFactory.createApplicationContext(
    { module: RootModule, imports: modulesFor(services, platform) },
    { logger: ['error', 'warn'], abortOnError: false },
  );
  const ops = await startProcessOps(platform, context, services);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      platform.logger.info('shutting down');
      ops?.markStopping();
      await context.close();
      await platform.close();
      await ops?.close();
      platform.logger.info('stopped');
    })());
  return { context, ops, close };
}

/** Keeps the process up until SIGINT/SIGTERM, then shuts down gracefully. */
export function closeOnSignal(app: RunningApp, extra: () => Promise<void> = async () => undefined): Promise<void> {
  return new Promise((resolve) => {
    // The platform clock's timers are unref'd, and a service without a listening server (the collector
    // between two connections, say) may hold no other handle: without this the process would end with 0.
    const keepAlive = setInterval(() => undefined, 60_000);
    const stop = () => {
      clearInterval(keepAlive);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void app
        .close()
        .then(extra)
        .finally(() => resolve());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

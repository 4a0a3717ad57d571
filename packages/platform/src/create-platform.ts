import { TOPIC_NAMES } from '@pricelevel/contracts';
import { KafkaBus } from './bus/kafka-bus.js';
import { MemoryBus } from './bus/memory-bus.js';
import type { Bus } from './bus/bus.js';
import type { Cache } from './cache/cache.js';
import { MemoryCache } from './cache/memory-cache.js';
import { RedisCache } from './cache/redis-cache.js';
import { systemClock } from './clock/clock.js';
import type { Config } from './config/config.js';
import { createLogger } from './logging/logger.js';
import { storeFromConfig } from './store/store-from-config.js';
import type { Store } from './store/store.js';
import type { Platform } from './tokens.js';

/**
 * Builds the adapters a process runs with, once, from the validated config. Each port follows its
 * own variable (see Config.PL_MODE), so a process can, say, consume Kafka and write chDB.
 */
export async function createPlatform(config: Config, options: { service: string }): Promise<Platform> {
  const logger = createLogger({ level: config.PL_LOG_LEVEL, name: `pricelevel-${options.service}` });
  const clock = systemClock;
  let bus: Bus;
  if (config.KAFKA_BROKERS.length > 0) {
    const kafka = new KafkaBus({
      brokers: config.KAFKA_BROKERS,
      clientId: `${config.KAFKA_CLIENT_ID}-${options.service}`,
      logger,
      clock,
      consumer: { sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS, heartbeatInterval: config.KAFKA_HEARTBEAT_MS },
    });
    // Best effort: a cluster without CreateTopics (or without the right) must have them provisioned.
    await kafka.ensureTopics(TOPIC_NAMES).catch((err: unknown) => logger.warn({ err }, 'could not ensure Kafka topics'));
    bus = kafka;
  } else bus = new MemoryBus({ logger, clock });
  const store: Store = await storeFromConfig(config, logger);
  const cache: Cache = config.REDIS_URL ? new RedisCache({ url: config.REDIS_URL, logger }) : new MemoryCache({ logger, clock });
  logger.info(
    {
      bus: config.KAFKA_BROKERS.length > 0 ? 'kafka' : 'memory',
      store: config.CLICKHOUSE_URL ? 'clickhouse' : 'chdb',
      cache: config.REDIS_URL ? 'redis' : 'memory',
    },
    'platform ready',
  );
  let closing: Promise<void> | undefined;
  return {
    config,
    bus,
    store,
    cache,
    clock,
    logger,
    close: () =>
      (closing ??= (async () => {
        // Bus first: in-flight work drains into the store before it closes.
        await bus.flush().catch((err: unknown) => logger.error({ err }, 'bus flush failed at shutdown'));
        await bus.close();
        await cache.close();
        await store.close();
      })()),
  };
}

import type { Bus } from './bus/bus.js';
import type { Cache } from './cache/cache.js';
import type { Clock } from './clock/clock.js';
import type { Config } from './config/config.js';
import type { Logger } from './logging/logger.js';
import type { Store } from './store/store.js';

/** Injection tokens for the NestJS wiring of every service (plain strings: no reflection needed). */
export const TOKENS = {
  config: 'pricelevel.config',
  bus: 'pricelevel.bus',
  store: 'pricelevel.store',
  cache: 'pricelevel.cache',
  clock: 'pricelevel.clock',
  logger: 'pricelevel.logger',
} as const;

/** The adapters a process runs with, built once at start from the config. */
export interface Platform {
  config: Config;
  bus: Bus;
  store: Store;
  cache: Cache;
  clock: Clock;
  logger: Logger;
  /** Flushes and closes every adapter (bus first, so in-flight work reaches the store). */
  close(): Promise<void>;
}

export * from './bus/bus.js';
export * from './cache/cache.js';
export * from './clock/clock.js';
export * from './store/store.js';
export * from './logging/logger.js';
export * from './config/config.js';

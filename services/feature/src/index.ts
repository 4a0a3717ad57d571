export * from './feature-service.js';
export * from './feature-writer.js';
export * from './feature.module.js';
export * from './instrument-features.js';
export * from './live-book.js';
export * from './recompute.js';
export * from './compare-rows.js';

export * from './latency-histogram.js';
export * from './quality-ledger.js';

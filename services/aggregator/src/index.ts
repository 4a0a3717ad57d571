export * from './aggregator.js';
export * from './aggregator.module.js';
export * from './quality-recorder.js';
export * from './quality-ledger-service.js';

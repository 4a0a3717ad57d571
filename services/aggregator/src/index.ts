export * from './aggregator.js';
export * from './aggregator.module.js';

export * from './bars.js';
export * from './evaluation/types.js';
export { evaluateLevels, defaultStepBars, defaultHorizonBars, DEFAULT_BOUNCE_MULTIPLE, MIN_RANDOM_DRAWS } from './evaluation/evaluate.js';
export * from './labels.js';
export * from './bars-csv.js';
export * from './config.js';
export { detectLevels, type DetectedLevels } from './detect.js';
export { dailyAtr } from './atr.js';
export { roundStep, roundNumbersBetween } from './round-numbers.js';

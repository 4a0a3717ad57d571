export * from './level-detector.js';
export * from './level-detector.module.js';
export * from './stored-bars.js';

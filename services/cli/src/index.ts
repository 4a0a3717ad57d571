export * from './app.js';
export * from './cli.js';

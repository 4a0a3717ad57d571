export * from './book-snapshot.js';
export * from './book-feature-table.js';
export * from './book-feature-calculator.js';

export * from './book/book-side.js';
export * from './book/order-book.js';
export * from './candles/index.js';
export * from './quality/index.js';
export * from './recent-ids.js';
export * from './features/book/index.js';
export * from './dataset/index.js';
export * from './features/flow/index.js';

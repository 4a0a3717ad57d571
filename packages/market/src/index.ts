export * from './book/book-side.js';
export * from './book/order-book.js';
export * from './candles/index.js';
export * from './quality/index.js';

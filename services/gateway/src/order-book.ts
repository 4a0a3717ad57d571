import type { BookSnapshot } from '@pricelevel/contracts';
import { invalid } from './instruments.js';
import { fail, type Resolved } from './query-args.js';

/** Levels per side GetOrderBook returns when the request sends depth 0. */
export const DEFAULT_BOOK_DEPTH = 20;
/** Snapshots carry at most 100 levels per side. */
export const MAX_BOOK_DEPTH = 100;

/** A GetOrderBook `depth`: 0 = the default, else 1..MAX_BOOK_DEPTH. */
export function resolveDepth(depth: number): Resolved<number> {
  if (!Number.isInteger(depth) || depth < 0) return fail(invalid(`depth must be >= 0, got ${depth}`));
  if (depth > MAX_BOOK_DEPTH) return fail(invalid(`depth ${depth} exceeds the maximum of ${MAX_BOOK_DEPTH}`));
  return { ok: true, value: depth === 0 ? DEFAULT_BOOK_DEPTH : depth };
}

/** The snapshot with its best `depth` levels per side (the held snapshot is not changed). */
export function cutBook(snapshot: BookSnapshot, depth: number): BookSnapshot {
  return {
    ...snapshot,
    bidPrices: snapshot.bidPrices.slice(0, depth),
    bidSizes: snapshot.bidSizes.slice(0, depth),
    askPrices: snapshot.askPrices.slice(0, depth),
    askSizes: snapshot.askSizes.slice(0, depth),
  };
}

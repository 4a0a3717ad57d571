import { readFileSync } from 'node:fs';
import type { BookSnapshot } from '@pricelevel/contracts';
import { expect } from 'vitest';
import { OrderBook, emptyBookSnapshot, type BookSnapshotMeta } from '../../src/index.js';

/** 2024-01-01T00:00:00Z. */
export const T0 = Date.UTC(2024, 0, 1);

export const meta = (ts: number, resyncing = false): BookSnapshotMeta => ({
  exchange: 'binance',
  market: 'spot',
  symbol: 'BTCUSDT',
  ts,
  resyncing,
  bookEpoch: 1,
  lastUpdateId: 14527958487,
  bookTs: ts - 7,
});

/** A snapshot from best-first [price, size] levels. */
export function snap(ts: number, bids: [number, number][], asks: [number, number][], resyncing = false): BookSnapshot {
  const s = emptyBookSnapshot(meta(ts, resyncing));
  for (const [p, q] of bids) {
    s.bidPrices.push(p);
    s.bidSizes.push(q);
  }
  for (const [p, q] of asks) {
    s.askPrices.push(p);
    s.askSizes.push(q);
  }
  return s;
}

interface RestDepth {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
}

/** A real Binance REST depth body (fixtures/binance, provenance in fixtures/PROVENANCE.md), as numbers. */
export function restDepth(name: string): { lastUpdateId: number; bids: [number, number][]; asks: [number, number][] } {
  const body = JSON.parse(readFileSync(new URL(`../../../../fixtures/binance/${name}`, import.meta.url), 'utf8')) as RestDepth;
  const num = (l: [string, string][]) => l.map(([p, q]) => [Number(p), Number(q)] as [number, number]);
  return { lastUpdateId: body.lastUpdateId, bids: num(body.bids), asks: num(body.asks) };
}

export function fixtureBook(name: string): OrderBook {
  const d = restDepth(name);
  const book = new OrderBook();
  book.loadSnapshot(d.bids, d.asks);
  return book;
}

/** Equal to a hand-computed value within a relative 1e-9 (the literals are rounded decimals). */
export function expectClose(actual: number, expected: number, rel = 1e-9): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(Math.abs(expected) * rel);
}

import { expect } from 'vitest';
import { Completeness, PositionSide, Side, type BookSnapshot, type Liquidation, type OrderFlow, type Trade } from '@pricelevel/contracts';
import { OrderFlowEngine, type OrderFlowOptions } from '../../src/index.js';

/** 2024-01-01T00:00:00Z. */
export const T0 = Date.UTC(2024, 0, 1);
export const INSTRUMENT = { exchange: 'bybit', market: 'perp', symbol: 'BTCUSDT' } as const;

export function engine(o: Partial<OrderFlowOptions> = {}): OrderFlowEngine {
  return new OrderFlowEngine({ ...INSTRUMENT, intervals: [], ...o });
}

let nextId = 1;

/** An aggressive trade; received 5 ms after it happened unless told. */
export function trade(ts: number, price: number, size: number, side: 'buy' | 'sell', o: Partial<Trade> = {}): Trade {
  return {
    ...INSTRUMENT,
    tradeId: String(nextId++),
    price,
    size,
    side: side === 'buy' ? Side.SIDE_BUY : Side.SIDE_SELL,
    exchangeTs: ts,
    receivedTs: ts + 5,
    tradeCount: 1,
    ...o,
  };
}

/** A liquidation order: a SELL closes a long. */
export function liquidation(ts: number, price: number, size: number, side: 'buy' | 'sell', o: Partial<Liquidation> = {}): Liquidation {
  return {
    ...INSTRUMENT,
    side: side === 'buy' ? Side.SIDE_BUY : Side.SIDE_SELL,
    liquidatedPosition: PositionSide.POSITION_SIDE_UNSPECIFIED,
    price,
    size,
    completeness: Completeness.COMPLETENESS_FULL,
    exchangeTs: ts,
    receivedTs: ts + 5,
    ...o,
  };
}

/** A snapshot from best-first [price, size] levels. */
export function snap(ts: number, bids: [number, number][] = [], asks: [number, number][] = [], resyncing = false): BookSnapshot {
  return {
    ...INSTRUMENT,
    ts,
    resyncing,
    bookEpoch: 1,
    lastUpdateId: 1,
    bookTs: ts - 3,
    bidPrices: bids.map((l) => l[0]),
    bidSizes: bids.map((l) => l[1]),
    askPrices: asks.map((l) => l[0]),
    askSizes: asks.map((l) => l[1]),
  };
}

/** The flow of one interval out of a closeSecond result. */
export function flowOf(flows: OrderFlow[], interval: string): OrderFlow {
  const f = flows.find((x) => x.interval === interval);
  if (f === undefined) throw new Error(`no ${interval} flow among ${flows.map((x) => x.interval).join(',')}`);
  return f;
}

/** Feeds the trades and closes the second ending at `end`; returns its outputs. */
export function closeWith(e: OrderFlowEngine, end: number, trades: Trade[], book: BookSnapshot = snap(end)): OrderFlow[] {
  for (const t of trades) expect(e.addTrade(t)).toBe(true);
  return e.closeSecond(book.ts === end ? book : { ...book, ts: end });
}

/** A seeded generator (mulberry32), so random tapes are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

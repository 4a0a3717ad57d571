import { Side, type Candle, type Trade } from '@pricelevel/contracts';
import { expect } from 'vitest';

/** 2024-01-01T00:00:00Z: a day boundary, so every interval's windows start here. */
export const T0 = Date.UTC(2024, 0, 1);
export const MIN = 60_000;

export function trade(
  ts: number,
  price: number,
  size: number,
  side: 'buy' | 'sell' = 'buy',
  tradeCount = 1,
): Trade {
  return {
    exchange: 'binance',
    market: 'spot',
    symbol: 'BTCUSDT',
    tradeId: String(ts),
    price,
    size,
    side: side === 'buy' ? Side.SIDE_BUY : Side.SIDE_SELL,
    exchangeTs: ts,
    receivedTs: ts,
    tradeCount,
  };
}

/** A sink that records every emission, with look-ups by interval. */
export function recorder() {
  const all: Candle[] = [];
  return {
    all,
    sink: (c: Candle) => {
      all.push(c);
    },
    of: (interval: string) => all.filter((c) => c.interval === interval),
    /** The highest version of each candle of `interval`, by open time. */
    latest(interval: string): Candle[] {
      const m = new Map<number, Candle>();
      for (const c of all) {
        if (c.interval !== interval) continue;
        const prev = m.get(c.openTime);
        if (!prev || c.version > prev.version) m.set(c.openTime, c);
      }
      return [...m.values()].sort((a, b) => a.openTime - b.openTime);
    },
    clear: () => {
      all.length = 0;
    },
  };
}

function close(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Market fields equal (sums to 1e-9 relative: summation order may differ); version and final ignored. */
export function expectSameCandle(actual: Candle | undefined, expected: Candle | undefined, what = ''): void {
  if (!actual || !expected)
    return expect.fail(`${what}: missing candle (actual ${!!actual}, expected ${!!expected})`);
  const label = `${what} ${expected.interval}@${new Date(expected.openTime).toISOString()}`;
  for (const k of [
    'interval',
    'openTime',
    'closeTime',
    'tradeCount',
    'exchange',
    'market',
    'symbol',
  ] as const) {
    if (actual[k] !== expected[k]) expect.fail(`${label}: ${k} ${actual[k]} != ${expected[k]}`);
  }
  for (const k of [
    'open',
    'high',
    'low',
    'close',
    'volume',
    'quoteVolume',
    'buyVolume',
    'buyQuoteVolume',
  ] as const) {
    if (!close(actual[k], expected[k])) expect.fail(`${label}: ${k} ${actual[k]} != ${expected[k]}`);
  }
}

export function expectSameCandles(actual: Candle[], expected: Candle[], what = ''): void {
  expect(
    actual.map((c) => c.openTime),
    what,
  ).toEqual(expected.map((c) => c.openTime));
  actual.forEach((c, i) => expectSameCandle(c, expected[i], what));
}

/** Seeded PRNG (mulberry32) so a failing property case can be replayed. */
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

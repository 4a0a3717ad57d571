import { describe, expect, it } from 'vitest';
import { TIMEFRAME_MS, mergeBars, rollUpBars, type Bar } from '../src/index.js';

const H = TIMEFRAME_MS['1h'];
const bar = (i: number, o: number, h: number, l: number, c: number, v: number): Bar => ({ openTime: i * H, open: o, high: h, low: l, close: c, volume: v });

describe('rollUpBars', () => {
  it('folds whole buckets of 1h bars into 4h bars and leaves out partial ones', () => {
    const hours = [bar(4, 10, 12, 9, 11, 1), bar(5, 11, 15, 10, 14, 2), bar(6, 14, 14, 8, 9, 3), bar(7, 9, 10, 9, 10, 4), bar(8, 10, 11, 10, 11, 5)];
    expect(rollUpBars(hours, H, TIMEFRAME_MS['4h'])).toEqual([{ openTime: 4 * H, open: 10, high: 15, low: 8, close: 10, volume: 10 }]);
    expect(rollUpBars(hours.slice(1), H, TIMEFRAME_MS['4h'])).toEqual([]); // the 04:00 bucket lacks its first hour
  });

  it('refuses timeframes that do not divide', () => {
    expect(() => rollUpBars([], TIMEFRAME_MS['4h'], TIMEFRAME_MS['1h'])).toThrow(RangeError);
  });
});

describe('mergeBars', () => {
  it('prefers the first series where both have a bar and sorts by time', () => {
    const venue = [bar(2, 1, 1, 1, 1, 1)];
    const built = [bar(1, 2, 2, 2, 2, 2), bar(2, 3, 3, 3, 3, 3)];
    expect(mergeBars(venue, built).map((b) => [b.openTime / H, b.open])).toEqual([[1, 2], [2, 1]]);
  });
});

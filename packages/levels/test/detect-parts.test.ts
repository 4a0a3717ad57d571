import { describe, expect, it } from 'vitest';
import { dailyAtr, roundNumbersBetween, roundStep } from '../src/index.js';
import { dbscan1d, splitWide } from '../src/dbscan.js';
import { dailyBars } from './level-series.js';

describe('dbscan1d', () => {
  it('finds dense runs, attaches border points and leaves noise out', () => {
    // eps 1, min samples 3: 0,0.5,1 and 10,10.5,11,11.8 are dense; 5 is noise; 12.7 is a border point of 11.8.
    const keys = [0, 0.5, 1, 5, 10, 10.5, 11, 11.8, 12.7];
    expect(dbscan1d(keys, 1, 3)).toEqual([[0, 2], [4, 8]]);
    expect(dbscan1d(keys, 1, 5)).toEqual([]);
    expect(dbscan1d([], 1, 1)).toEqual([]);
  });

  it('splits wide chains at their largest gap', () => {
    const v = [0, 1, 2, 3, 10, 11, 12, 13];
    const out: Array<[number, number]> = [];
    splitWide(v, 0, 7, 5, 3, out);
    expect(out).toEqual([[0, 3], [4, 7]]);
  });
});

describe('round numbers', () => {
  it('picks 1, 2.5 or 5 × 10^k at least as large as asked', () => {
    expect(roundStep(40_000 * 0.025)).toBe(1000);
    expect(roundStep(159)).toBe(250);
    expect(roundStep(271)).toBe(500);
    expect(roundStep(13.56)).toBe(25);
    expect(roundStep(0.0075)).toBe(0.01);
    expect(roundStep(0)).toBe(0);
  });

  it('lists exact multiples', () => {
    expect(roundNumbersBetween(0.28, 0.32, 0.01)).toEqual([0.28, 0.29, 0.3, 0.31, 0.32]);
    expect(roundNumbersBetween(5800, 7100, 500)).toEqual([6000, 6500, 7000]);
  });
});

describe('dailyAtr', () => {
  it('computes Wilder and simple averages of true ranges', () => {
    // True ranges: 2 (first bar), then 4, 3 and 2, the last two set by the previous close.
    const bars = dailyBars([[10, 11, 9, 10], [10, 14, 10, 13], [13, 13, 10, 10], [10, 12, 11, 11]]);
    expect(dailyAtr(bars, 3, 'simple')).toBeCloseTo((4 + 3 + 2) / 3, 12);
    const seed = (2 + 4 + 3) / 3;
    expect(dailyAtr(bars, 3, 'wilder')).toBeCloseTo((seed * 2 + 2) / 3, 12);
    expect(dailyAtr(bars.slice(0, 2), 3)).toBeCloseTo((2 + 4) / 2, 12);
    expect(dailyAtr([], 7)).toBe(0);
  });
});

import { LevelKind, type Level } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEVEL_CONFIG, TIMEFRAME_MS, detectLevels, resolveLevelConfig, type TimeframeBars } from '../src/index.js';
import { DAY, T0, d1Only, dailyBars, rangeRows, realBarsAsOf } from './level-series.js';

function expectWellFormed(r: ReturnType<typeof detectLevels>): void {
  for (const x of [r.currentPrice, r.atr, r.asOf]) expect(Number.isFinite(x)).toBe(true);
  let prev: Level | undefined;
  for (const l of r.levels) {
    for (const x of [l.price, l.zoneLow, l.zoneHigh, l.score, l.distanceAtr, l.touchVolumeRatio, l.firstTouchTs, l.lastTouchTs]) {
      expect(Number.isFinite(x)).toBe(true);
    }
    expect(l.zoneLow).toBeLessThanOrEqual(l.price);
    expect(l.price).toBeLessThanOrEqual(l.zoneHigh);
    expect(l.score).toBeGreaterThanOrEqual(0);
    expect(l.score).toBeLessThanOrEqual(1);
    expect(l.bounces + l.breaks).toBeLessThanOrEqual(l.touches);
    expect(l.falseBreakouts).toBeLessThanOrEqual(l.breaks);
    expect(l.firstTouchTs).toBeLessThanOrEqual(l.lastTouchTs);
    expect(l.kind).toBe(l.price < r.currentPrice ? LevelKind.LEVEL_KIND_SUPPORT : LevelKind.LEVEL_KIND_RESISTANCE);
    expect(Math.sign(l.distanceAtr)).toBe(Math.sign(l.price - r.currentPrice));
    expect(l.id).toMatch(/^lv-[0-9a-f]{8}(-\d+)?$/);
    if (prev) expect(l.zoneLow).toBeGreaterThan(prev.zoneHigh); // ascending, no overlaps
    prev = l;
  }
  expect(new Set(r.levels.map((l) => l.id)).size).toBe(r.levels.length);
  const below = r.levels.filter((l) => l.kind === LevelKind.LEVEL_KIND_SUPPORT);
  const above = r.levels.filter((l) => l.kind === LevelKind.LEVEL_KIND_RESISTANCE);
  expect(r.nearestSupport).toBe(below[below.length - 1]);
  expect(r.nearestResistance).toBe(above[0]);
}

describe('edge cases', () => {
  it('no bars: nothing, all zeros', () => {
    expect(detectLevels({ d1: [], h4: [], h1: [] })).toEqual({ currentPrice: 0, atr: 0, asOf: 0, levels: [] });
  });

  it('too few daily bars: no levels, but price, ATR and time of what there is', () => {
    const bars = dailyBars(rangeRows(1).slice(0, 5));
    const r = detectLevels(d1Only(bars));
    expect(r.levels).toEqual([]);
    expect(r.currentPrice).toBe(113);
    expect(r.asOf).toBe(T0 + 5 * DAY);
    expect(r.atr).toBeGreaterThan(0);
  });

  it('a flat series has no levels and no NaN', () => {
    const flat = dailyBars(Array.from({ length: 300 }, () => [100, 100, 100, 100] as const));
    const r = detectLevels({ d1: flat, h4: [], h1: [] });
    expect(r).toEqual({ currentPrice: 100, atr: 0, asOf: T0 + 300 * DAY, levels: [] });
  });

  it('takes price and time from whichever timeframe closed last', () => {
    const d1 = dailyBars(rangeRows(20));
    const lastDayClose = d1[d1.length - 1]!.openTime + DAY;
    const h1 = [{ openTime: lastDayClose, open: 103, high: 104, low: 102, close: 103.7, volume: 1 }];
    const r = detectLevels({ d1, h4: [], h1 }, { extremaWindowD1: 3 });
    expect(r.currentPrice).toBe(103.7);
    expect(r.asOf).toBe(lastDayClose + TIMEFRAME_MS['1h']);
    expectWellFormed(r);
  });

  it('output is well formed on constructed and real data, with every filter on or off', () => {
    const cases: TimeframeBars[] = [d1Only(dailyBars(rangeRows(30))), realBarsAsOf('BTC', '2018-11-01'), realBarsAsOf('XRP', '2021-06-01'), realBarsAsOf('BNB', '2022-10-11')];
    for (const bars of cases) {
      expectWellFormed(detectLevels(bars));
      expectWellFormed(detectLevels(bars, { touchFilter: false, ageFilter: false, volumeFilter: false, epsilonMode: 'percent', atrMethod: 'simple' }));
      expectWellFormed(detectLevels(bars, { approachFilter: true, volumeProfile: false, roundNumbers: false, clusterH4Extrema: false }));
    }
  });

  it('rejects unusable config values, naming them', () => {
    expect(() => resolveLevelConfig({ atrPeriod: 0 })).toThrow(/atrPeriod/);
    expect(() => resolveLevelConfig({ epsilonPct: -1 })).toThrow(/epsilonPct/);
    expect(() => resolveLevelConfig({ volumeFactor: Number.NaN })).toThrow(/volumeFactor/);
    expect(() => resolveLevelConfig({ scoreWeights: { touches: 0, bounces: 0, volume: 0, recency: 0, confluence: 0 } })).toThrow(/scoreWeights/);
    expect(resolveLevelConfig({})).toEqual(DEFAULT_LEVEL_CONFIG);
  });
});

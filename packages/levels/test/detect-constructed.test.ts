import { describe, expect, it } from 'vitest';
import { LevelKind, LevelSource, type Level } from '@pricelevel/contracts';
import { detectLevels, type LevelConfig } from '../src/index.js';
import { DAY, T0, d1Only, dailyBars, rangeRows } from './level-series.js';

// Constructed daily series have no 4h/1h bars (the volume filter passes without them) and a short extrema
// window: the range swings every 8 bars, so ±3 bars isolates each top and bottom.
const CFG: Partial<LevelConfig> = { extremaWindowD1: 3 };
const near = (levels: Level[], price: number, tol: number) => levels.filter((l) => Math.abs(l.price - price) <= tol);
const has = (l: Level, s: LevelSource) => l.sources.includes(s);

describe('a range bouncing between 100 and 120', () => {
  const CYCLES = 20;
  const bars = dailyBars(rangeRows(CYCLES));
  const r = detectLevels(d1Only(bars), CFG);

  it('finds support at 100 and resistance at 120 from the extrema, with every touch counted', () => {
    const [support] = near(r.levels, 100, 0.5);
    const [resistance] = near(r.levels, 120, 0.5);
    expect(support).toBeDefined();
    expect(resistance).toBeDefined();
    expect(support!.kind).toBe(LevelKind.LEVEL_KIND_SUPPORT);
    expect(resistance!.kind).toBe(LevelKind.LEVEL_KIND_RESISTANCE);
    expect(has(support!, LevelSource.LEVEL_SOURCE_EXTREMA)).toBe(true);
    expect(has(resistance!, LevelSource.LEVEL_SOURCE_EXTREMA)).toBe(true);
    // 100 and 120 are also round numbers at this price (step 5): the zones record both sources.
    expect(has(support!, LevelSource.LEVEL_SOURCE_ROUND_NUMBER)).toBe(true);
    // One touch per cycle, each closing back inside the range: all bounces.
    for (const l of [support!, resistance!]) {
      expect(l.touches).toBe(CYCLES);
      expect(l.bounces).toBe(CYCLES);
      expect(l.breaks).toBe(0);
      expect(l.falseBreakouts).toBe(0);
      expect(l.timeframes).toEqual(['1d']);
      expect(l.zoneLow).toBeLessThan(l.price);
      expect(l.zoneHigh).toBeGreaterThan(l.price);
    }
    expect(support!.firstTouchTs).toBe(T0 + 7 * DAY);
    expect(support!.lastTouchTs).toBe(T0 + (CYCLES * 8 - 1) * DAY);
    expect(resistance!.firstTouchTs).toBe(T0 + 3 * DAY);
    expect(r.nearestSupport?.id).toBe(support!.id);
  });

  it('scores the range edges above the round numbers inside the range', () => {
    const edges = [...near(r.levels, 100, 0.5), ...near(r.levels, 120, 0.5)];
    const inner = r.levels.filter((l) => l.price > 101 && l.price < 119);
    expect(inner.length).toBeGreaterThan(0); // 105, 110, 115 are crossed, hence touched
    for (const l of inner) {
      expect(l.sources).toEqual([LevelSource.LEVEL_SOURCE_ROUND_NUMBER]);
      for (const e of edges) expect(e.score).toBeGreaterThan(l.score);
    }
  });

  it('reports the price, ATR and time of the last bar', () => {
    expect(r.currentPrice).toBe(103);
    expect(r.asOf).toBe(T0 + CYCLES * 8 * DAY);
    expect(r.atr).toBeGreaterThan(4.5);
    expect(r.atr).toBeLessThan(6);
    const [support] = near(r.levels, 100, 0.5);
    expect(support!.distanceAtr).toBeCloseTo((support!.price - 103) / r.atr, 12);
  });

  it('keeps the ids when one more bar that touches neither edge is appended', () => {
    const more = detectLevels(d1Only([...bars, { openTime: T0 + CYCLES * 8 * DAY, open: 103, high: 107.5, low: 102.5, close: 107, volume: 1 }]), CFG);
    for (const p of [100, 120]) {
      const before = near(r.levels, p, 0.5)[0]!;
      const after = near(more.levels, p, 0.5)[0]!;
      expect(after.id).toBe(before.id);
      expect(after.touches).toBe(before.touches);
    }
    expect(near(r.levels, 100, 0.5)[0]!.id).not.toBe(near(r.levels, 120, 0.5)[0]!.id);
  });

  it('is deterministic and leaves its input untouched', () => {
    const copy = structuredClone(bars);
    expect(detectLevels(d1Only(bars), CFG)).toEqual(r);
    expect(bars).toEqual(copy);
  });
});

describe('a broken level', () => {
  // 12 cycles of the range, then a breakdown through 100 that never comes back (down to ~80 and flat).
  const breakdown: Array<readonly [number, number, number, number]> = [
    [103, 105.5, 96, 96.5], // enters 100 from above, closes below: a break
    [96.5, 97, 92, 92.5],
    [92.5, 93, 88, 88.5],
    [88.5, 89, 84, 84.5],
  ];
  const tail: Array<readonly [number, number, number, number]> = Array.from({ length: 10 }, () => [84.5, 86, 83, 84.5] as const);
  const bars = dailyBars([...rangeRows(12), ...breakdown, ...tail]);

  it('turns support into resistance and counts the break', () => {
    const r = detectLevels(d1Only(bars), CFG);
    const [level] = near(r.levels, 100, 0.5);
    expect(level).toBeDefined();
    expect(level!.kind).toBe(LevelKind.LEVEL_KIND_RESISTANCE);
    expect(level!.touches).toBe(13);
    expect(level!.bounces).toBe(12);
    expect(level!.breaks).toBe(1);
    expect(level!.falseBreakouts).toBe(0);
    expect(r.nearestResistance?.price).toBeLessThanOrEqual(level!.price);
  });

  it('counts a false breakout when a close returns above within the window', () => {
    const fake = dailyBars([...rangeRows(12), [103, 105.5, 96, 96.5], [96.5, 104, 96, 103.5], ...rangeRows(2)]);
    const r = detectLevels(d1Only(fake), CFG);
    const [level] = near(r.levels, 100, 0.5);
    expect(level!.breaks).toBe(1);
    expect(level!.falseBreakouts).toBe(1);
    expect(level!.bounces).toBe(14);
    expect(level!.touches).toBe(15);
  });
});

describe('a round number', () => {
  // A drift from 960 to 1040 and back, three times: price crosses 1000 six times without any swing point near it.
  const rows: Array<readonly [number, number, number, number]> = [];
  let p = 960;
  for (let leg = 0; leg < 6; leg++) {
    const dir = leg % 2 === 0 ? 1 : -1;
    for (let i = 0; i < 16; i++) {
      const q = p + dir * 5;
      rows.push([p, Math.max(p, q) + 1, Math.min(p, q) - 1, q]);
      p = q;
    }
  }
  const r = detectLevels(d1Only(dailyBars(rows)), { ...CFG, minSamples: 50 });

  it('is a level of its own source, touched on each crossing', () => {
    const [level] = near(r.levels, 1000, 1e-9);
    expect(level).toBeDefined();
    expect(level!.sources).toEqual([LevelSource.LEVEL_SOURCE_ROUND_NUMBER]);
    expect(level!.touches).toBe(6);
    expect(level!.breaks).toBe(6);
    expect(r.levels.every((l) => !l.sources.includes(LevelSource.LEVEL_SOURCE_EXTREMA))).toBe(true);
  });

  it('needs fewer touches than an extrema level, and the filters can be switched', () => {
    expect(near(detectLevels(d1Only(dailyBars(rows)), { ...CFG, minSamples: 50, minTouchesRound: 7 }).levels, 1000, 1e-9)).toEqual([]);
    expect(near(detectLevels(d1Only(dailyBars(rows)), { ...CFG, minSamples: 50, minTouchesRound: 7, touchFilter: false }).levels, 1000, 1e-9)).toHaveLength(1);
    expect(detectLevels(d1Only(dailyBars(rows)), { ...CFG, minSamples: 50, roundNumbers: false }).levels).toEqual([]);
  });
});

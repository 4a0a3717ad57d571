import { describe, expect, it } from 'vitest';
import { applyLiveCandle, forgetVersions, mergeCandles, readCandle, type ChartCandle } from '../src/app/candles.js';

const c = (openTime: number, version: number, close = 100, final = false, source: 'trades' | 'exchange' = 'trades'): ChartCandle => ({
  openTime, open: 100, high: 101, low: 99, close, volume: 1, buyVolume: 0.5, version, final, source,
});

describe('candles', () => {
  it('reads proto3 JSON with defaults left out and int64 as strings', () => {
    expect(readCandle({ openTime: '1700000000000', open: 1, high: 2, low: 0.5, close: 1.5, version: 3 })).toEqual({
      openTime: 1_700_000_000_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 0, buyVolume: 0, version: 3, final: false, source: 'trades',
    });
  });

  it('merges by openTime, ascending, the newest version winning whichever side holds it', () => {
    const held = [c(0, 1), c(60_000, 2, 101), c(120_000, 1)];
    const merged = mergeCandles(held, [c(60_000, 1, 999), c(120_000, 3, 103), c(-60_000, 1)]);
    expect(merged.map((x) => [x.openTime, x.version, x.close])).toEqual([
      [-60_000, 1, 100], [0, 1, 100], [60_000, 2, 101], [120_000, 3, 103],
    ]);
    expect(held).toHaveLength(3);
  });

  it('prefers the final candle of the same version, and otherwise the incoming one', () => {
    expect(mergeCandles([c(0, 2, 100, true)], [c(0, 2, 200, false)])[0]!.close).toBe(100);
    expect(mergeCandles([c(0, 2, 100, false)], [c(0, 2, 200, true)])[0]!.close).toBe(200);
    expect(mergeCandles([c(0, 2, 100, false)], [c(0, 2, 200, false)])[0]!.close).toBe(200);
  });

  it('prefers a candle built from trades over the venue kline of the same time, whatever the versions', () => {
    const merged = mergeCandles([c(0, 1, 1, true, 'exchange'), c(60_000, 1, 2, true, 'exchange')], [c(60_000, 1, 3, false, 'trades')]);
    expect(merged.map((x) => [x.close, x.source])).toEqual([[1, 'exchange'], [3, 'trades']]);
    expect(mergeCandles(merged, [c(60_000, 9, 4, true, 'exchange')])[1]!.close).toBe(3);
    expect(readCandle({ source: 'exchange' }).source).toBe('exchange');
  });

  it('applies live updates: the last bar in place, a new bar appended, an older version ignored, a past bar merged', () => {
    const held = [c(0, 1), c(60_000, 1)];
    expect(applyLiveCandle(held, c(60_000, 2, 105))).toBe('last');
    expect(held.at(-1)!.close).toBe(105);
    expect(applyLiveCandle(held, c(60_000, 1, 1))).toBe('ignored');
    expect(applyLiveCandle(held, c(120_000, 1))).toBe('last');
    expect(held).toHaveLength(3);
    expect(applyLiveCandle(held, c(0, 0))).toBe('ignored');
    expect(applyLiveCandle(held, c(0, 2, 90))).toBe('all');
    expect(held.map((x) => x.close)).toEqual([90, 105, 100]);
    const empty: ChartCandle[] = [];
    expect(applyLiveCandle(empty, c(0, 1))).toBe('last');
  });

  it('after forgetting versions (a restarted gateway) the next update of a candle wins', () => {
    const held = [c(0, 7, 100, true)];
    forgetVersions(held);
    expect(applyLiveCandle(held, c(0, 1, 123))).toBe('last');
    expect(held[0]!.close).toBe(123);
  });
});

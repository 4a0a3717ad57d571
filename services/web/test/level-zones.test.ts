import { describe, expect, it } from 'vitest';
import { levelSetView, levelZone, zoneRects } from '../src/app/level-zones.js';

describe('level zones', () => {
  it('turns a level set into bands with side and score label', () => {
    const view = levelSetView({
      version: 4,
      currentPrice: 100,
      levels: [
        { id: 'a', price: 95, zoneLow: 94.5, zoneHigh: 95.5, kind: 'LEVEL_KIND_SUPPORT', score: 0.823, timeframes: ['1d', '4h'] },
        { id: 'b', price: 110, zoneLow: 109, zoneHigh: 111, kind: 'LEVEL_KIND_RESISTANCE', score: 0.4, timeframes: [] },
      ],
    });
    expect(view.version).toBe(4);
    expect(view.zones).toEqual([
      { id: 'a', low: 94.5, high: 95.5, price: 95, side: 'support', score: 0.823, label: 'S 0.82 · 1d 4h' },
      { id: 'b', low: 109, high: 111, price: 110, side: 'resistance', score: 0.4, label: 'R 0.40' },
    ]);
  });

  it('reads proto3 JSON with defaults left out: no zone is the price alone, an unspecified kind goes by the current price', () => {
    expect(levelZone({ price: 90 }, 100)).toMatchObject({ low: 90, high: 90, side: 'support', score: 0, label: 'S 0.00', id: '90' });
    expect(levelZone({ price: 120, zoneLow: 121, zoneHigh: 119 }, 100)).toMatchObject({ low: 119, high: 121, side: 'resistance' });
    expect(levelSetView({}).zones).toEqual([]);
  });

  it('maps zones to pixel bands, leaving out those off the pane or without coordinates', () => {
    const zones = [
      levelZone({ price: 95, zoneLow: 94, zoneHigh: 96, score: 1 }, 100),
      levelZone({ price: 100, score: 0 }, 100),
      levelZone({ price: 500, zoneLow: 499, zoneHigh: 501 }, 100),
      levelZone({ price: 1, zoneLow: 0.5, zoneHigh: 1.5 }, 100),
    ];
    // y = 1000 - 10 × price; the pane is 200 px high (prices 80 … 100 are visible)
    const rects = zoneRects(zones, (p) => (p === 1 || p === 0.5 || p === 1.5 ? null : 1000 - 10 * p), 200);
    expect(rects.map((r) => [r.zone.price, r.top, r.height, r.alpha, r.lineY])).toEqual([
      [95, 40, 20, 0.32, 50],
      [100, 0, 1, 0.08, 0.5],
    ]);
    // A band taller than half the pane (zoomed in) is drawn fainter, its line and label kept in view.
    const tall = zoneRects([zones[0]!], (p) => 9800 - 100 * p, 300)[0]!;
    expect([tall.top, tall.height, tall.alpha, tall.lineY]).toEqual([200, 200, 0.16, 292]);
  });
});

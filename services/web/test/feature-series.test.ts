import { describe, expect, it } from 'vitest';
import { FEATURE_SERIES, formatValue, pointOf, pushPoint, type FeaturePoint } from '../src/app/feature-series.js';

describe('feature series', () => {
  it('covers spread, imbalance, pressure, delta and walls with proto field names', () => {
    expect(FEATURE_SERIES.map((s) => [s.id, s.source, s.lines.map((l) => l.field)])).toEqual([
      ['spread', 'features', ['spreadPct']],
      ['imbalance', 'features', ['volumeImbalance']],
      ['pressure', 'features', ['buyPressure', 'sellPressure']],
      ['delta', 'flow', ['delta']],
      ['walls', 'flow', ['bidWalls', 'askWalls']],
    ]);
  });

  it('keeps null (not defined yet) as null, and times a flow second by its close', () => {
    expect(pointOf('features', { ts: 5000, spreadPct: null }, 'spreadPct')).toEqual({ ts: 5000, value: null });
    expect(pointOf('features', { ts: 5000 }, 'spreadPct')).toEqual({ ts: 5000, value: null });
    expect(pointOf('flow', { openTime: 4000, closeTime: 5000, delta: -1.5 }, 'delta')).toEqual({ ts: 5000, value: -1.5 });
  });

  it('keeps a bounded window ascending by time', () => {
    const pts: FeaturePoint[] = [];
    expect(pushPoint(pts, { ts: 1, value: 1 }, 3)).toBe('appended');
    expect(pushPoint(pts, { ts: 1, value: 2 }, 3)).toBe('replaced');
    expect(pushPoint(pts, { ts: 0, value: 9 }, 3)).toBe('ignored');
    for (const ts of [2, 3, 4]) pushPoint(pts, { ts, value: ts }, 3);
    expect(pts).toEqual([{ ts: 2, value: 2 }, { ts: 3, value: 3 }, { ts: 4, value: 4 }]);
  });

  it('shows an undefined value as a dash, never 0', () => {
    expect([formatValue(null), formatValue(0), formatValue(0.01234), formatValue(-2.5), formatValue(1234.56), formatValue(2e-5)]).toEqual([
      '—', '0.0000', '0.0123', '-2.500', '1234.6', '2.00e-5',
    ]);
  });
});

import { num, numOrNull, type Json } from './json-fields.js';

/** The small live charts of the features panel, and where each value comes from. */
export interface FeatureSeriesDef {
  id: string;
  title: string;
  /** `features` = BookFeatures (each second), `flow` = the 1 s OrderFlow. */
  source: 'features' | 'flow';
  lines: { field: string; name: string; color: 'up' | 'down' | 'accent' }[];
  style: 'line' | 'histogram';
}

export const FEATURE_SERIES: readonly FeatureSeriesDef[] = [
  { id: 'spread', title: 'Spread %', source: 'features', style: 'line', lines: [{ field: 'spreadPct', name: 'spread %', color: 'accent' }] },
  { id: 'imbalance', title: 'Volume imbalance', source: 'features', style: 'line', lines: [{ field: 'volumeImbalance', name: 'imbalance', color: 'accent' }] },
  {
    id: 'pressure', title: 'Pressure', source: 'features', style: 'line',
    lines: [{ field: 'buyPressure', name: 'buy', color: 'up' }, { field: 'sellPressure', name: 'sell', color: 'down' }],
  },
  { id: 'delta', title: 'Delta (1 s)', source: 'flow', style: 'histogram', lines: [{ field: 'delta', name: 'delta', color: 'accent' }] },
  {
    id: 'walls', title: 'Walls', source: 'flow', style: 'line',
    lines: [{ field: 'bidWalls', name: 'bid', color: 'up' }, { field: 'askWalls', name: 'ask', color: 'down' }],
  },
];

/** One value of a line: null = not defined yet (drawn as a hole). */
export interface FeaturePoint {
  /** ms */
  ts: number;
  value: number | null;
}

/** The time a features or flow message stands for: BookFeatures.ts, or the close of the flow's second. */
export function featureTime(source: 'features' | 'flow', data: Json): number {
  return source === 'features' ? num(data, 'ts') : num(data, 'closeTime');
}

/**
 * Appends a point to a window of at most `max` points, ascending by time: a point for a time already held
 * replaces it, an older one is dropped.
 */
export function pushPoint(points: FeaturePoint[], p: FeaturePoint, max: number): 'appended' | 'replaced' | 'ignored' {
  const last = points.at(-1);
  if (last && p.ts < last.ts) return 'ignored';
  if (last && p.ts === last.ts) {
    points[points.length - 1] = p;
    return 'replaced';
  }
  points.push(p);
  if (points.length > max) points.splice(0, points.length - max);
  return 'appended';
}

export function pointOf(source: 'features' | 'flow', data: Json, field: string): FeaturePoint {
  return { ts: featureTime(source, data), value: numOrNull(data, field) };
}

/** A panel's current value: a dash while not defined yet, never 0. */
export function formatValue(v: number | null): string {
  if (v === null) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.001 || a >= 1e6)) return v.toExponential(2);
  return v.toFixed(a >= 100 ? 1 : a >= 1 ? 3 : 4);
}

import type { Level } from '@pricelevel/contracts';
import type { Prng } from './prng.js';

export interface Zone {
  low: number;
  high: number;
}

/** Index of the first value ≥ x in an ascending array. */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A random stand-in for `level`: its centre is a close drawn from `pool` (the closes of the lookback,
 * ascending) among those between 0.5 and 1.5 times the level's distance from `price`, on either side,
 * so it follows where price actually traded at about the same distance; the zone keeps the level's
 * shape (width and offset of the centre). With no close in that band, the centre is uniform in it on a
 * random side.
 */
export function randomZone(pool: Float64Array, price: number, level: Level, rng: Prng): Zone {
  const below = level.price - level.zoneLow;
  const above = level.zoneHigh - level.price;
  // A level at the price itself still gets a band of one zone width.
  const d = Math.max(Math.abs(level.price - price), level.zoneHigh - level.zoneLow);
  const aLo = lowerBound(pool, price - 1.5 * d);
  const aHi = lowerBound(pool, price - 0.5 * d);
  const bLo = lowerBound(pool, price + 0.5 * d);
  const bHi = lowerBound(pool, price + 1.5 * d);
  const n = aHi - aLo + (bHi - bLo);
  let centre: number;
  if (n > 0) {
    const k = rng.int(n);
    centre = pool[k < aHi - aLo ? aLo + k : bLo + k - (aHi - aLo)]!;
  } else {
    const side = rng.next() < 0.5 ? -1 : 1;
    centre = price + side * d * (0.5 + rng.next());
  }
  return { low: centre - below, high: centre + above };
}

/** The round-number step for a price: 5 × 10^(digits − 2), e.g. 500 at 9 000, 50 at 300, 0.05 at 0.5. */
export function roundUnit(price: number): number {
  return 5 * 10 ** (Math.floor(Math.log10(price)) - 1);
}

/** At most this many round levels per step (the nearest to the price). */
const MAX_ROUND_LEVELS = 50;

/**
 * Round-number zones spanning the same prices as the detector's levels of a step (from the lowest to the
 * highest level), each as wide as the median zone of those levels.
 */
export function roundZones(price: number, levels: readonly Level[]): Zone[] {
  if (levels.length === 0 || !(price > 0)) return [];
  const widths = levels.map((l) => l.zoneHigh - l.zoneLow).sort((a, b) => a - b);
  const width = widths[Math.floor(widths.length / 2)]!;
  const unit = roundUnit(price);
  const lowest = Math.min(...levels.map((l) => l.price));
  const highest = Math.max(...levels.map((l) => l.price));
  const near = Math.round(price / unit);
  const centres: number[] = [];
  const kHi = Math.min(Math.floor(highest / unit), near + MAX_ROUND_LEVELS);
  for (let k = Math.max(Math.ceil(lowest / unit), near - MAX_ROUND_LEVELS); k <= kHi; k++) centres.push(k * unit);
  centres.sort((a, b) => Math.abs(a - price) - Math.abs(b - price));
  return centres.slice(0, MAX_ROUND_LEVELS).map((c) => ({ low: c - width / 2, high: c + width / 2 }));
}

/** Candle intervals the system builds, with their length in ms. */
export const INTERVALS = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
} as const;

export type Interval = keyof typeof INTERVALS;
export const INTERVAL_NAMES = Object.keys(INTERVALS) as Interval[];

export function isInterval(s: string): s is Interval {
  return Object.prototype.hasOwnProperty.call(INTERVALS, s);
}

import { bool, num, str, type Json } from './json-fields.js';

/** The candle fields the chart uses. */
export interface ChartCandle {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  buyVolume: number;
  version: number;
  final: boolean;
  /** "trades" (built by pricelevel, and every live update) or "exchange" (the venue's klines, backfilled history). */
  source: 'trades' | 'exchange';
}

export function readCandle(o: Json): ChartCandle {
  return {
    openTime: num(o, 'openTime'),
    open: num(o, 'open'),
    high: num(o, 'high'),
    low: num(o, 'low'),
    close: num(o, 'close'),
    volume: num(o, 'volume'),
    buyVolume: num(o, 'buyVolume'),
    version: num(o, 'version'),
    final: bool(o, 'final'),
    source: str(o, 'source') === 'exchange' ? 'exchange' : 'trades',
  };
}

/**
 * Whether `next` supersedes `held` (same openTime). A candle built from trades beats the venue's kline (it
 * is what the live updates continue); between two of one source, a higher version, or the final one of
 * the same version.
 */
export function supersedes(next: ChartCandle, held: ChartCandle): boolean {
  if (next.source !== held.source) return next.source === 'trades';
  if (next.version !== held.version) return next.version > held.version;
  return next.final || !held.final;
}

/**
 * `held` (ascending by openTime, one per openTime) with `incoming` merged in: one candle per openTime, the
 * newest version winning. Returns a new array; `held` is not changed.
 */
export function mergeCandles(held: readonly ChartCandle[], incoming: readonly ChartCandle[]): ChartCandle[] {
  const byTime = new Map<number, ChartCandle>();
  for (const c of held) byTime.set(c.openTime, c);
  for (const c of incoming) {
    const prev = byTime.get(c.openTime);
    if (!prev || supersedes(c, prev)) byTime.set(c.openTime, c);
  }
  return [...byTime.values()].sort((a, b) => a.openTime - b.openTime);
}

/**
 * One live update applied to `held`, in place when it is the last candle or a new one after it (the usual
 * case, cheap); returns what the chart must do: nothing (an older version), update the last bar, or reset.
 */
export function applyLiveCandle(held: ChartCandle[], c: ChartCandle): 'ignored' | 'last' | 'all' {
  const last = held.at(-1);
  if (!last || c.openTime > last.openTime) {
    held.push(c);
    return 'last';
  }
  if (c.openTime === last.openTime) {
    if (!supersedes(c, last)) return 'ignored';
    held[held.length - 1] = c;
    return 'last';
  }
  const i = held.findIndex((h) => h.openTime === c.openTime);
  if (i >= 0 && !supersedes(c, held[i]!)) return 'ignored';
  const merged = mergeCandles(held, [c]);
  held.splice(0, held.length, ...merged);
  return 'all';
}

/**
 * After the gateway restarted (another epoch), its candle builder numbers versions afresh: the held
 * versions no longer compare, so the next update of each candle wins.
 */
export function forgetVersions(held: ChartCandle[]): void {
  for (let i = 0; i < held.length; i++) held[i] = { ...held[i]!, version: 0, final: false };
}

/** Chart time (UTC seconds) of a millisecond timestamp. */
export function chartTime(ms: number): number {
  return Math.floor(ms / 1000);
}

export const INTERVAL_MS: Record<string, number> = {
  '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '4h': 14_400_000, '1d': 86_400_000,
};

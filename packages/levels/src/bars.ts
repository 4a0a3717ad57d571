/**
 * One OHLCV candle as the level detector reads it: from the store (candles of any source) or from a
 * CSV file `open_time_ms,open,high,low,close,volume`. Times are epoch ms.
 */
export interface Bar {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The three timeframes the detector combines, each oldest first. Only closed bars. */
export interface TimeframeBars {
  d1: readonly Bar[];
  h4: readonly Bar[];
  h1: readonly Bar[];
}

export const TIMEFRAME_MS = { '1d': 86_400_000, '4h': 14_400_000, '1h': 3_600_000 } as const;
export type LevelTimeframe = keyof typeof TIMEFRAME_MS;

/**
 * Bars of a longer timeframe folded from a shorter one (e.g. 4h from 1h), epoch-aligned. A bucket is
 * kept only when every one of its bars is present, so a partial bucket never poses as a whole one.
 */
export function rollUpBars(bars: readonly Bar[], fromMs: number, toMs: number): Bar[] {
  const per = toMs / fromMs;
  if (!Number.isInteger(per) || per < 1) throw new RangeError(`cannot roll ${fromMs} ms bars up to ${toMs} ms`);
  const out: Bar[] = [];
  let acc: Bar | undefined;
  let count = 0;
  const flush = () => {
    if (acc && count === per) out.push(acc);
    acc = undefined;
    count = 0;
  };
  for (const b of bars) {
    const start = Math.floor(b.openTime / toMs) * toMs;
    if (acc && acc.openTime !== start) flush();
    if (!acc) {
      acc = { openTime: start, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
    } else {
      if (b.high > acc.high) acc.high = b.high;
      if (b.low < acc.low) acc.low = b.low;
      acc.close = b.close;
      acc.volume += b.volume;
    }
    count++;
  }
  flush();
  return out;
}

/** Merges bar series by open time: the first series wins where several have a bar; oldest first. */
export function mergeBars(...series: (readonly Bar[])[]): Bar[] {
  const byTime = new Map<number, Bar>();
  for (const s of series) for (const b of s) if (!byTime.has(b.openTime)) byTime.set(b.openTime, b);
  return [...byTime.values()].sort((a, b) => a.openTime - b.openTime);
}

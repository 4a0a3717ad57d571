import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TIMEFRAME_MS, parseBarsCsv, type Bar, type TimeframeBars } from '../src/index.js';

export const DAY = TIMEFRAME_MS['1d'];
export const T0 = Date.UTC(2021, 0, 1);

/** Daily bars from [open, high, low, close] rows, one day apart from T0, volume 1 (2 on the given rows). */
export function dailyBars(rows: ReadonlyArray<readonly [number, number, number, number]>, start = T0): Bar[] {
  return rows.map(([open, high, low, close], i) => ({ openTime: start + i * DAY, open, high, low, close, volume: 1 }));
}

/**
 * One 8-day swing of a range: up from 103 to a top bar with high exactly 120 (close 117), down to a bottom bar
 * with low exactly 100 (close 103). Every other bar's range stays ≥ 2.5 away from 100 and 120.
 */
export const RANGE_CYCLE: ReadonlyArray<readonly [number, number, number, number]> = [
  [103, 107.5, 102.5, 107],
  [107, 111.5, 106.5, 111],
  [111, 115.5, 110.5, 115],
  [115, 120, 114.5, 117], // top: touches 120, closes back below
  [117, 117.5, 112.5, 113],
  [113, 113.5, 108.5, 109],
  [109, 109.5, 104.5, 105],
  [105, 105.5, 100, 103], // bottom: touches 100, closes back above
];

export function rangeRows(cycles: number): Array<readonly [number, number, number, number]> {
  const rows: Array<readonly [number, number, number, number]> = [];
  for (let c = 0; c < cycles; c++) rows.push(...RANGE_CYCLE);
  return rows;
}

export const d1Only = (d1: Bar[]): TimeframeBars => ({ d1, h4: [], h1: [] });

const OHLCV = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/ohlcv');
const cache = new Map<string, Bar[]>();

export function fixtureBars(symbol: 'BTC' | 'ETH' | 'BNB' | 'XRP', tf: '1d' | '4h' | '1h'): Bar[] {
  const key = `${symbol}${tf}`;
  let bars = cache.get(key);
  if (!bars) {
    bars = parseBarsCsv(fs.readFileSync(path.join(OHLCV, `binance_spot_${symbol}USDT_${tf}.csv`), 'utf8'));
    cache.set(key, bars);
  }
  return bars;
}

/** The bars closed by `asOf`: the last 5 years of 1d, 1 year of 4h, 90 days of 1h, as the service feeds them. */
export function realBarsAsOf(symbol: 'BTC' | 'ETH' | 'BNB' | 'XRP', asOf: string | number): TimeframeBars {
  const t = typeof asOf === 'number' ? asOf : Date.parse(asOf);
  const cut = (bars: Bar[], ms: number, spanDays: number) =>
    bars.filter((b) => b.openTime + ms <= t && b.openTime >= t - spanDays * DAY);
  return {
    d1: cut(fixtureBars(symbol, '1d'), TIMEFRAME_MS['1d'], 5 * 365),
    h4: cut(fixtureBars(symbol, '4h'), TIMEFRAME_MS['4h'], 365),
    h1: cut(fixtureBars(symbol, '1h'), TIMEFRAME_MS['1h'], 90),
  };
}

/**
 * `/v5/market/kline` the venue's way, as a pure function of the trades sent: buckets by trade time
 * (intervals 1,3,5,15,30,60,120,240,360,720 minutes, D, W from Monday 00:00 UTC, M from the 1st),
 * OHLC from trade prices, volume and turnover as exact decimal sums (BigInt over the scaled
 * strings), buckets without trades flat at the previous close. Paging as Bybit: the newest `limit`
 * (1–1000, default 200) candles with start in [start, end], newest first. Before the session, rows
 * come from real historical candles (history.ts), in the same format.
 */
import { formatScaled, parseScaled } from '../decimal.js';
import type { SimTrade } from '../instrument-sim.js';
import type { HistoryCandle } from '../klines.js';
import type { SymbolSpec } from '../symbol-spec.js';
import { trimZeros } from './spec.js';

export const BYBIT_KLINE_INTERVALS = ['1', '3', '5', '15', '30', '60', '120', '240', '360', '720', 'D', 'W', 'M'] as const;
export type BybitInterval = (typeof BYBIT_KLINE_INTERVALS)[number];

/** [startTime, open, high, low, close, volume, turnover], all strings. */
export type BybitKlineRow = [string, string, string, string, string, string, string];

const DAY = 86_400_000;

export function isBybitInterval(s: string): s is BybitInterval {
  return (BYBIT_KLINE_INTERVALS as readonly string[]).includes(s);
}

export function bucketStart(t: number, iv: BybitInterval): number {
  if (iv === 'M') {
    const d = new Date(t);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  if (iv === 'W') return Math.floor((t - 4 * DAY) / (7 * DAY)) * 7 * DAY + 4 * DAY; // 1970-01-05 was a Monday
  const ms = iv === 'D' ? DAY : Number(iv) * 60_000;
  return Math.floor(t / ms) * ms;
}

export function nextBucket(start: number, iv: BybitInterval): number {
  if (iv === 'M') {
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  if (iv === 'W') return start + 7 * DAY;
  return start + (iv === 'D' ? DAY : Number(iv) * 60_000);
}

function lowerBound(trades: readonly SimTrade[], t: number): number {
  let lo = 0;
  let hi = trades.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (trades[mid]!.time < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One candle from the trades with time in [start, end). */
export function bybitKline(spec: SymbolSpec, trades: readonly SimTrade[], start: number, end: number, prevClose: string): BybitKlineRow {
  const pd = spec.priceDecimals;
  const qd = spec.qtyDecimals;
  const from = lowerBound(trades, start);
  const to = lowerBound(trades, end);
  let open = prevClose;
  let close = prevClose;
  let high: bigint | null = null;
  let low: bigint | null = null;
  let vol = 0n;
  let turnover = 0n;
  for (let i = from; i < to; i++) {
    const t = trades[i]!;
    const p = parseScaled(t.priceStr, pd);
    const q = parseScaled(t.qtyStr, qd);
    if (i === from) open = trimZeros(formatScaled(p, pd));
    close = trimZeros(formatScaled(p, pd));
    if (high === null || p > high) high = p;
    if (low === null || p < low) low = p;
    vol += q;
    turnover += p * q;
  }
  const px = (v: bigint | null) => (v === null ? prevClose : trimZeros(formatScaled(v, pd)));
  return [String(start), open, px(high), px(low), close, trimZeros(formatScaled(vol, qd)), trimZeros(formatScaled(turnover, pd + qd))];
}

/** Length of a fixed-length interval (W and M are calendar buckets: no history is served for them). */
export function bybitIntervalMs(iv: BybitInterval): number | undefined {
  if (iv === 'W' || iv === 'M') return undefined;
  return iv === 'D' ? DAY : Number(iv) * 60_000;
}

/**
 * A historical candle as a Bybit row. The CSVs hold OHLCV only, so turnover is estimated as
 * volume × (high+low+close)/3, as the Binance simulator does for quote volume.
 */
export function bybitHistoryKline(spec: SymbolSpec, c: HistoryCandle): BybitKlineRow {
  const pd = spec.priceDecimals;
  const qd = spec.qtyDecimals;
  const units = (s: string) => parseScaled(s, pd, true);
  const p = (s: string) => trimZeros(formatScaled(units(s), pd));
  const vol = parseScaled(c.volume, qd, true);
  const typical = (units(c.high) + units(c.low) + units(c.close)) / 3n;
  const turnover = vol * typical;
  return [String(c.openTime), p(c.open), p(c.high), p(c.low), p(c.close), trimZeros(formatScaled(vol, qd)), trimZeros(formatScaled(turnover, pd + qd))];
}

export interface BybitKlineQuery {
  interval: BybitInterval;
  start?: number;
  end?: number;
  limit: number;
}

/**
 * Historical candles (ascending, all closed before the session's first bucket), then the session's from
 * its first bucket up to the one containing `now`, paged as the venue does.
 */
export function queryBybitKlines(
  spec: SymbolSpec,
  trades: readonly SimTrade[],
  sessionStart: number,
  startPrice: string,
  q: BybitKlineQuery,
  now: number,
  history: readonly HistoryCandle[] = [],
): BybitKlineRow[] {
  const end = Math.min(q.end ?? now, now);
  const inRange = (s: number) => s <= end && (q.start === undefined || s >= q.start);
  const starts: number[] = [];
  for (let s = bucketStart(sessionStart, q.interval); s <= end; s = nextBucket(s, q.interval)) {
    if (inRange(s)) starts.push(s);
  }
  const rows: BybitKlineRow[] = [];
  const pick = starts.slice(Math.max(0, starts.length - q.limit));
  const fromHistory = q.limit - pick.length;
  if (fromHistory > 0) {
    const hist = history.filter((c) => inRange(c.openTime));
    for (const c of hist.slice(Math.max(0, hist.length - fromHistory))) rows.push(bybitHistoryKline(spec, c));
  }
  for (const s of pick) {
    const before = lowerBound(trades, s);
    const prevClose = before > 0 ? trimZeros(trades[before - 1]!.priceStr) : startPrice;
    rows.push(bybitKline(spec, trades, s, nextBucket(s, q.interval), prevClose));
  }
  return rows.reverse();
}

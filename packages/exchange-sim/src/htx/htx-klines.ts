/**
 * HTX klines as a pure function of the simulator's trades: OHLC from trade prices, `amount` (base) and
 * `vol` (quote) as exact decimal sums, `count` = trades. Buckets are aligned in UTC+8 (HTX's day starts
 * at 00:00 Singapore time; minute and hour buckets are the same either way). A bucket without trades is
 * flat at the previous close with zero volume. `/market/history/kline` has no time paging: it returns the
 * latest `size` buckets, newest first. Before the session, rows come from real historical candles.
 */
import { javaDouble } from './htx-format.js';
import type { HtxKline, HtxSimTrade } from './htx-payloads.js';
import type { SymbolSpec } from '../symbol-spec.js';
import { parseScaled } from '../decimal.js';
import { rollUp, type HistoryStore } from '../history.js';
import type { HistoryCandle } from '../klines.js';

export const HTX_KLINE_PERIODS: Record<string, number> = {
  '1min': 60_000,
  '5min': 300_000,
  '15min': 900_000,
  '30min': 1_800_000,
  '60min': 3_600_000,
  '4hour': 14_400_000,
  '1day': 86_400_000,
};

const UTC8 = 8 * 3_600_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export function bucketStart(t: number, periodMs: number): number {
  return Math.floor((t + UTC8) / periodMs) * periodMs - UTC8;
}

function lowerBound(trades: readonly HtxSimTrade[], t: number): number {
  let lo = 0;
  let hi = trades.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (trades[mid]!.ts < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function buildHtxKline(spec: SymbolSpec, trades: readonly HtxSimTrade[], open: number, periodMs: number, prevCloseUnits: number): HtxKline {
  const from = lowerBound(trades, open);
  const to = lowerBound(trades, open + periodMs);
  let o = prevCloseUnits;
  let c = prevCloseUnits;
  let h = prevCloseUnits;
  let l = prevCloseUnits;
  let amount = 0n;
  let vol = 0n;
  for (let i = from; i < to; i++) {
    const t = trades[i]!;
    if (i === from) o = h = l = t.priceUnits;
    c = t.priceUnits;
    if (t.priceUnits > h) h = t.priceUnits;
    if (t.priceUnits < l) l = t.priceUnits;
    amount += BigInt(t.qtyUnits);
    vol += BigInt(t.priceUnits) * BigInt(t.qtyUnits);
  }
  const p = (u: number) => javaDouble(u, spec.priceDecimals);
  return {
    id: Math.floor(open / 1000),
    open: p(o),
    close: p(c),
    low: p(l),
    high: p(h),
    amount: javaDouble(amount, spec.qtyDecimals),
    vol: javaDouble(vol, spec.priceDecimals + spec.qtyDecimals),
    count: to - from,
  };
}

/**
 * Historical candles of a period, ascending, all closed before the session's first bucket. Periods up to
 * 4 hours align the same in UTC and UTC+8; HTX days are rolled up from hours with the UTC+8 boundary.
 */
export function htxHistory(store: HistoryStore, symbol: string, periodMs: number, sessionStart: number): HistoryCandle[] {
  if (periodMs !== DAY) return store.candles(symbol, periodMs);
  const shifted = store.candles(symbol, HOUR).map((c) => ({ ...c, openTime: c.openTime + UTC8 }));
  const firstSession = bucketStart(sessionStart, DAY);
  return rollUp(shifted, DAY)
    .map((c) => ({ ...c, openTime: c.openTime - UTC8 }))
    .filter((c) => c.openTime + DAY <= firstSession);
}

/**
 * A historical candle as an HTX kline. The CSVs hold OHLCV only, so `vol` (quote) is estimated as
 * amount × (high+low+close)/3 and `count` is 0.
 */
export function htxHistoryKline(spec: SymbolSpec, c: HistoryCandle): HtxKline {
  const pd = spec.priceDecimals;
  const units = (s: string) => parseScaled(s, pd, true);
  const p = (s: string) => javaDouble(units(s), pd);
  const amount = parseScaled(c.volume, spec.qtyDecimals, true);
  const typical = (units(c.high) + units(c.low) + units(c.close)) / 3n;
  return {
    id: Math.floor(c.openTime / 1000),
    open: p(c.open),
    close: p(c.close),
    low: p(c.low),
    high: p(c.high),
    amount: javaDouble(amount, spec.qtyDecimals),
    vol: javaDouble(amount * typical, pd + spec.qtyDecimals),
    count: 0,
  };
}

/**
 * The latest `size` buckets up to the one containing `now`, newest first: the session's, then the
 * historical candles (ascending, all before the session's first bucket) from the newest back.
 */
export function latestKlines(spec: SymbolSpec, trades: readonly HtxSimTrade[], periodMs: number, size: number, now: number, sessionStart: number, startPriceUnits: number, history: readonly HistoryCandle[] = []): HtxKline[] {
  const first = bucketStart(sessionStart, periodMs);
  const rows: HtxKline[] = [];
  for (let open = bucketStart(now, periodMs); open >= first && rows.length < size; open -= periodMs) {
    const before = lowerBound(trades, open);
    const prev = before > 0 ? trades[before - 1]!.priceUnits : startPriceUnits;
    rows.push(buildHtxKline(spec, trades, open, periodMs, prev));
  }
  for (let k = history.length - 1; k >= 0 && rows.length < size; k--) rows.push(htxHistoryKline(spec, history[k]!));
  return rows;
}

/**
 * HTX klines as a pure function of the simulator's trades: OHLC from trade prices, `amount` (base) and
 * `vol` (quote) as exact decimal sums, `count` = trades. Buckets are aligned in UTC+8 (HTX's day starts
 * at 00:00 Singapore time; minute and hour buckets are the same either way). A bucket without trades is
 * flat at the previous close with zero volume. `/market/history/kline` has no time paging: it returns the
 * latest `size` buckets, newest first.
 */
import { javaDouble } from './htx-format.js';
import type { HtxKline, HtxSimTrade } from './htx-payloads.js';
import type { SymbolSpec } from '../symbol-spec.js';

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

/** The latest `size` buckets up to the one containing `now` (not before the session), newest first. */
export function latestKlines(spec: SymbolSpec, trades: readonly HtxSimTrade[], periodMs: number, size: number, now: number, sessionStart: number, startPriceUnits: number): HtxKline[] {
  const first = bucketStart(sessionStart, periodMs);
  const rows: HtxKline[] = [];
  for (let open = bucketStart(now, periodMs); open >= first && rows.length < size; open -= periodMs) {
    const before = lowerBound(trades, open);
    const prev = before > 0 ? trades[before - 1]!.priceUnits : startPriceUnits;
    rows.push(buildHtxKline(spec, trades, open, periodMs, prev));
  }
  return rows;
}

/**
 * Klines the venue's way, as a pure function of the trades sent: buckets by trade time, OHLC from trade
 * prices, volumes as exact decimal sums (BigInt over the scaled strings), count = individual trades
 * (lastId − firstId + 1 per aggTrade), taker-buy = trades whose buyer was not the maker. Buckets of the
 * session with no trades are flat at the previous close (Binance lists empty klines for live symbols).
 * Before the session, rows come from real historical candles. Paging follows Binance: startTime →
 * ascending from the first open ≥ startTime; else the last `limit` opens ≤ endTime (or now).
 */
import { formatScaled, parseScaled, rescale } from './decimal.js';
import type { SimTrade } from './instrument-sim.js';
import type { SymbolSpec } from './symbol-spec.js';

export const KLINE_INTERVALS: Record<string, number> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
};

/** [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBuyBase, takerBuyQuote, "0"] */
export type KlineRow = [
  number,
  string,
  string,
  string,
  string,
  string,
  number,
  string,
  number,
  string,
  string,
  string,
];

/** A real historical candle (fixtures/ohlcv CSV columns), already shifted onto the simulated timeline. */
export interface HistoryCandle {
  openTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

export interface KlineSource {
  spec: SymbolSpec;
  /** Every trade sent, in time order. */
  trades: readonly SimTrade[];
  sessionStart: number;
  /** Price before the first session trade (open of leading empty buckets). */
  startPriceStr: string;
  /** Historical candles for this interval, ascending, all closed before the session's first bucket. */
  history: readonly HistoryCandle[];
}

export interface KlineQuery {
  intervalMs: number;
  startTime?: number;
  endTime?: number;
  limit: number;
}

/** Decimals Binance uses for kline volumes: spot 8/8; USDⓈ-M qty precision / price+qty precision. */
export function klineDecimals(spec: SymbolSpec): { volume: number; quote: number } {
  return spec.market === 'spot'
    ? { volume: 8, quote: 8 }
    : { volume: spec.qtyDecimals, quote: spec.priceDecimals + spec.qtyDecimals };
}

function lowerBoundTime(trades: readonly SimTrade[], t: number): number {
  let lo = 0;
  let hi = trades.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (trades[mid]!.time < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One kline from the trades in [from, to) of `trades` (indices), or flat at `prevClose` if none. */
export function buildKline(
  spec: SymbolSpec,
  trades: readonly SimTrade[],
  openTime: number,
  intervalMs: number,
  prevClose: string,
): KlineRow {
  const dec = klineDecimals(spec);
  const pd = spec.priceDecimals;
  const qd = spec.qtyDecimals;
  const from = lowerBoundTime(trades, openTime);
  const to = lowerBoundTime(trades, openTime + intervalMs);
  let open = prevClose;
  let close = prevClose;
  let high: bigint | null = null;
  let low: bigint | null = null;
  let vol = 0n;
  let quote = 0n;
  let buyVol = 0n;
  let buyQuote = 0n;
  let count = 0;
  for (let i = from; i < to; i++) {
    const t = trades[i]!;
    const p = parseScaled(t.priceStr, pd);
    const q = parseScaled(t.qtyStr, qd);
    if (i === from) open = t.priceStr;
    close = t.priceStr;
    if (high === null || p > high) high = p;
    if (low === null || p < low) low = p;
    vol += q;
    quote += p * q;
    count += t.lastId - t.firstId + 1;
    if (!t.isBuyerMaker) {
      buyVol += q;
      buyQuote += p * q;
    }
  }
  const px = (v: bigint | null, fallback: string) => (v === null ? fallback : formatScaled(v, pd));
  const v = (x: bigint) => formatScaled(rescale(x, qd, dec.volume), dec.volume);
  const qv = (x: bigint) => formatScaled(rescale(x, pd + qd, dec.quote), dec.quote);
  return [
    openTime,
    open,
    px(high, prevClose),
    px(low, prevClose),
    close,
    v(vol),
    openTime + intervalMs - 1,
    qv(quote),
    count,
    v(buyVol),
    qv(buyQuote),
    '0',
  ];
}

/**
 * A historical candle as a kline row in the market's formatting. The CSVs hold OHLCV only, so quote
 * volume is estimated as volume × (high+low+close)/3, taker-buy as half of each, and trades as 0.
 */
export function historyKline(spec: SymbolSpec, c: HistoryCandle, intervalMs: number): KlineRow {
  const dec = klineDecimals(spec);
  const pd = spec.priceDecimals;
  const p = (s: string) => formatScaled(parseScaled(s, pd, true), pd);
  const volUnits = parseScaled(c.volume, dec.volume, true);
  const typical =
    (parseScaled(c.high, pd, true) + parseScaled(c.low, pd, true) + parseScaled(c.close, pd, true)) / 3n;
  const quote = rescale(volUnits * typical, dec.volume + pd, dec.quote);
  return [
    c.openTime,
    p(c.open),
    p(c.high),
    p(c.low),
    p(c.close),
    formatScaled(volUnits, dec.volume),
    c.openTime + intervalMs - 1,
    formatScaled(quote, dec.quote),
    0,
    formatScaled(volUnits / 2n, dec.volume),
    formatScaled(quote / 2n, dec.quote),
    '0',
  ];
}

/** Binance /klines paging over history + session buckets up to the bucket containing `now`. */
export function queryKlines(src: KlineSource, q: KlineQuery, now: number): KlineRow[] {
  const iv = q.intervalMs;
  const hist = src.history;
  const firstSession = Math.floor(src.sessionStart / iv) * iv;
  const current = Math.floor(now / iv) * iv;
  const sessionCount = current >= firstSession ? (current - firstSession) / iv + 1 : 0;
  const total = hist.length + sessionCount;
  const openAt = (k: number) => (k < hist.length ? hist[k]!.openTime : firstSession + (k - hist.length) * iv);
  // First index whose open ≥ t.
  const lowerBound = (t: number) => {
    let lo = 0;
    let hi = total;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (openAt(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const endIdx = q.endTime === undefined ? total : lowerBound(q.endTime + 1); // exclusive
  let from: number;
  let to: number;
  if (q.startTime !== undefined) {
    from = lowerBound(q.startTime);
    to = Math.min(endIdx, from + q.limit);
  } else {
    to = endIdx;
    from = Math.max(0, to - q.limit);
  }
  const rows: KlineRow[] = [];
  for (let k = from; k < to; k++) {
    if (k < hist.length) {
      rows.push(historyKline(src.spec, hist[k]!, iv));
      continue;
    }
    const open = openAt(k);
    const before = lowerBoundTime(src.trades, open);
    const prevClose = before > 0 ? src.trades[before - 1]!.priceStr : src.startPriceStr;
    rows.push(buildKline(src.spec, src.trades, open, iv, prevClose));
  }
  return rows;
}

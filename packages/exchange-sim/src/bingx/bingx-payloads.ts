/**
 * BingX swap V2 payloads with the key order and value types of the real frames in fixtures/bingx/
 * (ws_swap_*.real.jsonl, rest_swap_*.json) and the documented incrDepth push. Prices and quantities are
 * decimal strings in the contract's precision; both book sides are listed best-bid-first / highest-ask-
 * first (descending), as the venue sends them.
 */
import { formatScaled, parseScaled } from '../decimal.js';
import type { SimTrade } from '../instrument-sim.js';
import { priceStr, qtyStr, type SymbolSpec } from '../symbol-spec.js';
import type { KlineRow } from '../klines.js';

export type Levels = [number, number][];

function levelStrings(spec: SymbolSpec, lv: Levels): [string, string][] {
  return lv.map(([p, q]) => [priceStr(spec, p), qtyStr(spec, q)]);
}

/** `@trade`: data is an array of trades, newest first (ws_swap_trade.real.jsonl). */
export function tradeFrame(native: string, trades: readonly SimTrade[]): object {
  const data = [];
  for (let i = trades.length - 1; i >= 0; i--) {
    const t = trades[i]!;
    data.push({ q: t.qtyStr, p: t.priceStr, T: t.time, m: t.isBuyerMaker, s: native });
  }
  return { code: 0, dataType: `${native}@trade`, data };
}

/** `@incrDepth`: `all` = full book, `update` = changed levels (qty 0 deletes); lastUpdateId +1 per push. */
export function incrDepthFrame(
  spec: SymbolSpec,
  native: string,
  action: 'all' | 'update',
  lastUpdateId: number,
  time: number,
  bidsDesc: Levels,
  asksDesc: Levels,
): object {
  return {
    code: 0,
    dataType: `${native}@incrDepth`,
    data: { action, lastUpdateId, time, bids: levelStrings(spec, bidsDesc), asks: levelStrings(spec, asksDesc) },
  };
}

/** `@depth<N>[@<ms>ms]`: top-N snapshot, no sequence id; asks descending too (ws_swap_depth20.real.jsonl). */
export function depthFrame(spec: SymbolSpec, dataType: string, ts: number, bidsDesc: Levels, asksDesc: Levels): object {
  return { code: 0, dataType, ts, data: { bids: levelStrings(spec, bidsDesc), asks: levelStrings(spec, asksDesc) } };
}

/** `@kline_<iv>`: top-level s, data array of one {c,o,h,l,v,T} with T the bucket open (ws_swap_kline_1m). */
export function klineFrame(native: string, interval: string, row: KlineRow): object {
  return {
    code: 0,
    dataType: `${native}@kline_${interval}`,
    s: native,
    data: [{ c: row[4], o: row[1], h: row[2], l: row[3], v: row[5], T: row[0] }],
  };
}

/** `@markPrice`: {e:"markPriceUpdate",E,s,p} (no funding in this stream). */
export function markPriceFrame(native: string, markStr: string, eventTime: number): object {
  return { code: 0, dataType: `${native}@markPrice`, data: { e: 'markPriceUpdate', E: eventTime, s: native, p: markStr } };
}

/** `@lastPrice`: {e:"lastPriceUpdate",E,s,c}. */
export function lastPriceFrame(native: string, lastStr: string, eventTime: number): object {
  return { code: 0, dataType: `${native}@lastPrice`, data: { e: 'lastPriceUpdate', E: eventTime, s: native, c: lastStr } };
}

/** `@bookTicker`: {e,u,E,T,s,b,B,a,A}. */
export function bookTickerFrame(
  spec: SymbolSpec,
  native: string,
  u: number,
  eventTime: number,
  bid: [number, number],
  ask: [number, number],
): object {
  return {
    code: 0,
    dataType: `${native}@bookTicker`,
    data: {
      e: 'bookTicker',
      u,
      E: eventTime,
      T: eventTime,
      s: native,
      b: priceStr(spec, bid[0]),
      B: qtyStr(spec, bid[1]),
      a: priceStr(spec, ask[0]),
      A: qtyStr(spec, ask[1]),
    },
  };
}

export const restOk = (data: unknown): object => ({ code: 0, msg: '', data });

/** GET /openApi/swap/v2/quote/depth body data: T, bids/asks (descending) and the same in coin units. */
export function depthRest(spec: SymbolSpec, now: number, bidsDesc: Levels, asksDesc: Levels): object {
  const bids = levelStrings(spec, bidsDesc);
  const asks = levelStrings(spec, asksDesc);
  // One contract is one coin here, so the coin-unit lists equal the contract lists.
  return { T: now, bids, asks, bidsCoin: bids, asksCoin: asks };
}

/** GET /openApi/swap/v2/quote/trades item: quoteQty = price × qty rounded half-up to 2 decimals. */
export function tradeRest(spec: SymbolSpec, t: SimTrade): object {
  const pq = parseScaled(t.priceStr, spec.priceDecimals) * parseScaled(t.qtyStr, spec.qtyDecimals);
  const scale = spec.priceDecimals + spec.qtyDecimals;
  const quote = scale > 2 ? (pq + 5n * 10n ** BigInt(scale - 3)) / 10n ** BigInt(scale - 2) : pq * 10n ** BigInt(2 - scale);
  return { time: t.time, isBuyerMaker: t.isBuyerMaker, price: t.priceStr, qty: t.qtyStr, quoteQty: formatScaled(quote, 2) };
}

/** GET /openApi/swap/v3|v2/quote/klines item: {open,close,high,low,volume,time} (strings, time = open). */
export function klineRest(row: KlineRow): object {
  return { open: row[1], close: row[4], high: row[2], low: row[3], volume: row[5], time: row[0] };
}

/**
 * Bybit v5 public frames, field for field (and key order) as the venue sends them
 * (fixtures/bybit/*.real.jsonl, fixtures/orderbook/bybit_linear_*.real.jsonl).
 */
import type { SymbolSpec } from '../symbol-spec.js';
import { fmtPrice, fmtQty } from './spec.js';
import type { Levels } from './topic-book.js';

export interface BybitTrade {
  /** Trade id: a UUID on derivatives, a decimal number string on spot. */
  id: string;
  time: number;
  /** Taker side. */
  side: 'Buy' | 'Sell';
  priceUnits: number;
  qtyUnits: number;
  tick: 'PlusTick' | 'ZeroPlusTick' | 'MinusTick' | 'ZeroMinusTick';
  block: boolean;
}

export function publicTradeFrame(spec: SymbolSpec, symbol: string, trades: BybitTrade[], ts: number): string {
  return JSON.stringify({
    topic: `publicTrade.${symbol}`,
    type: 'snapshot',
    ts,
    data: trades.map((t) => ({
      T: t.time,
      s: symbol,
      S: t.side,
      v: fmtQty(spec, t.qtyUnits),
      p: fmtPrice(spec, t.priceUnits),
      L: t.tick,
      i: t.id,
      BT: t.block,
    })),
  });
}

export interface BookFrame {
  topic: string;
  type: 'snapshot' | 'delta';
  ts: number;
  symbol: string;
  bids: Levels;
  asks: Levels;
  u: number;
  seq: number;
  cts: number;
}

const lv = (spec: SymbolSpec, levels: Levels) => levels.map(([p, q]) => [fmtPrice(spec, p), fmtQty(spec, q)]);

export function orderbookFrame(spec: SymbolSpec, f: BookFrame): string {
  return JSON.stringify({
    topic: f.topic,
    type: f.type,
    ts: f.ts,
    data: { s: f.symbol, b: lv(spec, f.bids), a: lv(spec, f.asks), u: f.u, seq: f.seq },
    cts: f.cts,
  });
}

/** Linear ticker fields in the venue's order; a delta carries only the ones that changed. */
export type TickerFields = Record<string, string>;

export function tickerFrame(symbol: string, type: 'snapshot' | 'delta', data: TickerFields, cs: number, ts: number): string {
  return JSON.stringify({ topic: `tickers.${symbol}`, type, data: { symbol, ...data }, cs, ts });
}

/** Spot tickers are snapshots only, with top-level keys in this order. */
export function spotTickerFrame(symbol: string, data: TickerFields, cs: number, ts: number): string {
  return JSON.stringify({ topic: `tickers.${symbol}`, ts, type: 'snapshot', cs, data: { symbol, ...data } });
}

export interface BybitLiquidation {
  time: number;
  /** Position side: Buy = a long was liquidated. */
  side: 'Buy' | 'Sell';
  qtyUnits: number;
  /** Bankruptcy price. */
  priceUnits: number;
}

export function allLiquidationFrame(spec: SymbolSpec, symbol: string, liqs: BybitLiquidation[], ts: number): string {
  return JSON.stringify({
    topic: `allLiquidation.${symbol}`,
    type: 'snapshot',
    ts,
    data: liqs.map((l) => ({ T: l.time, s: symbol, S: l.side, v: fmtQty(spec, l.qtyUnits), p: fmtPrice(spec, l.priceUnits) })),
  });
}

/** REST envelope: HTTP 200 with retCode 0, or a retCode error with an empty result. */
export function restOk(result: unknown, now: number): unknown {
  return { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: now };
}

export function restError(retCode: number, retMsg: string, now: number): unknown {
  return { retCode, retMsg, result: {}, retExtInfo: {}, time: now };
}

/**
 * HTX spot message texts, field for field as the venue sends them (see fixtures/htx). Built as strings
 * so prices keep their Java-double spelling and trade ids beyond 2^53 stay exact.
 */
import { javaDouble } from './htx-format.js';
import type { SymbolSpec } from '../symbol-spec.js';

/** One HTX trade: `id` is the exact legacy id text (beyond 2^53), `tradeId` the documented key. */
export interface HtxSimTrade {
  idText: string;
  tradeId: number;
  ts: number;
  priceUnits: number;
  qtyUnits: number;
  direction: 'buy' | 'sell';
}

/** One trade push: all trades of a taker order, sharing the tick id and time (oldest first here; sent newest first). */
export interface HtxTradeGroup {
  tickId: number;
  ts: number;
  trades: HtxSimTrade[];
}

export interface HtxKline {
  id: number;
  open: string;
  close: string;
  low: string;
  high: string;
  amount: string;
  vol: string;
  count: number;
}

const px = (spec: SymbolSpec, units: number) => javaDouble(units, spec.priceDecimals);
const qty = (spec: SymbolSpec, units: number) => javaDouble(units, spec.qtyDecimals);

export function levelsText(spec: SymbolSpec, levels: readonly (readonly [number, number])[]): string {
  let s = '[';
  for (let i = 0; i < levels.length; i++) {
    const [p, q] = levels[i]!;
    s += `${i ? ',' : ''}[${px(spec, p)},${qty(spec, q)}]`;
  }
  return `${s}]`;
}

/** HTX lists the trades of one push newest first (descending tradeId), on WS and REST alike. */
const newestFirst = (trades: HtxSimTrade[]) => trades.slice().reverse();

function tradeItem(spec: SymbolSpec, t: HtxSimTrade, idKey: 'tradeId' | 'trade-id'): string {
  return `{"id":${t.idText},"ts":${t.ts},"${idKey}":${t.tradeId},"amount":${qty(spec, t.qtyUnits)},"price":${px(spec, t.priceUnits)},"direction":"${t.direction}"}`;
}

/** `market.<sym>.trade.detail` push. */
export function tradeDetailText(spec: SymbolSpec, native: string, g: HtxTradeGroup, now: number): string {
  return `{"ch":"market.${native}.trade.detail","ts":${now},"tick":{"id":${g.tickId},"ts":${g.ts},"data":[${newestFirst(g.trades).map((t) => tradeItem(spec, t, 'tradeId')).join(',')}]}}`;
}

/** `market.<sym>.mbp.<levels>` incremental (150/400 send both sides, possibly empty). */
export function mbpText(spec: SymbolSpec, native: string, levels: number, seqNum: number, prevSeqNum: number, bids: [number, number][], asks: [number, number][], now: number): string {
  return `{"ch":"market.${native}.mbp.${levels}","ts":${now},"tick":{"seqNum":${seqNum},"prevSeqNum":${prevSeqNum},"bids":${levelsText(spec, bids)},"asks":${levelsText(spec, asks)}}}`;
}

/** REQ answer with the full MBP image. */
export function mbpRepText(spec: SymbolSpec, native: string, levels: number, id: unknown, seqNum: number, bids: [number, number][], asks: [number, number][], now: number): string {
  return `{"id":${JSON.stringify(id)},"status":"ok","ts":${now},"rep":"market.${native}.mbp.${levels}","data":{"bids":${levelsText(spec, bids)},"asks":${levelsText(spec, asks)},"seqNum":${seqNum}}}`;
}

function klineBody(k: HtxKline): string {
  return `{"id":${k.id},"open":${k.open},"close":${k.close},"low":${k.low},"high":${k.high},"amount":${k.amount},"vol":${k.vol},"count":${k.count}}`;
}

export function klineText(native: string, period: string, k: HtxKline, now: number): string {
  return `{"ch":"market.${native}.kline.${period}","ts":${now},"tick":${klineBody(k)}}`;
}

export function restKlinesText(native: string, period: string, rows: HtxKline[], now: number): string {
  return `{"ch":"market.${native}.kline.${period}","status":"ok","ts":${now},"data":[${rows.map(klineBody).join(',')}]}`;
}

export function restDepthText(spec: SymbolSpec, native: string, type: string, version: number, bids: [number, number][], asks: [number, number][], now: number): string {
  return `{"ch":"market.${native}.depth.${type}","status":"ok","ts":${now},"tick":{"bids":${levelsText(spec, bids)},"asks":${levelsText(spec, asks)},"version":${version},"ts":${now}}}`;
}

export function restTradesText(spec: SymbolSpec, native: string, groups: HtxTradeGroup[], now: number): string {
  const data = groups.map((g) => `{"id":${g.tickId},"ts":${g.ts},"data":[${newestFirst(g.trades).map((t) => tradeItem(spec, t, 'trade-id')).join(',')}]}`);
  return `{"ch":"market.${native}.trade.detail","status":"ok","ts":${now},"data":[${data.join(',')}]}`;
}

export const subAckText = (id: unknown, topic: string, now: number) => `{"id":${JSON.stringify(id)},"status":"ok","subbed":"${topic}","ts":${now}}`;
export const unsubAckText = (id: unknown, topic: string, now: number) => `{"id":${JSON.stringify(id)},"status":"ok","unsubbed":"${topic}","ts":${now}}`;
export const pingText = (now: number) => `{"ping":${now}}`;

/** WS error reply (`err-code` is `bad-request` for every market-data request error). */
export function wsErrorText(id: unknown, msg: string, now: number): string {
  return JSON.stringify({ status: 'error', ts: now, id: id ?? null, 'err-code': 'bad-request', 'err-msg': msg });
}

export function restErrorText(code: string, msg: string): string {
  return JSON.stringify({ status: 'error', 'err-code': code, 'err-msg': msg, data: null });
}

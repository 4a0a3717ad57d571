/**
 * Venue payloads, built with the exact key order of the real frames in fixtures/binance/
 * (JSON.stringify keeps insertion order), so a parser tested here meets the same shapes live.
 */
import type { SimLiquidation, SimTrade } from './instrument-sim.js';
import { priceStr, qtyStr, type Market, type SymbolSpec } from './symbol-spec.js';
import { formatScaled } from './decimal.js';

export function aggTradePayload(market: Market, symbol: string, t: SimTrade, eventTime: number): object {
  // Spot: e,E,s,a,…,m,M (spot_ws_aggTrade.real.jsonl); USDⓈ-M: e,E,a,s,…,m (futures_ws_aggTrade.real.jsonl).
  return market === 'spot'
    ? {
        e: 'aggTrade',
        E: eventTime,
        s: symbol,
        a: t.aggId,
        p: t.priceStr,
        q: t.qtyStr,
        f: t.firstId,
        l: t.lastId,
        T: t.time,
        m: t.isBuyerMaker,
        M: true,
      }
    : {
        e: 'aggTrade',
        E: eventTime,
        a: t.aggId,
        s: symbol,
        p: t.priceStr,
        q: t.qtyStr,
        f: t.firstId,
        l: t.lastId,
        T: t.time,
        m: t.isBuyerMaker,
      };
}

export interface DepthEvent {
  symbol: string;
  U: number;
  u: number;
  /** Previous event's u on the same stream (perp `pu`). */
  pu: number;
  E: number;
  T: number;
  bids: [number, number][];
  asks: [number, number][];
}

function levels(spec: SymbolSpec, lv: [number, number][]): [string, string][] {
  return lv.map(([p, q]) => [priceStr(spec, p), qtyStr(spec, q)]);
}

export function depthUpdatePayload(spec: SymbolSpec, ev: DepthEvent): object {
  const b = levels(spec, ev.bids);
  const a = levels(spec, ev.asks);
  return spec.market === 'spot'
    ? { e: 'depthUpdate', E: ev.E, s: ev.symbol, U: ev.U, u: ev.u, b, a }
    : { e: 'depthUpdate', E: ev.E, T: ev.T, s: ev.symbol, U: ev.U, u: ev.u, pu: ev.pu, b, a };
}

export function depthSnapshotBody(
  spec: SymbolSpec,
  lastUpdateId: number,
  bids: [number, number][],
  asks: [number, number][],
  now: number,
): object {
  return spec.market === 'spot'
    ? { lastUpdateId, bids: levels(spec, bids), asks: levels(spec, asks) }
    : { lastUpdateId, E: now, T: now, bids: levels(spec, bids), asks: levels(spec, asks) };
}

export interface MarkPriceState {
  mark: number;
  index: number;
  settle: number;
  fundingRate: number;
  nextFundingTime: number;
}

const fixed8 = (x: number) => formatScaled(BigInt(Math.round(x * 1e8)), 8);

export function markPricePayload(symbol: string, m: MarkPriceState, eventTime: number): object {
  // futures_ws_markPriceUpdate.real.jsonl: e,E,s,p,P,i,r,T with 8-decimal strings.
  return {
    e: 'markPriceUpdate',
    E: eventTime,
    s: symbol,
    p: fixed8(m.mark),
    P: fixed8(m.settle),
    i: fixed8(m.index),
    r: fixed8(m.fundingRate),
    T: m.nextFundingTime,
  };
}

export function forceOrderPayload(spec: SymbolSpec, l: SimLiquidation, eventTime: number): object {
  // futures_ws_forceOrder.real.jsonl: e,E,o{s,S,o,f,q,p,ap,X,l,z,T}.
  return {
    e: 'forceOrder',
    E: eventTime,
    o: {
      s: spec.symbol,
      S: l.side,
      o: 'LIMIT',
      f: 'IOC',
      q: qtyStr(spec, l.qtyUnits),
      p: priceStr(spec, l.bankruptcyUnits),
      ap: l.avgPriceStr,
      X: 'FILLED',
      l: qtyStr(spec, l.lastFillUnits),
      z: qtyStr(spec, l.qtyUnits),
      T: l.time,
    },
  };
}

export function aggTradeRestItem(market: Market, t: SimTrade): object {
  // spot_rest_aggTrades.real.json: a,p,q,f,l,T,m,M (USDⓈ-M has no M).
  return market === 'spot'
    ? {
        a: t.aggId,
        p: t.priceStr,
        q: t.qtyStr,
        f: t.firstId,
        l: t.lastId,
        T: t.time,
        m: t.isBuyerMaker,
        M: true,
      }
    : { a: t.aggId, p: t.priceStr, q: t.qtyStr, f: t.firstId, l: t.lastId, T: t.time, m: t.isBuyerMaker };
}

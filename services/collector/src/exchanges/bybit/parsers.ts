import { Completeness, PositionSide, Side, type Liquidation, type Market, type PriceLevel, type Trade } from '@pricelevel/contracts';
import { BYBIT } from './symbols.js';

/** One orderbook message, venue fields kept (the book sync speaks the venue's rules). */
export interface BookMessage {
  /** Normalized symbol. */
  symbol: string;
  topic: string;
  type: 'snapshot' | 'delta';
  u: number;
  seq: number;
  /** Push time. */
  ts: number;
  /** Matching-engine time (absent on older captures). */
  cts: number | undefined;
  bids: PriceLevel[];
  asks: PriceLevel[];
  receivedTs: number;
}

/** One tickers message before merging: the raw string fields present in it. */
export interface TickerMessage {
  symbol: string;
  type: 'snapshot' | 'delta';
  fields: Record<string, unknown>;
  ts: number;
  receivedTs: number;
}

export type ParseErrorReason = 'malformed' | 'unknown-event' | 'unknown-symbol';

export interface ParseError {
  kind: 'error';
  reason: ParseErrorReason;
  detail: string;
  /** Normalized symbol when one could be read and is collected, else ''. */
  symbol: string;
}

export type BybitEvent =
  | { kind: 'trades'; trades: Trade[]; blockTrades: number }
  | { kind: 'book'; book: BookMessage }
  | { kind: 'ticker'; ticker: TickerMessage }
  | { kind: 'liquidations'; liquidations: Liquidation[] }
  | { kind: 'pong' }
  /** Reply to subscribe / unsubscribe. */
  | { kind: 'op'; op: string; success: boolean; retMsg: string; reqId: string }
  | ParseError;

type Json = Record<string, unknown>;

function error(reason: ParseErrorReason, detail: string, symbol = ''): ParseError {
  return { kind: 'error', reason, detail: detail.slice(0, 120), symbol };
}

/** A decimal string → number; NaN for anything else (including ""). */
function num(x: unknown): number {
  return typeof x === 'string' && x.length > 0 ? +x : NaN;
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);

/** `[["price","size"], …]` → levels; null when any entry is not a pair of finite non-negative numbers. */
export function parseBybitLevels(raw: unknown): PriceLevel[] | null {
  if (!Array.isArray(raw)) return null;
  const out: PriceLevel[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const pair = raw[i];
    if (!Array.isArray(pair)) return null;
    const price = num(pair[0]);
    const size = num(pair[1]);
    if (!(price > 0 && price < Infinity && size >= 0 && size < Infinity)) return null;
    out[i] = { price, size };
  }
  return out;
}

/**
 * Pure parser of Bybit v5 public frames for one market and a fixed instrument set (native → normalized
 * names). Never throws: bad or unexpected input comes back as a typed `error` event to be counted.
 */
export class BybitParser {
  private readonly names: ReadonlyMap<string, string>;

  constructor(
    readonly market: Market,
    /** Native venue name → normalized symbol. */
    names: Iterable<[string, string]>,
  ) {
    this.names = new Map(names);
  }

  parse(raw: string | Buffer, receivedTs: number): BybitEvent {
    let msg: unknown;
    try {
      msg = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
    } catch {
      return error('malformed', `invalid JSON: ${String(raw).slice(0, 60)}`);
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return error('malformed', 'frame is not an object');
    const m = msg as Json;
    const topic = m.topic;
    if (typeof topic === 'string') {
      const dot = topic.indexOf('.');
      const channel = dot < 0 ? topic : topic.slice(0, dot);
      switch (channel) {
        case 'orderbook':
          return this.orderbook(m, topic, receivedTs);
        case 'publicTrade':
          return this.trades(m, topic, receivedTs);
        case 'tickers':
          return this.ticker(m, topic, receivedTs);
        case 'allLiquidation':
          return this.allLiquidation(m, topic, receivedTs);
        case 'liquidation':
          return this.legacyLiquidation(m, topic, receivedTs);
        default:
          return error('unknown-event', `unhandled topic ${topic}`);
      }
    }
    // Heartbeat replies: spot/linear `{"ret_msg":"pong","op":"ping"}`, option/private `{"op":"pong"}`.
    if (m.ret_msg === 'pong' || m.op === 'pong') return { kind: 'pong' };
    if (typeof m.success === 'boolean') {
      return {
        kind: 'op',
        op: typeof m.op === 'string' ? m.op : typeof m.type === 'string' ? m.type : '',
        success: m.success,
        retMsg: typeof m.ret_msg === 'string' ? m.ret_msg : '',
        reqId: typeof m.req_id === 'string' ? m.req_id : '',
      };
    }
    return error('unknown-event', `unrecognized frame: ${JSON.stringify(m).slice(0, 80)}`);
  }

  /** The normalized symbol of a topic's last segment, or an error. */
  private symbolOf(topic: string): string | ParseError {
    const native = topic.slice(topic.lastIndexOf('.') + 1);
    const symbol = this.names.get(native);
    return symbol ?? error('unknown-symbol', `${topic} is not collected`);
  }

  private orderbook(m: Json, topic: string, receivedTs: number): BybitEvent {
    const symbol = this.symbolOf(topic);
    if (typeof symbol !== 'string') return symbol;
    const d = m.data as Json | null;
    const type = m.type;
    if (d === null || typeof d !== 'object' || (type !== 'snapshot' && type !== 'delta')) return error('malformed', `${topic}: no data/type`, symbol);
    const { u, seq, ts } = { u: d.u, seq: d.seq, ts: m.ts };
    if (!isInt(u) || u < 1 || !isInt(ts)) return error('malformed', `${topic}: u/ts invalid`, symbol);
    if (seq !== undefined && !isInt(seq)) return error('malformed', `${topic}: seq invalid`, symbol);
    const cts = m.cts;
    if (cts !== undefined && !isInt(cts)) return error('malformed', `${topic}: cts invalid`, symbol);
    const bids = parseBybitLevels(d.b);
    const asks = parseBybitLevels(d.a);
    if (!bids || !asks) return error('malformed', `${topic}: levels invalid`, symbol);
    return { kind: 'book', book: { symbol, topic, type, u, seq: seq ?? 0, ts, cts, bids, asks, receivedTs } };
  }

  private trades(m: Json, topic: string, receivedTs: number): BybitEvent {
    const symbol = this.symbolOf(topic);
    if (typeof symbol !== 'string') return symbol;
    const data = m.data;
    if (!Array.isArray(data)) return error('malformed', `${topic}: data is not an array`, symbol);
    const trades: Trade[] = [];
    let blockTrades = 0;
    for (const item of data) {
      const t = item as Json;
      if (t === null || typeof t !== 'object') return error('malformed', `${topic}: trade is not an object`, symbol);
      const price = num(t.p);
      const size = num(t.v);
      if (!(price > 0 && price < Infinity && size > 0 && size < Infinity) || (t.S !== 'Buy' && t.S !== 'Sell') || typeof t.i !== 'string' || !isInt(t.T)) {
        return error('malformed', `${topic}: trade fields invalid`, symbol);
      }
      if (t.BT === true) blockTrades++;
      trades.push({
        exchange: BYBIT,
        market: this.market,
        symbol,
        tradeId: t.i,
        price,
        size,
        // S is the taker's side.
        side: t.S === 'Buy' ? Side.SIDE_BUY : Side.SIDE_SELL,
        exchangeTs: t.T,
        receivedTs,
        tradeCount: 1,
      });
    }
    return { kind: 'trades', trades, blockTrades };
  }

  private ticker(m: Json, topic: string, receivedTs: number): BybitEvent {
    const symbol = this.symbolOf(topic);
    if (typeof symbol !== 'string') return symbol;
    const d = m.data;
    const type = m.type;
    if (d === null || typeof d !== 'object' || Array.isArray(d) || (type !== 'snapshot' && type !== 'delta') || !isInt(m.ts)) {
      return error('malformed', `${topic}: data/type/ts invalid`, symbol);
    }
    return { kind: 'ticker', ticker: { symbol, type, fields: d as Json, ts: m.ts, receivedTs } };
  }

  private liquidation(symbol: string, side: unknown, size: number, price: number, ts: unknown, completeness: Completeness, receivedTs: number): Liquidation | null {
    if ((side !== 'Buy' && side !== 'Sell') || !(price > 0 && price < Infinity && size > 0 && size < Infinity) || !isInt(ts)) return null;
    // S is the liquidated position's side: Buy = a long was liquidated, closed by a forced SELL.
    const long = side === 'Buy';
    return {
      exchange: BYBIT,
      market: this.market,
      symbol,
      side: long ? Side.SIDE_SELL : Side.SIDE_BUY,
      liquidatedPosition: long ? PositionSide.POSITION_SIDE_LONG : PositionSide.POSITION_SIDE_SHORT,
      price,
      size,
      completeness,
      exchangeTs: ts,
      receivedTs,
    };
  }

  private allLiquidation(m: Json, topic: string, receivedTs: number): BybitEvent {
    const symbol = this.symbolOf(topic);
    if (typeof symbol !== 'string') return symbol;
    if (!Array.isArray(m.data)) return error('malformed', `${topic}: data is not an array`, symbol);
    const out: Liquidation[] = [];
    for (const item of m.data) {
      const l = (item ?? {}) as Json;
      // The venue documents this stream as every liquidation on Bybit (pushed in 500 ms batches).
      const liq = this.liquidation(symbol, l.S, num(l.v), num(l.p), l.T, Completeness.COMPLETENESS_FULL, receivedTs);
      if (!liq) return error('malformed', `${topic}: liquidation fields invalid`, symbol);
      out.push(liq);
    }
    return { kind: 'liquidations', liquidations: out };
  }

  /** Legacy `liquidation.<SYMBOL>` (one order per frame, at most one per second): sampled. */
  private legacyLiquidation(m: Json, topic: string, receivedTs: number): BybitEvent {
    const symbol = this.symbolOf(topic);
    if (typeof symbol !== 'string') return symbol;
    const d = (m.data ?? {}) as Json;
    const liq = this.liquidation(symbol, d.side, num(d.size), num(d.price), d.updatedTime, Completeness.COMPLETENESS_SAMPLED, receivedTs);
    return liq ? { kind: 'liquidations', liquidations: [liq] } : error('malformed', `${topic}: liquidation fields invalid`, symbol);
  }
}

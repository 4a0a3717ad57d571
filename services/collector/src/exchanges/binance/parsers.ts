import {
  Completeness,
  PositionSide,
  Side,
  type Liquidation,
  type Market,
  type PriceLevel,
  type Ticker,
  type Trade,
} from '@pricelevel/contracts';
import { scanDepthUpdate } from './depth-scanner.js';
import { BINANCE } from './symbols.js';

/** One diff-depth event, venue field names kept (the book sync speaks the venue's sequence rules). */
export interface DepthDiff {
  symbol: string;
  /** First update id in the event. */
  U: number;
  /** Final update id in the event. */
  u: number;
  /** Final update id of the previous event (USDⓈ-M only; undefined on spot). */
  pu: number | undefined;
  /** Event time. */
  E: number;
  /** Transaction time (USDⓈ-M only). */
  T: number | undefined;
  bids: PriceLevel[];
  asks: PriceLevel[];
  receivedTs: number;
}

/** A REST depth snapshot (`/api/v3/depth`, `/fapi/v1/depth`). */
export interface DepthSnapshot {
  lastUpdateId: number;
  bids: PriceLevel[];
  asks: PriceLevel[];
  /** Message output time (USDⓈ-M only). */
  E: number | undefined;
  /** Transaction time (USDⓈ-M only). */
  T: number | undefined;
  receivedTs: number;
}

export type ParseErrorReason = 'malformed' | 'unknown-event' | 'unknown-symbol';

export interface ParseError {
  kind: 'error';
  reason: ParseErrorReason;
  detail: string;
  /** The symbol named in the frame, when one could be read. */
  symbol: string;
}

export type BinanceEvent =
  | { kind: 'trade'; trade: Trade }
  | { kind: 'depth'; depth: DepthDiff }
  | { kind: 'ticker'; ticker: Ticker }
  | { kind: 'liquidation'; liquidation: Liquidation }
  /** Reply to SUBSCRIBE/UNSUBSCRIBE (`result: null` = accepted). */
  | { kind: 'response'; id: unknown; result: unknown }
  /** Error reply to a request on the stream connection. */
  | { kind: 'venue-error'; id: unknown; code: number; msg: string }
  /** The server is about to close this connection: reconnect now. */
  | { kind: 'server-shutdown'; ts: number }
  /** All-market streams (`!markPrice@arr`) carry an array of events. */
  | { kind: 'batch'; events: BinanceEvent[] }
  | ParseError;

type Json = Record<string, unknown>;

const MAX_ERROR_DETAIL = 120;

function error(reason: ParseErrorReason, detail: string, symbol = ''): ParseError {
  return { kind: 'error', reason, detail: detail.slice(0, MAX_ERROR_DETAIL), symbol };
}

/** A decimal string or number → number; NaN for anything else (including ""). */
function num(x: unknown): number {
  if (typeof x === 'string') return x.length === 0 ? NaN : +x;
  return typeof x === 'number' ? x : NaN;
}

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x);
}

/** `[["price","qty"], …]` → levels; null when any entry is not a pair of finite non-negative numbers. */
export function parseLevels(raw: unknown): PriceLevel[] | null {
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
 * Pure parser of Binance market-data frames (combined-stream envelopes `{stream,data}`, raw
 * payloads, and request replies) for one market and a fixed symbol set. Never throws: bad or
 * unexpected input comes back as a typed `error` event for the caller to count.
 */
export class BinanceParser {
  private readonly symbols: ReadonlySet<string>;

  constructor(
    readonly market: Market,
    symbols: Iterable<string>,
  ) {
    this.symbols = new Set(symbols);
  }

  parse(raw: string | Buffer, receivedTs: number): BinanceEvent {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    // Fast path for the hottest frame; anything it is not sure of (including every invalid diff,
    // so that errors stay exactly as the general path words them) goes through JSON.parse below.
    const fast = scanDepthUpdate(text, receivedTs);
    if (fast !== null && this.symbols.has(fast.symbol) && fast.U <= fast.u && (fast.pu !== undefined || this.market !== 'perp')) {
      return { kind: 'depth', depth: fast };
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return error('malformed', `invalid JSON: ${text.slice(0, 60)}`);
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return error('malformed', 'frame is not an object');
    const obj = msg as Json;
    const data = obj.data;
    if (data !== undefined) {
      if (Array.isArray(data)) return this.batch(data, receivedTs);
      if (data === null || typeof data !== 'object') return error('malformed', 'data is not an object');
      return this.payload(data as Json, receivedTs);
    }
    if (typeof obj.e === 'string') return this.payload(obj, receivedTs); // raw stream (/ws/<stream>)
    if ('result' in obj && 'id' in obj) return { kind: 'response', id: obj.id, result: obj.result };
    const err = (typeof obj.error === 'object' && obj.error !== null ? obj.error : obj) as Json;
    if (typeof err.code === 'number' && typeof err.msg === 'string') {
      return { kind: 'venue-error', id: obj.id, code: err.code, msg: err.msg };
    }
    return error('unknown-event', `unrecognized frame: ${JSON.stringify(obj).slice(0, 80)}`);
  }

  private batch(items: unknown[], receivedTs: number): BinanceEvent {
    const events: BinanceEvent[] = [];
    for (const item of items) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) events.push(error('malformed', 'array item is not an object'));
      else events.push(this.payload(item as Json, receivedTs));
    }
    return { kind: 'batch', events };
  }

  private payload(d: Json, receivedTs: number): BinanceEvent {
    switch (d.e) {
      case 'aggTrade':
        return this.aggTrade(d, receivedTs);
      case 'depthUpdate':
        return this.depthUpdate(d, receivedTs);
      case 'markPriceUpdate':
        return this.markPrice(d, receivedTs);
      case 'forceOrder':
        return this.forceOrder(d, receivedTs);
      case 'serverShutdown':
        return { kind: 'server-shutdown', ts: isInt(d.E) ? d.E : receivedTs };
      default:
        return error('unknown-event', `unknown event type ${JSON.stringify(d.e)}`, typeof d.s === 'string' ? d.s : '');
    }
  }

  private aggTrade(d: Json, receivedTs: number): BinanceEvent {
    const symbol = d.s;
    if (typeof symbol !== 'string') return error('malformed', 'aggTrade without symbol');
    if (!this.symbols.has(symbol)) return error('unknown-symbol', `aggTrade for ${symbol}`, symbol);
    const price = num(d.p);
    const size = num(d.q);
    const { a, f, l, T, m } = d;
    if (
      !(price > 0 && price < Infinity && size >= 0 && size < Infinity) ||
      !isInt(a) || !isInt(f) || !isInt(l) || !isInt(T) || typeof m !== 'boolean' || l < f
    ) {
      return error('malformed', `aggTrade fields invalid for ${symbol}`, symbol);
    }
    return {
      kind: 'trade',
      trade: {
        exchange: BINANCE,
        market: this.market,
        symbol,
        tradeId: String(a),
        price,
        size,
        // m: the buyer is the maker ⇒ the aggressor sold.
        side: m ? Side.SIDE_SELL : Side.SIDE_BUY,
        exchangeTs: T,
        receivedTs,
        tradeCount: l - f + 1,
      },
    };
  }

  private depthUpdate(d: Json, receivedTs: number): BinanceEvent {
    const symbol = d.s;
    if (typeof symbol !== 'string') return error('malformed', 'depthUpdate without symbol');
    if (!this.symbols.has(symbol)) return error('unknown-symbol', `depthUpdate for ${symbol}`, symbol);
    const { U, u, pu, E, T } = d;
    if (!isInt(U) || !isInt(u) || !isInt(E) || U > u) return error('malformed', `depthUpdate ids invalid for ${symbol}`, symbol);
    if (pu !== undefined && !isInt(pu)) return error('malformed', `depthUpdate pu invalid for ${symbol}`, symbol);
    if (this.market === 'perp' && pu === undefined) return error('malformed', `perp depthUpdate without pu for ${symbol}`, symbol);
    if (T !== undefined && !isInt(T)) return error('malformed', `depthUpdate T invalid for ${symbol}`, symbol);
    const bids = parseLevels(d.b);
    const asks = parseLevels(d.a);
    if (!bids || !asks) return error('malformed', `depthUpdate levels invalid for ${symbol}`, symbol);
    return { kind: 'depth', depth: { symbol, U, u, pu, E, T, bids, asks, receivedTs } };
  }

  private markPrice(d: Json, receivedTs: number): BinanceEvent {
    const symbol = d.s;
    if (typeof symbol !== 'string') return error('malformed', 'markPriceUpdate without symbol');
    if (!this.symbols.has(symbol)) return error('unknown-symbol', `markPriceUpdate for ${symbol}`, symbol);
    const mark = num(d.p);
    if (!(mark > 0 && mark < Infinity) || !isInt(d.E)) return error('malformed', `markPriceUpdate invalid for ${symbol}`, symbol);
    const ticker: Ticker = {
      exchange: BINANCE,
      market: this.market,
      symbol,
      markPrice: mark,
      exchangeTs: d.E,
      receivedTs,
    };
    // Absent or empty fields stay undefined ("unknown"), never 0.
    const index = num(d.i);
    if (index > 0 && index < Infinity) ticker.indexPrice = index;
    // Delivery contracts send T = 0 (and r = 0 or ""): they have no funding.
    const delivery = d.T === 0;
    const funding = num(d.r);
    if (!delivery && Number.isFinite(funding)) ticker.fundingRate = funding;
    if (isInt(d.T) && d.T > 0) ticker.nextFundingTs = d.T;
    return { kind: 'ticker', ticker };
  }

  private forceOrder(d: Json, receivedTs: number): BinanceEvent {
    const o = d.o;
    if (o === null || typeof o !== 'object') return error('malformed', 'forceOrder without order');
    const order = o as Json;
    const symbol = order.s;
    if (typeof symbol !== 'string') return error('malformed', 'forceOrder without symbol');
    if (!this.symbols.has(symbol)) return error('unknown-symbol', `forceOrder for ${symbol}`, symbol);
    const avg = num(order.ap);
    const limit = num(order.p);
    const filled = num(order.z);
    const qty = num(order.q);
    // The average fill price is what traded; the order price (bankruptcy price) when nothing filled.
    const price = avg > 0 ? avg : limit;
    const size = filled > 0 ? filled : qty;
    const ts = isInt(order.T) ? order.T : d.E;
    if (
      (order.S !== 'BUY' && order.S !== 'SELL') ||
      !(price > 0 && price < Infinity && size > 0 && size < Infinity) || !isInt(ts)
    ) {
      return error('malformed', `forceOrder invalid for ${symbol}`, symbol);
    }
    const sell = order.S === 'SELL';
    return {
      kind: 'liquidation',
      liquidation: {
        exchange: BINANCE,
        market: this.market,
        symbol,
        side: sell ? Side.SIDE_SELL : Side.SIDE_BUY,
        // A forced SELL closes a long; a forced BUY closes a short.
        liquidatedPosition: sell ? PositionSide.POSITION_SIDE_LONG : PositionSide.POSITION_SIDE_SHORT,
        price,
        size,
        // Binance pushes at most one liquidation per symbol per second.
        completeness: Completeness.COMPLETENESS_SAMPLED,
        exchangeTs: ts,
        receivedTs,
      },
    };
  }
}

/** Parses a REST depth snapshot body; throws an Error naming the problem (callers retry). */
export function parseDepthSnapshot(body: unknown, receivedTs: number): DepthSnapshot {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('depth snapshot is not an object');
  const b = body as Json;
  if (!isInt(b.lastUpdateId)) throw new Error('depth snapshot without a valid lastUpdateId');
  const bids = parseLevels(b.bids);
  const asks = parseLevels(b.asks);
  if (!bids || !asks) throw new Error('depth snapshot has invalid levels');
  return {
    lastUpdateId: b.lastUpdateId,
    bids,
    asks,
    E: isInt(b.E) ? b.E : undefined,
    T: isInt(b.T) ? b.T : undefined,
    receivedTs,
  };
}

/** Parses a `/fapi/v1/openInterest` body into a Ticker carrying only open interest. */
export function parseOpenInterest(body: unknown, market: Market, receivedTs: number): Ticker {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('openInterest is not an object');
  const b = body as Json;
  const oi = num(b.openInterest);
  if (typeof b.symbol !== 'string' || !(oi >= 0 && oi < Infinity)) throw new Error('openInterest body invalid');
  return {
    exchange: BINANCE,
    market,
    symbol: b.symbol,
    openInterest: oi,
    exchangeTs: isInt(b.time) ? b.time : receivedTs,
    receivedTs,
  };
}

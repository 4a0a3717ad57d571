import { Side, type Market, type PriceLevel, type Ticker, type Trade } from '@pricelevel/contracts';
import { ungzip } from 'pako';
import { BINGX } from './symbols.js';

/** One `@incrDepth` push, venue field names kept (the book sync speaks the venue's sequence rule). */
export interface IncrDepth {
  /** Project symbol (`BTCUSDT`). */
  symbol: string;
  /** `all` = full book (after subscribe), `update` = changed levels. */
  action: 'all' | 'update';
  lastUpdateId: number;
  /** Venue time of the change (ms). */
  time: number;
  bids: PriceLevel[];
  asks: PriceLevel[];
  receivedTs: number;
}

/** A venue kline (`@kline_<iv>` push or REST row): T / time is the bucket open. */
export interface BingxKline {
  symbol: string;
  interval: string;
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** `@depth<N>`: top-N book without sequence ids; both sides best first (asks re-sorted ascending). */
export interface PartialBook {
  symbol: string;
  levels: number;
  bids: PriceLevel[];
  asks: PriceLevel[];
  exchangeTs: number;
  receivedTs: number;
}

export interface BookTop {
  symbol: string;
  bidPrice: number;
  bidSize: number;
  askPrice: number;
  askSize: number;
  exchangeTs: number;
  receivedTs: number;
}

export interface Ticker24h {
  symbol: string;
  lastPrice: number;
  open: number;
  high: number;
  low: number;
  volume: number;
  quoteVolume: number;
  priceChange: number;
  priceChangePercent: number;
  exchangeTs: number;
  receivedTs: number;
}

export type BingxParseErrorReason = 'bad-gzip' | 'malformed' | 'unknown-event' | 'unknown-symbol';

export interface BingxParseError {
  kind: 'error';
  reason: BingxParseErrorReason;
  detail: string;
  /** The project symbol named in the frame, when one could be read and is collected. */
  symbol: string;
}

export type BingxEvent =
  | { kind: 'trades'; trades: Trade[] }
  | { kind: 'depth'; depth: IncrDepth }
  | { kind: 'ticker'; ticker: Ticker }
  | { kind: 'kline'; kline: BingxKline; receivedTs: number }
  | { kind: 'partial-book'; book: PartialBook }
  | { kind: 'book-top'; top: BookTop }
  | { kind: 'last-price'; symbol: string; price: number; exchangeTs: number; receivedTs: number }
  | { kind: 'ticker-24h'; ticker: Ticker24h }
  /** Swap heartbeat: the (gunzipped) text `Ping`; answer with the text `Pong`. */
  | { kind: 'ping' }
  /** Spot-style heartbeat `{"ping":id,"time":t}`; answer `{"pong":id,"time":t}`. */
  | { kind: 'json-ping'; id: string; time: string }
  /** Subscription acknowledgement `{"id","code":0,"msg":""}`. */
  | { kind: 'ack'; id: string }
  /** A request refused (`code` ≠ 0), e.g. 80015 dataType not supported, 80403 too many topics. */
  | { kind: 'venue-error'; id: string; code: number; msg: string; dataType: string }
  | BingxParseError;

type Json = Record<string, unknown>;

const MAX_ERROR_DETAIL = 120;

function error(reason: BingxParseErrorReason, detail: string, symbol = ''): BingxParseError {
  return { kind: 'error', reason, detail: detail.slice(0, MAX_ERROR_DETAIL), symbol };
}

/** A decimal string or number → number; NaN for anything else (including ""). */
function num(x: unknown): number {
  if (typeof x === 'string') return x.length === 0 ? NaN : +x;
  return typeof x === 'number' ? x : NaN;
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);
const finitePos = (x: number) => x > 0 && x < Infinity;
const finiteNonNeg = (x: number) => x >= 0 && x < Infinity;

/** `[["price","qty"], …]` → levels (order kept); null when any entry is not a pair of valid numbers. */
export function parseBingxLevels(raw: unknown): PriceLevel[] | null {
  if (!Array.isArray(raw)) return null;
  const out: PriceLevel[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const pair = raw[i];
    if (!Array.isArray(pair)) return null;
    const price = num(pair[0]);
    const size = num(pair[1]);
    if (!(finitePos(price) && finiteNonNeg(size))) return null;
    out[i] = { price, size };
  }
  return out;
}

/** Gunzips a binary frame to text; null when the bytes are not valid gzip. */
export function gunzipFrame(bytes: Uint8Array): string | null {
  try {
    const text = ungzip(bytes, { to: 'string' });
    return typeof text === 'string' ? text : null;
  } catch {
    return null;
  }
}

/**
 * Pure parser of BingX swap V2 market frames for a fixed symbol set. Binary frames are gunzipped (every
 * server frame is gzip); text frames are taken as they are. Never throws: bad input comes back as a typed
 * `error` event (bad-gzip, malformed, unknown-event, unknown-symbol) for the caller to count.
 */
export class BingxParser {
  /** Native name (`BTC-USDT`) → project name (`BTCUSDT`). */
  private readonly symbols: ReadonlyMap<string, string>;

  constructor(
    readonly market: Market,
    symbols: Iterable<{ symbol: string; native: string }>,
  ) {
    const m = new Map<string, string>();
    for (const s of symbols) m.set(s.native, s.symbol);
    this.symbols = m;
  }

  parse(raw: Uint8Array | string, receivedTs: number): BingxEvent {
    if (typeof raw === 'string') return this.parseText(raw, receivedTs);
    const text = gunzipFrame(raw);
    if (text === null) return error('bad-gzip', `frame of ${raw.length} bytes is not valid gzip`);
    return this.parseText(text, receivedTs);
  }

  parseText(text: string, receivedTs: number): BingxEvent {
    if (text === 'Ping') return { kind: 'ping' };
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return error('malformed', `invalid JSON: ${text.slice(0, 60)}`);
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return error('malformed', 'frame is not an object');
    const obj = msg as Json;
    const dataType = obj.dataType;
    if (typeof dataType === 'string' && dataType.length > 0 && obj.data !== undefined && obj.data !== null) {
      if (obj.code !== 0) return { kind: 'venue-error', id: String(obj.id ?? ''), code: num(obj.code), msg: String(obj.msg ?? ''), dataType };
      return this.push(dataType, obj, receivedTs);
    }
    if (typeof obj.ping === 'string') return { kind: 'json-ping', id: obj.ping, time: String(obj.time ?? '') };
    if (typeof obj.id === 'string' && typeof obj.code === 'number') {
      if (obj.code === 0) return { kind: 'ack', id: obj.id };
      return { kind: 'venue-error', id: obj.id, code: obj.code, msg: String(obj.msg ?? ''), dataType: typeof dataType === 'string' ? dataType : '' };
    }
    return error('unknown-event', `unrecognized frame: ${text.slice(0, 80)}`);
  }

  private push(dataType: string, obj: Json, receivedTs: number): BingxEvent {
    const at = dataType.indexOf('@');
    const native = at > 0 ? dataType.slice(0, at) : '';
    const channel = dataType.slice(at + 1);
    const symbol = this.symbols.get(native);
    if (symbol === undefined) return error('unknown-symbol', `${dataType}`, '');
    const data = obj.data;
    if (channel === 'trade') return this.trades(symbol, native, data, receivedTs);
    if (channel === 'incrDepth') return this.incrDepth(symbol, data, receivedTs);
    if (data === null || typeof data !== 'object') return error('malformed', `${dataType}: data is not an object`, symbol);
    if (channel === 'markPrice') return this.markPrice(symbol, data as Json, receivedTs);
    if (channel.startsWith('kline_')) return this.kline(symbol, channel.slice(6), data, receivedTs);
    if (channel.startsWith('depth')) return this.partialBook(symbol, channel, data as Json, obj.ts, receivedTs);
    if (channel === 'bookTicker') return this.bookTop(symbol, data as Json, receivedTs);
    if (channel === 'lastPrice') {
      const d = data as Json;
      const price = num(d.c);
      if (!finitePos(price) || !isInt(d.E)) return error('malformed', `${dataType} invalid`, symbol);
      return { kind: 'last-price', symbol, price, exchangeTs: d.E, receivedTs };
    }
    if (channel === 'ticker') return this.ticker24h(symbol, data as Json, receivedTs);
    return error('unknown-event', `unknown dataType ${dataType}`, symbol);
  }

  private trades(symbol: string, native: string, data: unknown, receivedTs: number): BingxEvent {
    if (!Array.isArray(data)) return error('malformed', `${native}@trade: data is not an array`, symbol);
    const n = data.length;
    const trades: Trade[] = new Array(n);
    // The venue lists newest first and sends no trade id: publish oldest first, with an id made of
    // the trade's own fields plus its ordinal among identical trades of the frame (stable on replay).
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const t = data[n - 1 - i] as Json | null;
      if (t === null || typeof t !== 'object') return error('malformed', `${native}@trade: item is not an object`, symbol);
      const price = num(t.p);
      const size = num(t.q);
      const T = t.T;
      const m = t.m;
      if (!finitePos(price) || !finiteNonNeg(size) || !isInt(T) || typeof m !== 'boolean' || (t.s !== undefined && t.s !== native)) {
        return error('malformed', `${native}@trade: trade fields invalid`, symbol);
      }
      const base = `${T}-${t.p as string}-${t.q as string}-${m ? 's' : 'b'}`;
      const k = seen.get(base) ?? 0;
      seen.set(base, k + 1);
      trades[i] = {
        exchange: BINGX,
        market: this.market,
        symbol,
        tradeId: `${base}-${k}`,
        price,
        size,
        // m: the buyer is the maker ⇒ the aggressor sold.
        side: m ? Side.SIDE_SELL : Side.SIDE_BUY,
        exchangeTs: T,
        receivedTs,
        tradeCount: 1,
      };
    }
    return { kind: 'trades', trades };
  }

  private incrDepth(symbol: string, data: unknown, receivedTs: number): BingxEvent {
    if (data === null || typeof data !== 'object') return error('malformed', 'incrDepth: data is not an object', symbol);
    const d = data as Json;
    const action = d.action;
    if ((action !== 'all' && action !== 'update') || !isInt(d.lastUpdateId) || !isInt(d.time)) {
      return error('malformed', `incrDepth fields invalid for ${symbol}`, symbol);
    }
    const bids = parseBingxLevels(d.bids ?? []);
    const asks = parseBingxLevels(d.asks ?? []);
    if (!bids || !asks) return error('malformed', `incrDepth levels invalid for ${symbol}`, symbol);
    return { kind: 'depth', depth: { symbol, action, lastUpdateId: d.lastUpdateId, time: d.time, bids, asks, receivedTs } };
  }

  private markPrice(symbol: string, d: Json, receivedTs: number): BingxEvent {
    const mark = num(d.p);
    if (!finitePos(mark) || !isInt(d.E)) return error('malformed', `markPrice invalid for ${symbol}`, symbol);
    // Only the mark price: this stream carries no index or funding, and absent stays unknown.
    return { kind: 'ticker', ticker: { exchange: BINGX, market: this.market, symbol, markPrice: mark, exchangeTs: d.E, receivedTs } };
  }

  private kline(symbol: string, interval: string, data: unknown, receivedTs: number): BingxEvent {
    const item = (Array.isArray(data) ? data[0] : data) as Json | undefined;
    if (!item || typeof item !== 'object') return error('malformed', `kline_${interval}: no candle`, symbol);
    const k = {
      symbol,
      interval,
      openTime: item.T,
      open: num(item.o),
      high: num(item.h),
      low: num(item.l),
      close: num(item.c),
      volume: num(item.v),
    };
    if (!isInt(k.openTime) || ![k.open, k.high, k.low, k.close].every(finitePos) || !finiteNonNeg(k.volume)) {
      return error('malformed', `kline_${interval} invalid for ${symbol}`, symbol);
    }
    return { kind: 'kline', kline: k as BingxKline, receivedTs };
  }

  private partialBook(symbol: string, channel: string, d: Json, ts: unknown, receivedTs: number): BingxEvent {
    const m = /^depth(\d+)/.exec(channel);
    const bids = parseBingxLevels(d.bids);
    const asks = parseBingxLevels(d.asks);
    if (!m || !bids || !asks || !isInt(ts)) return error('malformed', `${channel} invalid for ${symbol}`, symbol);
    // The venue lists asks highest first (best ask last): return both sides best first.
    asks.sort((a, b) => a.price - b.price);
    bids.sort((a, b) => b.price - a.price);
    return { kind: 'partial-book', book: { symbol, levels: Number(m[1]), bids, asks, exchangeTs: ts, receivedTs } };
  }

  private bookTop(symbol: string, d: Json, receivedTs: number): BingxEvent {
    const top = { bidPrice: num(d.b), bidSize: num(d.B), askPrice: num(d.a), askSize: num(d.A) };
    if (![top.bidPrice, top.askPrice].every(finitePos) || ![top.bidSize, top.askSize].every(finiteNonNeg) || !isInt(d.E)) {
      return error('malformed', `bookTicker invalid for ${symbol}`, symbol);
    }
    return { kind: 'book-top', top: { symbol, ...top, exchangeTs: d.E, receivedTs } };
  }

  private ticker24h(symbol: string, d: Json, receivedTs: number): BingxEvent {
    const t = {
      lastPrice: num(d.c),
      open: num(d.o),
      high: num(d.h),
      low: num(d.l),
      volume: num(d.v),
      quoteVolume: num(d.q),
      priceChange: num(d.p),
      priceChangePercent: num(d.P),
    };
    if (![t.lastPrice, t.open, t.high, t.low].every(finitePos) || !Number.isFinite(t.priceChange) || !isInt(d.E)) {
      return error('malformed', `ticker invalid for ${symbol}`, symbol);
    }
    return { kind: 'ticker-24h', ticker: { symbol, ...t, exchangeTs: d.E, receivedTs } };
  }
}

// ---- REST bodies (`{code,msg,data}`): these throw, callers retry ----------------------------------------

export class BingxRestError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly status = 200,
  ) {
    super(`BingX error ${code}: ${msg}`);
    this.name = 'BingxRestError';
  }
}

/** The `data` of a `{code:0,msg,data}` body; throws BingxRestError for a non-zero code. */
export function restData(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('BingX REST body is not an object');
  const b = body as Json;
  if (b.code !== 0) throw new BingxRestError(num(b.code), String(b.msg ?? ''));
  return b.data;
}

export interface BingxDepthSnapshot {
  /** Best first (bids descending, asks ascending). */
  bids: PriceLevel[];
  asks: PriceLevel[];
  exchangeTs: number;
  receivedTs: number;
}

export function parseRestDepth(data: unknown, receivedTs: number): BingxDepthSnapshot {
  if (data === null || typeof data !== 'object') throw new Error('depth data is not an object');
  const d = data as Json;
  const bids = parseBingxLevels(d.bids);
  const asks = parseBingxLevels(d.asks);
  if (!bids || !asks) throw new Error('depth has invalid levels');
  bids.sort((a, b) => b.price - a.price);
  asks.sort((a, b) => a.price - b.price);
  return { bids, asks, exchangeTs: isInt(d.T) ? d.T : receivedTs, receivedTs };
}

/** /openApi/swap/v2/quote/trades (newest first, no ids) → Trades oldest first. */
export function parseRestTrades(data: unknown, symbol: string, market: Market, receivedTs: number): Trade[] {
  if (!Array.isArray(data)) throw new Error('trades data is not an array');
  const out: Trade[] = [];
  const seen = new Map<string, number>();
  for (let i = data.length - 1; i >= 0; i--) {
    const t = data[i] as Json;
    const price = num(t?.price);
    const size = num(t?.qty);
    if (!finitePos(price) || !finiteNonNeg(size) || !isInt(t.time) || typeof t.isBuyerMaker !== 'boolean') throw new Error('trade row invalid');
    const base = `${t.time}-${String(t.price)}-${String(t.qty)}-${t.isBuyerMaker ? 's' : 'b'}`;
    const k = seen.get(base) ?? 0;
    seen.set(base, k + 1);
    out.push({
      exchange: BINGX,
      market,
      symbol,
      tradeId: `${base}-${k}`,
      price,
      size,
      side: t.isBuyerMaker ? Side.SIDE_SELL : Side.SIDE_BUY,
      exchangeTs: t.time,
      receivedTs,
      tradeCount: 1,
    });
  }
  return out;
}

/** /openApi/swap/v3|v2/quote/klines rows → klines ascending by open time (whatever order they came in). */
export function parseRestKlines(data: unknown, symbol: string, interval: string): BingxKline[] {
  if (!Array.isArray(data)) throw new Error('klines data is not an array');
  const out = data.map((row: Json) => {
    const k = { symbol, interval, openTime: row?.time, open: num(row?.open), high: num(row?.high), low: num(row?.low), close: num(row?.close), volume: num(row?.volume) };
    if (!isInt(k.openTime) || ![k.open, k.high, k.low, k.close].every(finitePos) || !finiteNonNeg(k.volume)) throw new Error('kline row invalid');
    return k as BingxKline;
  });
  return out.sort((a, b) => a.openTime - b.openTime);
}

/** /openApi/swap/v2/quote/openInterest → Ticker with open interest only. */
export function parseRestOpenInterest(data: unknown, symbol: string, market: Market, receivedTs: number): Ticker {
  const d = (data ?? {}) as Json;
  const oi = num(d.openInterest);
  if (!finiteNonNeg(oi)) throw new Error('openInterest invalid');
  return { exchange: BINGX, market, symbol, openInterest: oi, exchangeTs: isInt(d.time) ? d.time : receivedTs, receivedTs };
}

/** /openApi/swap/v2/quote/premiumIndex → Ticker with mark, index, funding rate and next funding time. */
export function parseRestPremiumIndex(data: unknown, symbol: string, market: Market, receivedTs: number): Ticker {
  const d = (Array.isArray(data) ? data[0] : data) as Json | undefined;
  const mark = num(d?.markPrice);
  if (!d || !finitePos(mark)) throw new Error('premiumIndex invalid');
  const t: Ticker = { exchange: BINGX, market, symbol, markPrice: mark, exchangeTs: receivedTs, receivedTs };
  const index = num(d.indexPrice);
  if (finitePos(index)) t.indexPrice = index;
  const rate = num(d.lastFundingRate);
  if (Number.isFinite(rate)) t.fundingRate = rate;
  if (isInt(d.nextFundingTime) && d.nextFundingTime > 0) t.nextFundingTs = d.nextFundingTime;
  return t;
}

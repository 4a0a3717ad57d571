import { Side, type Candle, type PriceLevel, type Trade } from '@pricelevel/contracts';
import pako from 'pako';
import { exactIds } from './exact-ids.js';
import { HTX_PERIODS } from './periods.js';
import { HTX } from './symbols.js';

/** One `market.<sym>.mbp.<levels>` incremental (venue sequence names kept for the book sync). */
export interface MbpIncremental {
  symbol: string;
  seqNum: number;
  prevSeqNum: number;
  bids: PriceLevel[];
  asks: PriceLevel[];
  ts: number;
  receivedTs: number;
}

/** The REQ refresh (full image) of an MBP channel; `id` is the request id echoed by the venue. */
export interface MbpRefresh {
  symbol: string;
  id: string;
  seqNum: number;
  bids: PriceLevel[];
  asks: PriceLevel[];
  ts: number;
  receivedTs: number;
}

/** A full depth image: WS `market.<sym>.depth.stepN` push or REST `/market/depth`. */
export interface HtxDepth {
  symbol: string;
  version: number;
  bids: PriceLevel[];
  asks: PriceLevel[];
  ts: number;
  receivedTs: number;
}

export interface HtxBbo {
  symbol: string;
  seqId: number;
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
  quoteTime: number;
  receivedTs: number;
}

export type ParseErrorReason = 'malformed' | 'corrupt-gzip' | 'unknown-event' | 'unknown-symbol';

export interface ParseError {
  kind: 'error';
  reason: ParseErrorReason;
  detail: string;
  /** Normalized symbol named in the frame, when one could be read. */
  symbol: string;
}

export type HtxEvent =
  /** Server heartbeat; `ping` is the exact integer text to echo in `{"pong":…}`. */
  | { kind: 'ping'; ping: string }
  /** One trade push; `ids` are the exact (beyond 2^53) venue `id`s, parallel to `trades`. */
  | { kind: 'trades'; symbol: string; trades: Trade[]; ids: string[] }
  | { kind: 'mbp'; update: MbpIncremental }
  | { kind: 'mbp-refresh'; refresh: MbpRefresh }
  | { kind: 'depth'; depth: HtxDepth }
  | { kind: 'kline'; candle: Candle }
  | { kind: 'bbo'; bbo: HtxBbo }
  /** 24 h rolling statistics (`market.<sym>.detail`). */
  | { kind: 'detail'; symbol: string; open: number; high: number; low: number; close: number; amount: number; vol: number; count: number; ts: number }
  | { kind: 'ack'; op: 'sub' | 'unsub'; id: string; topic: string }
  | { kind: 'venue-error'; id: string; code: string; msg: string }
  | ParseError;

type Json = Record<string, unknown>;
const MAX_ERROR_DETAIL = 120;

function error(reason: ParseErrorReason, detail: string, symbol = ''): ParseError {
  return { kind: 'error', reason, detail: detail.slice(0, MAX_ERROR_DETAIL), symbol };
}

/** A JSON number (or a decimal string) → number; NaN otherwise. `1.98E-4` maps to the double it denotes. */
function num(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && x.length > 0) return +x;
  return NaN;
}

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x);
}

const isObj = (x: unknown): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x);

/** `[[price, size], …]` → levels; an absent side is empty (mbp.5/20 send only the changed side). Null if invalid. */
export function parseHtxLevels(raw: unknown): PriceLevel[] | null {
  if (raw === undefined) return [];
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

/** Gunzips a binary HTX frame to text; throws when the bytes are not a valid gzip stream. */
export function gunzipFrame(raw: Uint8Array): string {
  if (raw.length < 18 || raw[0] !== 0x1f || raw[1] !== 0x8b) throw new Error('not a gzip stream');
  return pako.ungzip(raw, { to: 'string' });
}

/** Splits `market.<sym>.<rest>` into the native symbol and the channel rest. */
function splitTopic(topic: unknown): { sym: string; channel: string } | null {
  if (typeof topic !== 'string' || !topic.startsWith('market.')) return null;
  const dot = topic.indexOf('.', 7);
  if (dot < 0) return null;
  return { sym: topic.slice(7, dot), channel: topic.slice(dot + 1) };
}

/**
 * Pure parser of HTX spot market-data frames for a fixed symbol set: binary frames are gunzipped
 * (every HTX frame is gzip), text frames are taken as already decompressed. Never throws: bad input
 * comes back as a typed `error` event for the caller to count.
 */
export class HtxParser {
  /** native (`btcusdt`) → normalized (`BTCUSDT`). */
  private readonly symbols = new Map<string, string>();

  constructor(symbols: Iterable<string>) {
    for (const s of symbols) this.symbols.set(s.toLowerCase(), s);
  }

  parse(raw: Uint8Array | string, receivedTs: number): HtxEvent {
    let text: string;
    if (typeof raw === 'string') text = raw;
    else {
      try {
        text = gunzipFrame(raw);
      } catch (err) {
        return error('corrupt-gzip', `frame of ${raw.length} bytes: ${String((err as Error)?.message ?? err)}`);
      }
    }
    return this.parseText(text, receivedTs);
  }

  parseText(text: string, receivedTs: number): HtxEvent {
    // Heartbeats are most frames on a quiet connection: echo the integer's exact text.
    const ping = /^\s*\{\s*"ping"\s*:\s*(\d+)\s*\}\s*$/.exec(text);
    if (ping) return { kind: 'ping', ping: ping[1]! };
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return error('malformed', `invalid JSON: ${text.slice(0, 60)}`);
    }
    if (!isObj(msg)) return error('malformed', 'frame is not an object');
    if (typeof msg.ch === 'string') return this.push(msg, text, receivedTs);
    if (msg.status === 'error') {
      return { kind: 'venue-error', id: msg.id === undefined ? '' : String(msg.id), code: String(msg['err-code'] ?? ''), msg: String(msg['err-msg'] ?? '') };
    }
    if (typeof msg.subbed === 'string') return { kind: 'ack', op: 'sub', id: String(msg.id ?? ''), topic: msg.subbed };
    if (typeof msg.unsubbed === 'string') return { kind: 'ack', op: 'unsub', id: String(msg.id ?? ''), topic: msg.unsubbed };
    if (typeof msg.rep === 'string') return this.rep(msg, receivedTs);
    return error('unknown-event', `unrecognized frame: ${text.slice(0, 80)}`);
  }

  private symbolOf(native: string): string | undefined {
    return this.symbols.get(native);
  }

  private push(msg: Json, text: string, receivedTs: number): HtxEvent {
    const t = splitTopic(msg.ch);
    if (!t) return error('unknown-event', `unknown channel ${String(msg.ch).slice(0, 60)}`);
    const symbol = this.symbolOf(t.sym);
    if (!symbol) return error('unknown-symbol', `${String(msg.ch)}`, t.sym.toUpperCase());
    const tick = msg.tick;
    if (!isObj(tick)) return error('malformed', `${t.channel} without tick for ${symbol}`, symbol);
    const ts = isInt(msg.ts) ? msg.ts : receivedTs;
    const c = t.channel;
    if (c === 'trade.detail') return this.trades(symbol, msg, tick, text, receivedTs);
    if (c.startsWith('mbp.')) return this.mbp(symbol, tick, ts, receivedTs);
    if (c.startsWith('kline.')) return this.kline(symbol, c.slice(6), tick, receivedTs);
    if (c.startsWith('depth.')) {
      const d = parseDepthTick(symbol, tick, receivedTs);
      return d ? { kind: 'depth', depth: d } : error('malformed', `depth levels invalid for ${symbol}`, symbol);
    }
    if (c === 'bbo') return this.bbo(symbol, tick, receivedTs);
    if (c === 'detail') return this.detail(symbol, tick, ts);
    return error('unknown-event', `unknown channel ${String(msg.ch).slice(0, 60)}`, symbol);
  }

  private trades(symbol: string, msg: Json, tick: Json, text: string, receivedTs: number): HtxEvent {
    const data = tick.data;
    if (!Array.isArray(data) || data.length === 0) return error('malformed', `trade.detail without data for ${symbol}`, symbol);
    const exact = exactIds(text, msg);
    if (!exact) return error('malformed', `trade ids unreadable for ${symbol}`, symbol);
    const res = tradesFrom(symbol, data, exact, 'tradeId', receivedTs);
    if (!res) return error('malformed', `trade fields invalid for ${symbol}`, symbol);
    return { kind: 'trades', symbol, trades: res.trades, ids: res.ids };
  }

  private mbp(symbol: string, tick: Json, ts: number, receivedTs: number): HtxEvent {
    const { seqNum, prevSeqNum } = tick;
    if (!isInt(seqNum) || !isInt(prevSeqNum) || prevSeqNum >= seqNum) return error('malformed', `mbp sequence invalid for ${symbol}`, symbol);
    const bids = parseHtxLevels(tick.bids);
    const asks = parseHtxLevels(tick.asks);
    if (!bids || !asks) return error('malformed', `mbp levels invalid for ${symbol}`, symbol);
    return { kind: 'mbp', update: { symbol, seqNum, prevSeqNum, bids, asks, ts, receivedTs } };
  }

  private rep(msg: Json, receivedTs: number): HtxEvent {
    const t = splitTopic(msg.rep);
    if (!t || !t.channel.startsWith('mbp.')) return error('unknown-event', `unexpected rep ${String(msg.rep).slice(0, 60)}`);
    const symbol = this.symbolOf(t.sym);
    if (!symbol) return error('unknown-symbol', `rep ${String(msg.rep)}`, t.sym.toUpperCase());
    const data = msg.data;
    if (msg.status !== 'ok' || !isObj(data) || !isInt(data.seqNum)) return error('malformed', `mbp refresh invalid for ${symbol}`, symbol);
    const bids = parseHtxLevels(data.bids);
    const asks = parseHtxLevels(data.asks);
    if (!bids || !asks) return error('malformed', `mbp refresh levels invalid for ${symbol}`, symbol);
    const ts = isInt(msg.ts) ? msg.ts : receivedTs;
    return { kind: 'mbp-refresh', refresh: { symbol, id: String(msg.id ?? ''), seqNum: data.seqNum, bids, asks, ts, receivedTs } };
  }

  private kline(symbol: string, period: string, tick: Json, receivedTs: number): HtxEvent {
    const candle = candleFrom(symbol, period, tick, false);
    if (!candle) return error('malformed', `kline invalid for ${symbol}`, symbol);
    void receivedTs;
    return { kind: 'kline', candle };
  }

  private bbo(symbol: string, tick: Json, receivedTs: number): HtxEvent {
    const bid = num(tick.bid);
    const ask = num(tick.ask);
    const bidSize = num(tick.bidSize);
    const askSize = num(tick.askSize);
    if (!isInt(tick.seqId) || !isInt(tick.quoteTime) || !(bid > 0 && ask > 0 && bidSize >= 0 && askSize >= 0)) {
      return error('malformed', `bbo invalid for ${symbol}`, symbol);
    }
    return { kind: 'bbo', bbo: { symbol, seqId: tick.seqId, bid, bidSize, ask, askSize, quoteTime: tick.quoteTime, receivedTs } };
  }

  private detail(symbol: string, tick: Json, ts: number): HtxEvent {
    const f = ['open', 'high', 'low', 'close', 'amount', 'vol'].map((k) => num(tick[k]));
    if (f.some((x) => !Number.isFinite(x)) || !isInt(tick.count)) return error('malformed', `detail invalid for ${symbol}`, symbol);
    const [open, high, low, close, amount, vol] = f as [number, number, number, number, number, number];
    return { kind: 'detail', symbol, open, high, low, close, amount, vol, count: tick.count, ts };
  }
}

/** Trades of one tick's `data` array (`idKey`: WS `tradeId`, REST `trade-id`); null when any is invalid. */
function tradesFrom(symbol: string, data: unknown[], exact: Map<object, string>, idKey: 'tradeId' | 'trade-id', receivedTs: number): { trades: Trade[]; ids: string[] } | null {
  const trades: Trade[] = new Array(data.length);
  const ids: string[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (!isObj(d)) return null;
    const price = num(d.price);
    const size = num(d.amount);
    const id = exact.get(d);
    const tradeId = d[idKey];
    if (!(price > 0 && price < Infinity && size > 0 && size < Infinity) || !isInt(d.ts) || !isInt(tradeId) || id === undefined) return null;
    if (d.direction !== 'buy' && d.direction !== 'sell') return null;
    ids[i] = id;
    trades[i] = {
      exchange: HTX,
      market: 'spot',
      symbol,
      // `tradeId` is the venue's documented de-duplication key; the huge legacy `id` is kept in `ids`.
      tradeId: String(tradeId),
      price,
      size,
      // `direction` is the taker's side.
      side: d.direction === 'buy' ? Side.SIDE_BUY : Side.SIDE_SELL,
      exchangeTs: d.ts,
      receivedTs,
      tradeCount: 1,
    };
  }
  // The venue lists a push's trades newest first: hand them on in trade order.
  if (trades.length > 1 && Number(trades[0]!.tradeId) > Number(trades[trades.length - 1]!.tradeId)) {
    trades.reverse();
    ids.reverse();
  }
  return { trades, ids };
}

function candleFrom(symbol: string, period: string, k: Json, final: boolean): Candle | null {
  const p = HTX_PERIODS[period];
  if (!p) return null;
  const f = ['open', 'high', 'low', 'close', 'amount', 'vol'].map((key) => num(k[key]));
  if (!isInt(k.id) || f.some((x) => !(x >= 0 && x < Infinity)) || !isInt(k.count)) return null;
  const [open, high, low, close, amount, vol] = f as [number, number, number, number, number, number];
  const openTime = k.id * 1000;
  return {
    exchange: HTX,
    market: 'spot',
    symbol,
    interval: p.interval,
    openTime,
    closeTime: openTime + p.ms,
    open,
    high,
    low,
    close,
    volume: amount, // HTX: amount = base volume
    quoteVolume: vol, // vol = quote volume
    // HTX klines carry no taker-buy split.
    buyVolume: 0,
    buyQuoteVolume: 0,
    tradeCount: k.count,
    version: 1,
    final,
    source: 'exchange',
  };
}

function parseDepthTick(symbol: string, tick: Json, receivedTs: number): HtxDepth | null {
  const bids = parseHtxLevels(tick.bids);
  const asks = parseHtxLevels(tick.asks);
  if (!bids || !asks || !isInt(tick.version)) return null;
  return { symbol, version: tick.version, bids, asks, ts: isInt(tick.ts) ? tick.ts : receivedTs, receivedTs };
}

function restBody(body: unknown, what: string): Json {
  if (!isObj(body)) throw new Error(`${what}: body is not an object`);
  if (body.status !== 'ok') throw new Error(`${what}: ${String(body['err-code'] ?? body.status)} ${String(body['err-msg'] ?? '')}`.trim());
  return body;
}

/** REST `/market/depth` body → depth image; throws an Error naming the problem (callers retry). */
export function parseRestDepth(body: unknown, symbol: string, receivedTs: number): HtxDepth {
  const b = restBody(body, '/market/depth');
  if (!isObj(b.tick)) throw new Error('/market/depth: no tick');
  const d = parseDepthTick(symbol, b.tick, receivedTs);
  if (!d) throw new Error('/market/depth: invalid levels or version');
  return d;
}

/** REST `/market/history/kline` body (newest first) → candles, oldest first. The newest may still be open. */
export function parseRestKlines(body: unknown, symbol: string, period: string, now: number): Candle[] {
  const b = restBody(body, '/market/history/kline');
  if (!Array.isArray(b.data)) throw new Error('/market/history/kline: data is not an array');
  const p = HTX_PERIODS[period];
  if (!p) throw new Error(`unknown HTX period ${period}`);
  const out: Candle[] = [];
  for (let i = b.data.length - 1; i >= 0; i--) {
    const k = b.data[i];
    const c = isObj(k) ? candleFrom(symbol, period, k, false) : null;
    if (!c) throw new Error(`/market/history/kline: invalid candle at ${i}`);
    c.final = c.closeTime <= now;
    out.push(c);
  }
  return out;
}

/** REST `/market/history/trade` raw text → trades oldest first, with exact venue ids. */
export function parseRestTrades(text: string, symbol: string, receivedTs: number): { trades: Trade[]; ids: string[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`/market/history/trade: body is not JSON (${text.slice(0, 60)})`);
  }
  const b = restBody(body, '/market/history/trade');
  if (!Array.isArray(b.data)) throw new Error('/market/history/trade: data is not an array');
  const exact = exactIds(text, b);
  if (!exact) throw new Error('/market/history/trade: trade ids unreadable');
  const trades: Trade[] = [];
  const ids: string[] = [];
  for (const group of b.data) {
    if (!isObj(group) || !Array.isArray(group.data)) throw new Error('/market/history/trade: invalid group');
    const res = tradesFrom(symbol, group.data, exact, 'trade-id', receivedTs);
    if (!res) throw new Error('/market/history/trade: invalid trade');
    // Groups come newest first; each group's trades are already in trade order.
    trades.unshift(...res.trades);
    ids.unshift(...res.ids);
  }
  return { trades, ids };
}

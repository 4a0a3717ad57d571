import type { Market, Ticker, Trade } from '@pricelevel/contracts';
import { Side } from '@pricelevel/contracts';
import type { Clock } from '@pricelevel/platform';
import { parseBybitLevels } from './parsers.js';
import type { PriceLevel } from '@pricelevel/contracts';
import { BYBIT } from './symbols.js';

export class BybitRestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** Bybit retCode (10001 = params error, 10006 = rate limit, …), when the body had one. */
    readonly retCode?: number,
  ) {
    super(message);
    this.name = 'BybitRestError';
  }
}

export interface BybitOrderbookSnapshot {
  symbol: string;
  bids: PriceLevel[];
  asks: PriceLevel[];
  u: number;
  seq: number;
  ts: number;
}

/** A venue kline: [start, open, high, low, close, volume, turnover] as numbers. */
export interface BybitKline {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  turnover: number;
}

type Json = Record<string, unknown>;
const category = (m: Market) => (m === 'spot' ? 'spot' : 'linear');

function result(body: unknown, what: string): Json {
  const b = body as Json | null;
  if (!b || typeof b !== 'object' || typeof b.result !== 'object' || b.result === null) throw new Error(`${what}: no result`);
  return b.result as Json;
}

export function parseBybitOrderbook(body: unknown): BybitOrderbookSnapshot {
  const r = result(body, 'orderbook');
  const bids = parseBybitLevels(r.b);
  const asks = parseBybitLevels(r.a);
  if (typeof r.s !== 'string' || !bids || !asks || !Number.isSafeInteger(r.u) || !Number.isSafeInteger(r.ts)) throw new Error('orderbook body invalid');
  return { symbol: r.s, bids, asks, u: r.u as number, seq: Number.isSafeInteger(r.seq) ? (r.seq as number) : 0, ts: r.ts as number };
}

/** Kline list, oldest first (the venue sends newest first). */
export function parseBybitKlines(body: unknown): BybitKline[] {
  const r = result(body, 'kline');
  if (!Array.isArray(r.list)) throw new Error('kline list missing');
  return r.list
    .map((row: unknown) => {
      if (!Array.isArray(row) || row.length < 7) throw new Error('kline row invalid');
      const [start, open, high, low, close, volume, turnover] = row.map((x) => +(x as string));
      if (![start, open, high, low, close, volume, turnover].every(Number.isFinite)) throw new Error('kline row invalid');
      return { start: start!, open: open!, high: high!, low: low!, close: close!, volume: volume!, turnover: turnover! };
    })
    .reverse();
}

/** Open-interest history as Tickers carrying only open interest, oldest first. */
export function parseBybitOpenInterest(body: unknown, market: Market, symbol: string, receivedTs: number): Ticker[] {
  const r = result(body, 'open-interest');
  if (!Array.isArray(r.list)) throw new Error('open-interest list missing');
  return r.list
    .map((x: unknown) => {
      const o = x as Json;
      const oi = +(o.openInterest as string);
      const ts = +(o.timestamp as string);
      if (!(oi >= 0) || !Number.isSafeInteger(ts)) throw new Error('open-interest row invalid');
      return { exchange: BYBIT, market, symbol, openInterest: oi, exchangeTs: ts, receivedTs };
    })
    .reverse();
}

export function parseBybitRecentTrades(body: unknown, market: Market, symbol: string, receivedTs: number): Trade[] {
  const r = result(body, 'recent-trade');
  if (!Array.isArray(r.list)) throw new Error('recent-trade list missing');
  return r.list
    .map((x: unknown) => {
      const t = x as Json;
      const price = +(t.price as string);
      const size = +(t.size as string);
      const time = +(t.time as string);
      if (!(price > 0) || !(size > 0) || !Number.isSafeInteger(time) || typeof t.execId !== 'string' || (t.side !== 'Buy' && t.side !== 'Sell')) throw new Error('recent-trade row invalid');
      return { exchange: BYBIT, market, symbol, tradeId: t.execId, price, size, side: t.side === 'Buy' ? Side.SIDE_BUY : Side.SIDE_SELL, exchangeTs: time, receivedTs, tradeCount: 1 };
    })
    .reverse();
}

export interface BybitRestOptions {
  restUrl: string;
  market: Market;
  clock: Clock;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

/** Public `/v5/market/*` endpoints. Bybit answers errors with HTTP 200 and retCode ≠ 0: both are errors here. */
export class BybitRestClient {
  private readonly base: string;
  private readonly fetchFn: typeof globalThis.fetch;

  constructor(private readonly options: BybitRestOptions) {
    this.base = options.restUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  async orderbook(native: string, limit: number, signal?: AbortSignal): Promise<BybitOrderbookSnapshot> {
    return parseBybitOrderbook(await this.get('/v5/market/orderbook', { category: category(this.options.market), symbol: native, limit: String(limit) }, signal));
  }

  async klines(native: string, interval: string, q: { start?: number; end?: number; limit?: number } = {}, signal?: AbortSignal): Promise<BybitKline[]> {
    const params: Record<string, string> = { category: category(this.options.market), symbol: native, interval };
    if (q.start !== undefined) params.start = String(q.start);
    if (q.end !== undefined) params.end = String(q.end);
    if (q.limit !== undefined) params.limit = String(q.limit);
    return parseBybitKlines(await this.get('/v5/market/kline', params, signal));
  }

  async openInterest(native: string, symbol: string, intervalTime = '5min', limit = 1, signal?: AbortSignal): Promise<Ticker[]> {
    if (this.options.market !== 'perp') throw new Error('open interest exists only on linear');
    const body = await this.get('/v5/market/open-interest', { category: 'linear', symbol: native, intervalTime, limit: String(limit) }, signal);
    return parseBybitOpenInterest(body, this.options.market, symbol, this.options.clock.now());
  }

  async recentTrades(native: string, symbol: string, limit?: number, signal?: AbortSignal): Promise<Trade[]> {
    const params: Record<string, string> = { category: category(this.options.market), symbol: native };
    if (limit !== undefined) params.limit = String(limit);
    return parseBybitRecentTrades(await this.get('/v5/market/recent-trade', params, signal), this.options.market, symbol, this.options.clock.now());
  }

  private async get(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const timer = this.options.clock.setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await this.fetchFn(`${this.base}${path}?${new URLSearchParams(params).toString()}`, { signal: controller.signal, headers: { accept: 'application/json' } });
      const text = await res.text();
      let body: Json;
      try {
        body = JSON.parse(text) as Json;
      } catch {
        throw new BybitRestError(`GET ${path} → ${res.status}: body is not JSON (${text.slice(0, 80)})`, res.status);
      }
      const code = typeof body?.retCode === 'number' ? body.retCode : undefined;
      if (!res.ok || code !== 0) throw new BybitRestError(`GET ${path} → ${res.status} retCode ${String(code)}: ${String(body?.retMsg ?? '')}`, res.status, code);
      return body;
    } catch (err) {
      if (controller.signal.aborted && !(err instanceof BybitRestError)) throw new Error(signal?.aborted ? `GET ${path} aborted` : `GET ${path} timed out after ${timeoutMs} ms`);
      throw err;
    } finally {
      timer.cancel();
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

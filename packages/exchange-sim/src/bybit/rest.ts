/**
 * The Bybit v5 REST host (api.bybit.com) on loopback: `/v5/market/kline`, `/orderbook`,
 * `/open-interest`, `/recent-trade` with the venue's parameters and limits. Errors come back as the
 * venue sends them: HTTP 200 with a non-zero retCode (10001 = params error), 404 for unknown paths.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Market } from '../symbol-spec.js';
import { restError, restOk } from './payloads.js';
import { isBybitInterval, type BybitKlineQuery, type BybitKlineRow } from './klines.js';
import { marketOf } from './spec.js';

export interface BybitRestBackend {
  now(): number;
  has(market: Market, symbol: string): boolean;
  klines(market: Market, symbol: string, q: BybitKlineQuery): BybitKlineRow[];
  /** Top `limit` levels as strings, with the book's u/seq. */
  orderbook(market: Market, symbol: string, limit: number): { b: [string, string][]; a: [string, string][]; u: number; seq: number };
  /** Open-interest samples, newest first: [timestampMs, openInterest]. */
  openInterest(symbol: string, intervalMs: number, startTime: number | undefined, endTime: number | undefined, limit: number): [number, string][];
  recentTrades(market: Market, symbol: string, limit: number): Record<string, unknown>[];
}

const OI_INTERVALS: Record<string, number> = { '5min': 300_000, '15min': 900_000, '30min': 1_800_000, '1h': 3_600_000, '4h': 14_400_000, '1d': 86_400_000 };

class ParamError extends Error {}

function int(q: URLSearchParams, name: string, min: number, max: number, dflt?: number): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new ParamError(`params error: ${name} invalid`);
  return v;
}

export function handleBybitRest(b: BybitRestBackend, path: string, q: URLSearchParams): { status: number; body: unknown } {
  const now = b.now();
  const ok = (result: unknown) => ({ status: 200, body: restOk(result, now) });
  const err = (code: number, msg: string) => ({ status: 200, body: restError(code, msg, now) });
  try {
    const category = q.get('category') ?? (path === '/v5/market/kline' ? 'linear' : '');
    const market = marketOf(category);
    if (!market) return err(10001, 'params error: Category is invalid');
    const symbol = (q.get('symbol') ?? '').toUpperCase();
    if (!symbol) return err(10001, 'params error: symbol is required');
    if (!b.has(market, symbol)) return err(10001, 'params error: Symbol Is Invalid');
    switch (path) {
      case '/v5/market/kline': {
        const interval = q.get('interval') ?? '';
        if (!isBybitInterval(interval)) return err(10001, 'params error: interval invalid');
        const start = int(q, 'start', 0, Number.MAX_SAFE_INTEGER);
        const end = int(q, 'end', 0, Number.MAX_SAFE_INTEGER);
        const limit = int(q, 'limit', 1, 1000, 200)!;
        const query: BybitKlineQuery = { interval, limit, ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
        return ok({ symbol, category, list: b.klines(market, symbol, query) });
      }
      case '/v5/market/orderbook': {
        const limit = int(q, 'limit', 1, 1000, market === 'spot' ? 1 : 25)!;
        const ob = b.orderbook(market, symbol, limit);
        return ok({ s: symbol, b: ob.b, a: ob.a, ts: now, u: ob.u, seq: ob.seq, cts: now });
      }
      case '/v5/market/open-interest': {
        if (market !== 'perp') return err(10001, 'params error: Category is invalid');
        const iv = OI_INTERVALS[q.get('intervalTime') ?? ''];
        if (!iv) return err(10001, 'params error: intervalTime invalid');
        const limit = int(q, 'limit', 1, 200, 50)!;
        const list = b.openInterest(symbol, iv, int(q, 'startTime', 0, Number.MAX_SAFE_INTEGER), int(q, 'endTime', 0, Number.MAX_SAFE_INTEGER), limit);
        return ok({ symbol, category, list: list.map(([t, oi]) => ({ openInterest: oi, timestamp: String(t) })), nextPageCursor: '' });
      }
      case '/v5/market/recent-trade': {
        const limit = market === 'spot' ? int(q, 'limit', 1, 60, 60)! : int(q, 'limit', 1, 1000, 500)!;
        return ok({ category, list: b.recentTrades(market, symbol, limit) });
      }
      default:
        return { status: 404, body: { retCode: 10404, retMsg: `path ${path} not found`, result: {}, retExtInfo: {}, time: now } };
    }
  } catch (e) {
    if (e instanceof ParamError) return err(10001, e.message);
    throw e;
  }
}

export class BybitRestServer {
  requests = 0;
  private port = 0;
  private constructor(private readonly server: http.Server) {}

  static async listen(handle: (path: string, q: URLSearchParams) => { status: number; body: unknown }): Promise<BybitRestServer> {
    const server = http.createServer((req, res) => {
      s.requests++;
      let out: { status: number; body: unknown };
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        out = req.method === 'GET' ? handle(url.pathname, url.searchParams) : { status: 405, body: { retCode: 10001, retMsg: 'method not allowed' } };
      } catch (e) {
        out = { status: 500, body: { retCode: 10016, retMsg: `Server error: ${String(e)}`, result: {}, retExtInfo: {}, time: Date.now() } };
      }
      const text = JSON.stringify(out.body);
      res.writeHead(out.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
    const s = new BybitRestServer(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    s.port = (server.address() as AddressInfo).port;
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

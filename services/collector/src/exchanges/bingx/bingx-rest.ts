import type { Clock } from '@pricelevel/platform';
import type { Market, Ticker, Trade } from '@pricelevel/contracts';
import {
  BingxRestError,
  parseRestDepth,
  parseRestKlines,
  parseRestOpenInterest,
  parseRestPremiumIndex,
  parseRestTrades,
  restData,
  type BingxDepthSnapshot,
  type BingxKline,
} from './parsers.js';
import type { BingxSymbol } from './symbols.js';

/** Documented limits: depth 5…1000 (default 20), trades ≤ 1000, klines ≤ 1440 per request. */
export const BINGX_DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000] as const;
export const BINGX_MAX_KLINES = 1440;
export const BINGX_MAX_TRADES = 1000;

export interface BingxRestOptions {
  /** REST host, e.g. https://open-api.bingx.com. */
  restUrl: string;
  clock: Clock;
  market?: Market;
  fetch?: typeof globalThis.fetch;
}

/** Public swap V2 market REST: every answer is `{code,msg,data}`; a non-zero code throws BingxRestError. */
export class BingxRestClient {
  private readonly base: string;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly market: Market;

  constructor(private readonly options: BingxRestOptions) {
    this.base = options.restUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.market = options.market ?? 'perp';
  }

  private async get(path: string, params: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<unknown> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
    // Public market endpoints need no signature; the venue asks for a timestamp on every request.
    q.set('timestamp', String(this.options.clock.now()));
    const res = await this.fetchFn(`${this.base}${path}?${q}`, signal ? { signal } : {});
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new BingxRestError(-1, `HTTP ${res.status}: ${text.slice(0, 80)}`, res.status);
    }
    if (!res.ok) {
      const b = body as { code?: number; msg?: string };
      throw new BingxRestError(typeof b?.code === 'number' ? b.code : -1, `HTTP ${res.status}: ${b?.msg ?? ''}`, res.status);
    }
    return restData(body);
  }

  async depth(s: BingxSymbol, limit = 20, signal?: AbortSignal): Promise<BingxDepthSnapshot> {
    if (!(BINGX_DEPTH_LIMITS as readonly number[]).includes(limit)) throw new Error(`depth limit must be one of ${BINGX_DEPTH_LIMITS.join(', ')}`);
    const data = await this.get('/openApi/swap/v2/quote/depth', { symbol: s.native, limit }, signal);
    return parseRestDepth(data, this.options.clock.now());
  }

  async trades(s: BingxSymbol, limit = 500, signal?: AbortSignal): Promise<Trade[]> {
    const data = await this.get('/openApi/swap/v2/quote/trades', { symbol: s.native, limit: Math.min(limit, BINGX_MAX_TRADES) }, signal);
    return parseRestTrades(data, s.symbol, this.market, this.options.clock.now());
  }

  async klines(
    s: BingxSymbol,
    interval: string,
    range: { startTime?: number; endTime?: number; limit?: number } = {},
    signal?: AbortSignal,
    version: 'v3' | 'v2' = 'v3',
  ): Promise<BingxKline[]> {
    const data = await this.get(
      `/openApi/swap/${version}/quote/klines`,
      { symbol: s.native, interval, startTime: range.startTime, endTime: range.endTime, limit: Math.min(range.limit ?? 500, BINGX_MAX_KLINES) },
      signal,
    );
    return parseRestKlines(data, s.symbol, interval);
  }

  /** Every kline with open time in [startTime, endTime], paging forward until the venue returns no more. */
  async klinesRange(s: BingxSymbol, interval: string, startTime: number, endTime: number, signal?: AbortSignal): Promise<BingxKline[]> {
    const out: BingxKline[] = [];
    let from = startTime;
    for (let page = 0; page < 10_000 && from <= endTime; page++) {
      const rows = (await this.klines(s, interval, { startTime: from, endTime, limit: BINGX_MAX_KLINES }, signal)).filter((k) => k.openTime >= from && k.openTime <= endTime);
      if (rows.length === 0) break;
      out.push(...rows);
      from = rows[rows.length - 1]!.openTime + 1;
    }
    return out;
  }

  async openInterest(s: BingxSymbol, signal?: AbortSignal): Promise<Ticker> {
    const data = await this.get('/openApi/swap/v2/quote/openInterest', { symbol: s.native }, signal);
    return parseRestOpenInterest(data, s.symbol, this.market, this.options.clock.now());
  }

  async premiumIndex(s: BingxSymbol, signal?: AbortSignal): Promise<Ticker> {
    const data = await this.get('/openApi/swap/v2/quote/premiumIndex', { symbol: s.native }, signal);
    return parseRestPremiumIndex(data, s.symbol, this.market, this.options.clock.now());
  }
}

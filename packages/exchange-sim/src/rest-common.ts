/** Binance REST conventions shared by the live simulator and the replay: errors, params, weights. */
import type { Market } from './symbol-spec.js';
import type { RestResponse } from './venue-server.js';

export const ERR = {
  invalidSymbol: { code: -1121, msg: 'Invalid symbol.' },
  invalidInterval: { code: -1120, msg: 'Invalid interval.' },
  mandatory: (p: string) => ({
    code: -1102,
    msg: `Mandatory parameter '${p}' was not sent, was empty/null, or malformed.`,
  }),
  illegal: (p: string) => ({
    code: -1100,
    msg: `Illegal characters found in parameter '${p}'; legal range is '^[0-9]{1,20}$'.`,
  }),
};

export const fail = (body: object, status = 400, weight = 1): RestResponse => ({ status, body, weight });
export const ok = (body: unknown, weight: number): RestResponse => ({ status: 200, body, weight });

export const API_PREFIX: Record<Market, string> = { spot: '/api/v3', perp: '/fapi/v1' };

/** Optional non-negative integer query param: undefined if absent, null if malformed. */
export function intParam(q: URLSearchParams, name: string): number | undefined | null {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[0-9]{1,20}$/.test(v)) return null;
  return Number(v);
}

/** Documented request weight of GET depth by limit. */
export function depthWeight(market: Market, limit: number): number {
  if (market === 'spot') return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
  return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
}

/** Depth limit: spot default 100, max 5000; USDⓈ-M default 500, max 1000 (larger values are capped). */
export function depthLimit(market: Market, requested: number | undefined): number {
  const max = market === 'spot' ? 5000 : 1000;
  return Math.min(Math.max(requested ?? (market === 'spot' ? 100 : 500), 1), max);
}

export function klinesWeight(market: Market, limit: number): number {
  if (market === 'spot') return 2;
  return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
}

export const notFound = (path: string): RestResponse =>
  fail({ code: -1000, msg: `Unknown path ${path}` }, 404);

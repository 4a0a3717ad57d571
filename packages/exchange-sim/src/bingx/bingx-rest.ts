/**
 * BingX swap market REST on the simulator: /openApi/swap/v2/quote/{depth,trades,openInterest,premiumIndex}
 * and /openApi/swap/v3|v2/quote/klines, answered as `{code,msg,data}` (errors: HTTP 200 with a non-zero
 * code, as the venue does). Klines page like the venue documents: startTime/endTime/limit (default 500,
 * max 1440), the latest ones when no startTime is given.
 */
import { KLINE_INTERVALS, queryKlines, type KlineSource } from '../klines.js';
import type { SimTrade } from '../instrument-sim.js';
import type { SymbolSpec } from '../symbol-spec.js';
import { depthRest, klineRest, restOk, tradeRest, type Levels } from './bingx-payloads.js';
import type { BingxRestResponse } from './bingx-server.js';

export const BINGX_REST_ERR = {
  noSymbol: { code: 109425, msg: 'Trading pair does not exist' },
  illegal: (what: string) => ({ code: 100400, msg: `ILLEGAL_ARGUMENT: ${what}` }),
};

export interface BingxRestInstrument {
  spec: SymbolSpec;
  native: string;
  /** Published book, best first. */
  levels(limit: number): { bids: Levels; asks: Levels };
  trades: readonly SimTrade[];
  klineSource(intervalMs: number): KlineSource;
  openInterestStr(): string;
  premium(): { markPrice: string; indexPrice: string; lastFundingRate: string; nextFundingTime: number };
}

export interface BingxRestContext {
  now(): number;
  /** By native name (`BTC-USDT`). */
  instrument(native: string): BingxRestInstrument | undefined;
  all(): BingxRestInstrument[];
}

const DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000];
const ok = (data: unknown): BingxRestResponse => ({ status: 200, body: restOk(data) });
const err = (body: object): BingxRestResponse => ({ status: 200, body });

function intParam(q: URLSearchParams, name: string): number | undefined | null {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  return /^\d{1,16}$/.test(v) ? Number(v) : null;
}

export function handleBingxRest(ctx: BingxRestContext, req: { method: string; path: string; query: URLSearchParams }): BingxRestResponse {
  if (req.method !== 'GET') return { status: 405, body: { code: 100400, msg: 'method not allowed' } };
  const q = req.query;
  const native = q.get('symbol') ?? '';
  const inst = native ? ctx.instrument(native) : undefined;
  const path = req.path;
  if (path === '/openApi/swap/v2/quote/premiumIndex') {
    // Without a symbol the venue lists every contract.
    if (!native) return ok(ctx.all().map((i) => ({ symbol: i.native, ...i.premium() })));
    return inst ? ok({ symbol: inst.native, ...inst.premium() }) : err(BINGX_REST_ERR.noSymbol);
  }
  const known = [
    '/openApi/swap/v2/quote/depth',
    '/openApi/swap/v2/quote/trades',
    '/openApi/swap/v2/quote/openInterest',
    '/openApi/swap/v3/quote/klines',
    '/openApi/swap/v2/quote/klines',
  ];
  if (!known.includes(path)) return { status: 404, body: { code: 100404, msg: `unknown path ${path}` } };
  if (!native) return err(BINGX_REST_ERR.illegal('symbol is required'));
  if (!inst) return err(BINGX_REST_ERR.noSymbol);
  const limit = intParam(q, 'limit');
  if (limit === null) return err(BINGX_REST_ERR.illegal('limit'));
  switch (path) {
    case '/openApi/swap/v2/quote/depth': {
      const n = limit ?? 20;
      if (!DEPTH_LIMITS.includes(n)) return err(BINGX_REST_ERR.illegal(`limit must be one of ${DEPTH_LIMITS.join(',')}`));
      const { bids, asks } = inst.levels(n);
      return ok(depthRest(inst.spec, ctx.now(), bids, [...asks].reverse()));
    }
    case '/openApi/swap/v2/quote/trades': {
      const n = Math.min(Math.max(limit ?? 500, 1), 1000);
      const out = [];
      for (let i = inst.trades.length - 1; i >= 0 && out.length < n; i--) out.push(tradeRest(inst.spec, inst.trades[i]!));
      return ok(out);
    }
    case '/openApi/swap/v2/quote/openInterest':
      return ok({ openInterest: inst.openInterestStr(), symbol: inst.native, time: ctx.now() });
    default: {
      const interval = q.get('interval') ?? '';
      const ivMs = KLINE_INTERVALS[interval];
      if (!ivMs) return err(BINGX_REST_ERR.illegal(`interval ${JSON.stringify(interval)} not supported`));
      const startTime = intParam(q, 'startTime');
      const endTime = intParam(q, 'endTime');
      if (startTime === null || endTime === null) return err(BINGX_REST_ERR.illegal('startTime/endTime'));
      const n = Math.min(Math.max(limit ?? 500, 1), 1440);
      const rows = queryKlines(
        inst.klineSource(ivMs),
        { intervalMs: ivMs, limit: n, ...(startTime !== undefined ? { startTime } : {}), ...(endTime !== undefined ? { endTime } : {}) },
        ctx.now(),
      );
      return ok(rows.map(klineRest));
    }
  }
}

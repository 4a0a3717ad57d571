/** REST endpoints of the live simulator: depth, klines, aggTrades, openInterest, premiumIndex, time, exchangeInfo. */
import type { InstrumentSim } from './instrument-sim.js';
import { KLINE_INTERVALS, queryKlines, type KlineSource } from './klines.js';
import { aggTradeRestItem, depthSnapshotBody, type MarkPriceState } from './payloads.js';
import {
  API_PREFIX,
  ERR,
  depthLimit,
  depthWeight,
  fail,
  intParam,
  klinesWeight,
  notFound,
  ok,
} from './rest-common.js';
import { formatScaled } from './decimal.js';
import { qtyStr, type Market } from './symbol-spec.js';
import type { RestRequest, RestResponse } from './venue-server.js';

export interface LiveMarketView {
  market: Market;
  now(): number;
  instrument(symbol: string): InstrumentSim | undefined;
  symbols(): string[];
  klineSource(symbol: string, intervalMs: number): KlineSource;
  markState(symbol: string): MarkPriceState;
}

const fixed8 = (x: number) => formatScaled(BigInt(Math.round(x * 1e8)), 8);

export function handleLiveRest(v: LiveMarketView, req: RestRequest): RestResponse {
  const prefix = API_PREFIX[v.market];
  if (!req.path.startsWith(prefix + '/')) return notFound(req.path);
  const route = req.path.slice(prefix.length);
  if (req.method !== 'GET') return fail({ code: -1000, msg: `Method ${req.method} not allowed` }, 405);
  const q = req.query;
  if (route === '/ping') return ok({}, 1);
  if (route === '/time') return ok({ serverTime: v.now() }, 1);
  if (route === '/exchangeInfo') return ok(exchangeInfo(v), v.market === 'spot' ? 20 : 1);

  const symbol = q.get('symbol');
  if (!symbol) return fail(ERR.mandatory('symbol'));
  const inst = v.instrument(symbol);
  if (!inst) return fail(ERR.invalidSymbol);
  const limitParam = intParam(q, 'limit');
  if (limitParam === null) return fail(ERR.illegal('limit'));

  switch (route) {
    case '/depth': {
      const limit = depthLimit(v.market, limitParam);
      const now = v.now();
      return ok(
        depthSnapshotBody(
          inst.spec,
          inst.lastUpdateId,
          inst.book.levels('bid', limit),
          inst.book.levels('ask', limit),
          now,
        ),
        depthWeight(v.market, limit),
      );
    }
    case '/klines': {
      const interval = q.get('interval');
      if (!interval) return fail(ERR.mandatory('interval'));
      const iv = KLINE_INTERVALS[interval];
      if (!iv) return fail(ERR.invalidInterval);
      const startTime = intParam(q, 'startTime');
      const endTime = intParam(q, 'endTime');
      if (startTime === null) return fail(ERR.illegal('startTime'));
      if (endTime === null) return fail(ERR.illegal('endTime'));
      const max = v.market === 'spot' ? 1000 : 1500;
      const limit = Math.min(Math.max(limitParam ?? 500, 1), max);
      const rows = queryKlines(
        v.klineSource(inst.spec.symbol, iv),
        {
          intervalMs: iv,
          limit,
          ...(startTime !== undefined ? { startTime } : {}),
          ...(endTime !== undefined ? { endTime } : {}),
        },
        v.now(),
      );
      return ok(rows, klinesWeight(v.market, limit));
    }
    case '/aggTrades': {
      const fromId = intParam(q, 'fromId');
      const startTime = intParam(q, 'startTime');
      const endTime = intParam(q, 'endTime');
      if (fromId === null || startTime === null || endTime === null) return fail(ERR.illegal('fromId'));
      const limit = Math.min(Math.max(limitParam ?? 500, 1), 1000);
      const all = inst.trades;
      let sel;
      if (fromId !== undefined) sel = all.filter((t) => t.aggId >= fromId).slice(0, limit);
      else if (startTime !== undefined || endTime !== undefined)
        sel = all
          .filter((t) => t.time >= (startTime ?? 0) && t.time <= (endTime ?? Infinity))
          .slice(0, limit);
      else sel = all.slice(Math.max(0, all.length - limit));
      return ok(
        sel.map((t) => aggTradeRestItem(v.market, t)),
        v.market === 'spot' ? 4 : 20,
      );
    }
    case '/openInterest':
      if (v.market !== 'perp') return notFound(req.path);
      // futures_rest_openInterest.real.json: symbol, openInterest, time.
      return ok(
        { symbol: inst.spec.symbol, openInterest: qtyStr(inst.spec, inst.openInterestUnits), time: v.now() },
        1,
      );
    case '/premiumIndex': {
      if (v.market !== 'perp') return notFound(req.path);
      const m = v.markState(inst.spec.symbol);
      return ok(
        {
          symbol: inst.spec.symbol,
          markPrice: fixed8(m.mark),
          indexPrice: fixed8(m.index),
          estimatedSettlePrice: fixed8(m.settle),
          lastFundingRate: fixed8(m.fundingRate),
          interestRate: '0.00010000',
          nextFundingTime: m.nextFundingTime,
          time: v.now(),
        },
        1,
      );
    }
    default:
      return notFound(req.path);
  }
}

function exchangeInfo(v: LiveMarketView): object {
  return {
    timezone: 'UTC',
    serverTime: v.now(),
    symbols: v.symbols().map((s) => {
      const spec = v.instrument(s)!.spec;
      const quote =
        ['USDT', 'BUSD', 'USDC', 'BTC', 'ETH', 'EUR'].find((x) => s.endsWith(x) && s.length > x.length) ??
        'USDT';
      return {
        symbol: s,
        status: 'TRADING',
        baseAsset: s.slice(0, s.length - quote.length),
        quoteAsset: quote,
        ...(v.market === 'perp'
          ? {
              contractType: 'PERPETUAL',
              pricePrecision: spec.priceDecimals,
              quantityPrecision: spec.qtyDecimals,
            }
          : {}),
        filters: [
          { filterType: 'PRICE_FILTER', tickSize: formatScaled(spec.tickUnits, spec.priceDecimals) },
          { filterType: 'LOT_SIZE', stepSize: formatScaled(spec.lotUnits, spec.qtyDecimals) },
        ],
      };
    }),
  };
}

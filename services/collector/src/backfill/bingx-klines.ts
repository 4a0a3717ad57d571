import { INTERVALS, type Candle, type Interval, type Market } from '@pricelevel/contracts';
import type { Clock } from '@pricelevel/platform';
import type { BingxKline } from '../exchanges/bingx/parsers.js';
import { BINGX_MAX_KLINES, type BingxRestClient } from '../exchanges/bingx/bingx-rest.js';
import { BINGX, bingxSymbol } from '../exchanges/bingx/symbols.js';
import type { PageRequest } from './kline-pager.js';
import { checkKline, exchangeCandle, type KlineSource } from './kline-source.js';

/**
 * BingX swap `/openApi/swap/v3/quote/klines`: startTime/endTime/limit ≤ 1440. Paged as windows of
 * 1440 so the answer is the whole window whichever end of it the venue serves first.
 */
export const BINGX_KLINE_LIMIT = BINGX_MAX_KLINES;

/** BingX klines carry OHLC and base volume only: quote and taker-buy volumes and the trade count are stored as 0. */
export function bingxCandles(rows: readonly BingxKline[], market: Market, symbol: string, interval: Interval, now: number): Candle[] {
  const instrument = { exchange: BINGX, market, symbol, interval, intervalMs: INTERVALS[interval] };
  return rows.map((k) =>
    exchangeCandle(
      instrument,
      checkKline(
        { openTime: k.openTime, open: k.open, high: k.high, low: k.low, close: k.close, volume: k.volume, quoteVolume: 0, buyVolume: 0, buyQuoteVolume: 0, tradeCount: 0 },
        'bingx klines',
      ),
      now,
    ),
  );
}

export class BingxKlineSource implements KlineSource {
  readonly exchange = BINGX;
  readonly mode = 'window' as const;
  readonly maxLimit = BINGX_KLINE_LIMIT;
  readonly market: Market;

  constructor(
    private readonly rest: BingxRestClient,
    market: Market,
    private readonly clock: Clock,
  ) {
    this.market = market;
  }

  normalize(symbol: string): string {
    return bingxSymbol(symbol).symbol;
  }

  async fetch(symbol: string, interval: Interval, req: PageRequest, signal?: AbortSignal): Promise<Candle[]> {
    const rows = await this.rest.klines(bingxSymbol(symbol), interval, { startTime: req.startTime, endTime: req.endTime, limit: req.limit }, signal);
    return bingxCandles(rows, this.market, symbol, interval, this.clock.now());
  }
}

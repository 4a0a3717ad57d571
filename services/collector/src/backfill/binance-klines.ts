import { INTERVALS, type Candle, type Interval, type Market } from '@pricelevel/contracts';
import type { Clock } from '@pricelevel/platform';
import type { BinanceRestClient } from '../exchanges/binance/binance-rest.js';
import { BINANCE, normalizeSymbol } from '../exchanges/binance/symbols.js';
import type { PageRequest } from './kline-pager.js';
import { checkKline, exchangeCandle, num, type KlineSource } from './kline-source.js';

/** Binance pages forward (first open ≥ startTime, oldest first); 1000 per page on both markets. */
export const BINANCE_KLINE_LIMIT = 1000;

/**
 * `/api/v3/klines` and `/fapi/v1/klines` rows
 * `[openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBuyBase, takerBuyQuote, ignore]`
 * → Candles, oldest first. Pure.
 */
export function parseBinanceKlines(body: unknown, market: Market, symbol: string, interval: Interval, now: number): Candle[] {
  if (!Array.isArray(body)) throw new Error('binance klines: body is not an array');
  const instrument = { exchange: BINANCE, market, symbol, interval, intervalMs: INTERVALS[interval] };
  return body.map((row: unknown, i) => {
    if (!Array.isArray(row) || row.length < 11) throw new Error(`binance klines: row ${i} is not a kline`);
    const f = checkKline(
      {
        openTime: row[0] as number,
        open: num(row[1]),
        high: num(row[2]),
        low: num(row[3]),
        close: num(row[4]),
        volume: num(row[5]),
        quoteVolume: num(row[7]),
        tradeCount: row[8] as number,
        buyVolume: num(row[9]),
        buyQuoteVolume: num(row[10]),
      },
      'binance klines',
    );
    return exchangeCandle(instrument, f, now);
  });
}

export class BinanceKlineSource implements KlineSource {
  readonly exchange = BINANCE;
  readonly mode = 'forward' as const;
  readonly maxLimit = BINANCE_KLINE_LIMIT;
  readonly market: Market;

  constructor(
    private readonly rest: BinanceRestClient,
    market: Market,
    private readonly clock: Clock,
  ) {
    this.market = market;
  }

  normalize(symbol: string): string {
    return normalizeSymbol(symbol);
  }

  async fetch(symbol: string, interval: Interval, req: PageRequest, signal?: AbortSignal): Promise<Candle[]> {
    const body = await this.rest.klines(symbol, interval, { startTime: req.startTime, endTime: req.endTime, limit: req.limit }, signal);
    return parseBinanceKlines(body, this.market, symbol, interval, this.clock.now());
  }
}

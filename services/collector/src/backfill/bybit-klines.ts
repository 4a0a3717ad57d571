import { INTERVALS, type Candle, type Interval, type Market } from '@pricelevel/contracts';
import type { Clock } from '@pricelevel/platform';
import type { BybitKline, BybitRestClient } from '../exchanges/bybit/bybit-rest.js';
import { BYBIT, bybitInstrument } from '../exchanges/bybit/symbols.js';
import type { PageRequest } from './kline-pager.js';
import { checkKline, exchangeCandle, type KlineSource } from './kline-source.js';

/** `/v5/market/kline` returns the NEWEST `limit` (≤ 1000) in [start, end]: paged as windows of 1000. */
export const BYBIT_KLINE_LIMIT = 1000;

export const BYBIT_INTERVALS: Record<Interval, string> = { '1m': '1', '5m': '5', '15m': '15', '1h': '60', '4h': '240', '1d': 'D' };

/**
 * Parsed Bybit klines (already oldest first) → Candles. Bybit klines carry volume (base) and
 * turnover (quote) only: taker-buy volumes and the trade count are stored as 0.
 */
export function bybitCandles(rows: readonly BybitKline[], market: Market, symbol: string, interval: Interval, now: number): Candle[] {
  const instrument = { exchange: BYBIT, market, symbol, interval, intervalMs: INTERVALS[interval] };
  return rows.map((k) =>
    exchangeCandle(
      instrument,
      checkKline(
        { openTime: k.start, open: k.open, high: k.high, low: k.low, close: k.close, volume: k.volume, quoteVolume: k.turnover, buyVolume: 0, buyQuoteVolume: 0, tradeCount: 0 },
        'bybit klines',
      ),
      now,
    ),
  );
}

export class BybitKlineSource implements KlineSource {
  readonly exchange = BYBIT;
  readonly mode = 'window' as const;
  readonly maxLimit = BYBIT_KLINE_LIMIT;
  readonly market: Market;

  constructor(
    private readonly rest: BybitRestClient,
    market: Market,
    private readonly clock: Clock,
  ) {
    this.market = market;
  }

  normalize(symbol: string): string {
    return bybitInstrument(symbol).symbol;
  }

  async fetch(symbol: string, interval: Interval, req: PageRequest, signal?: AbortSignal): Promise<Candle[]> {
    const native = bybitInstrument(symbol).native;
    const rows = await this.rest.klines(native, BYBIT_INTERVALS[interval], { start: req.startTime, end: req.endTime, limit: req.limit }, signal);
    return bybitCandles(rows, this.market, symbol, interval, this.clock.now());
  }
}

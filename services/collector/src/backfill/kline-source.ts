import type { Candle, Interval, Market } from '@pricelevel/contracts';
import type { PageRequest, PagingMode } from './kline-pager.js';

/**
 * One venue market's kline history over REST, behind the venue's own REST client (and limiter).
 * `fetch` answers one page as Candles (source "exchange", version 1), oldest first; `final` is
 * whether the candle had closed at the time of the answer.
 */
export interface KlineSource {
  readonly exchange: string;
  readonly market: Market;
  readonly mode: PagingMode;
  /** Largest page the venue serves. */
  readonly maxLimit: number;
  /** The normalized symbol (BTCUSDT) of any spelling the venue accepts; throws on an invalid one. */
  normalize(symbol: string): string;
  fetch(symbol: string, interval: Interval, req: PageRequest, signal?: AbortSignal): Promise<Candle[]>;
}

export interface KlineFields {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
  buyVolume: number;
  buyQuoteVolume: number;
  tradeCount: number;
}

/** A venue kline as a stored Candle: version 1, source "exchange", closeTime exclusive. */
export function exchangeCandle(
  instrument: { exchange: string; market: string; symbol: string; interval: string; intervalMs: number },
  f: KlineFields,
  now: number,
): Candle {
  const closeTime = f.openTime + instrument.intervalMs;
  return {
    exchange: instrument.exchange,
    market: instrument.market,
    symbol: instrument.symbol,
    interval: instrument.interval,
    ...f,
    closeTime,
    version: 1,
    final: closeTime <= now,
    source: 'exchange',
  };
}

/** Finite number from a venue's number or decimal string; NaN otherwise. */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}

export function checkKline(f: KlineFields, where: string): KlineFields {
  if (!Number.isSafeInteger(f.openTime) || f.openTime < 0) throw new Error(`${where}: invalid open time ${String(f.openTime)}`);
  const values = [f.open, f.high, f.low, f.close, f.volume, f.quoteVolume, f.buyVolume, f.buyQuoteVolume];
  if (!values.every((v) => Number.isFinite(v) && v >= 0)) throw new Error(`${where}: invalid price or volume at ${f.openTime}`);
  if (!Number.isSafeInteger(f.tradeCount) || f.tradeCount < 0) throw new Error(`${where}: invalid trade count at ${f.openTime}`);
  return f;
}

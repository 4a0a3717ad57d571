import { readFileSync } from 'node:fs';
import { Candle } from '@pricelevel/contracts';
import { parseBarsCsv, TIMEFRAME_MS, type Bar, type LevelTimeframe } from '@pricelevel/levels';

type Instrument = { exchange: string; market: string; symbol: string };

/** Real Binance spot BTCUSDT bars (2017–2022) of one timeframe; provenance in fixtures/README.md. */
export function realBtcBars(tf: LevelTimeframe): Bar[] {
  return parseBarsCsv(readFileSync(new URL(`../../../../fixtures/ohlcv/binance_spot_BTCUSDT_${tf}.csv`, import.meta.url), 'utf8'));
}

/** Bars as the store holds them: closed candles of one source. */
export function barCandles(ref: Instrument, tf: LevelTimeframe, bars: readonly Bar[], source: 'exchange' | 'trades'): Candle[] {
  return bars.map((b) => Candle.fromPartial({
    ...ref, interval: tf, source, openTime: b.openTime, closeTime: b.openTime + TIMEFRAME_MS[tf], open: b.open, high: b.high, low: b.low,
    close: b.close, volume: b.volume, version: 1, final: true,
  }));
}

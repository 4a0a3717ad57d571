import type { Candle } from '@pricelevel/contracts';
import {
  DEFAULT_HISTORY_DAYS, TIMEFRAME_MS, mergeBars, rollUpBars, type Bar, type HistoryDays, type LevelTimeframe, type TimeframeBars,
} from '@pricelevel/levels';
import type { Store } from '@pricelevel/platform';

export interface InstrumentRef {
  exchange: string;
  market: string;
  symbol: string;
}

const DAY_MS = 86_400_000;

export const toBar = (c: Candle): Bar => ({ openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });

/**
 * The closed bars of one instrument up to `now`, per timeframe, from the store: the venue's own klines
 * (backfilled, source "exchange") where present, candles built from trades elsewhere. 4h bars the store
 * lacks are rolled up from 1h (the demo backfills 1h and 1d only).
 */
export async function loadTimeframeBars(store: Store, ref: InstrumentRef, now: number, days: HistoryDays = DEFAULT_HISTORY_DAYS): Promise<TimeframeBars> {
  const read = async (tf: LevelTimeframe, spanDays: number): Promise<Bar[]> => {
    const len = TIMEFRAME_MS[tf];
    const q = { ...ref, interval: tf, fromTs: now - spanDays * DAY_MS, toTs: now, limit: Math.ceil((spanDays * DAY_MS) / len) + 2 };
    const [venue, built] = await Promise.all([
      store.queryCandles({ ...q, source: 'exchange' }),
      store.queryCandles({ ...q, source: 'trades' }),
    ]);
    // Only closed bars: a bar still open at `now` would change under the detector.
    return mergeBars(venue.map(toBar), built.filter((c) => c.final).map(toBar)).filter((b) => b.openTime + len <= now);
  };
  // Without daily bars there is nothing to detect: the finer timeframes are not read (an instrument waiting
  // for its backfill costs one query pair per look).
  const d1 = await read('1d', days.d1);
  if (d1.length === 0) return { d1, h4: [], h1: [] };
  const [h4, h1] = await Promise.all([read('4h', days.h4), read('1h', Math.max(days.h1, days.h4))]);
  const h4FromH1 = rollUpBars(h1, TIMEFRAME_MS['1h'], TIMEFRAME_MS['4h']);
  const h1Since = now - days.h1 * DAY_MS;
  return { d1, h4: mergeBars(h4, h4FromH1), h1: h1.filter((b) => b.openTime >= h1Since) };
}

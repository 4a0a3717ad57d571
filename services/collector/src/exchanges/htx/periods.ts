/** HTX kline periods and their lengths; `interval` is the project's name where one exists. */
export const HTX_PERIODS: Record<string, { ms: number; interval: string }> = {
  '1min': { ms: 60_000, interval: '1m' },
  '5min': { ms: 300_000, interval: '5m' },
  '15min': { ms: 900_000, interval: '15m' },
  '30min': { ms: 1_800_000, interval: '30m' },
  '60min': { ms: 3_600_000, interval: '1h' },
  '4hour': { ms: 14_400_000, interval: '4h' },
  '1day': { ms: 86_400_000, interval: '1d' },
  '1week': { ms: 604_800_000, interval: '1w' },
};

/** `/market/history/kline` returns at most this many candles (newest first) and has no time paging. */
export const MAX_KLINE_SIZE = 2000;

/**
 * Real historical candles (fixtures/ohlcv/binance_spot_<SYM>_<1h|4h|1d>.csv) served as the klines that
 * precede the simulated session. With align 'session' the whole set is shifted by a whole number of days
 * so its last day lands on the session's first day; candles not closed before the session starts are cut.
 * Intervals without a file (2h, 6h, 8h, 12h) are rolled up from 1h; below 1h there is no history.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatScaled, parseScaled } from './decimal.js';
import type { HistoryCandle } from './klines.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const FILE_INTERVALS: Record<string, number> = { '1h': HOUR, '4h': 4 * HOUR, '1d': DAY };

export interface HistoryOptions {
  /** Directory holding the CSVs; default `<fixtures>/ohlcv`. */
  dir?: string;
  /** 'session' (default): shift candles to end where the session starts; 'original': real timestamps. */
  align?: 'session' | 'original';
}

const fileCache = new Map<string, HistoryCandle[]>();

function readCsv(file: string): HistoryCandle[] {
  const cached = fileCache.get(file);
  if (cached) return cached;
  const out: HistoryCandle[] = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const [t, open, high, low, close, volume] = line.split(',');
    if (!t || !open || !high || !low || !close || !volume)
      throw new Error(`${file}:${i + 1}: malformed candle row`);
    out.push({ openTime: Number(t), open, high, low, close, volume });
  }
  fileCache.set(file, out);
  return out;
}

export class HistoryStore {
  private readonly dir: string;
  private readonly shift: number;
  private readonly cache = new Map<string, HistoryCandle[]>();

  constructor(
    opts: HistoryOptions,
    fixturesDir: string,
    private readonly sessionStart: number,
  ) {
    this.dir = opts.dir ?? path.join(fixturesDir, 'ohlcv');
    if (!fs.existsSync(this.dir)) throw new Error(`history dir not found: ${this.dir}`);
    if ((opts.align ?? 'session') === 'original') {
      this.shift = 0;
    } else {
      // One shift for every file so all symbols and intervals stay aligned to UTC days.
      let lastDay = -Infinity;
      for (const f of fs.readdirSync(this.dir)) {
        const m = /^binance_spot_[A-Z0-9]+_1h\.csv$/.exec(f);
        if (!m) continue;
        const rows = readCsv(path.join(this.dir, f));
        const last = rows[rows.length - 1];
        if (last) lastDay = Math.max(lastDay, Math.floor(last.openTime / DAY) * DAY);
      }
      this.shift = Number.isFinite(lastDay) ? Math.floor(sessionStart / DAY) * DAY - lastDay : 0;
    }
  }

  has(symbol: string): boolean {
    return fs.existsSync(this.file(symbol, '1h'));
  }

  private file(symbol: string, name: string): string {
    return path.join(this.dir, `binance_spot_${symbol}_${name}.csv`);
  }

  /** Candles for an interval, ascending, all closed before the session's first bucket of that interval. */
  candles(symbol: string, intervalMs: number): HistoryCandle[] {
    const key = `${symbol}:${intervalMs}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    let rows: HistoryCandle[] = [];
    const fileName = Object.keys(FILE_INTERVALS).find((k) => FILE_INTERVALS[k] === intervalMs);
    if (fileName && fs.existsSync(this.file(symbol, fileName))) {
      rows = readCsv(this.file(symbol, fileName));
    } else if (intervalMs > HOUR && intervalMs % HOUR === 0 && intervalMs <= DAY && this.has(symbol)) {
      rows = rollUp(readCsv(this.file(symbol, '1h')), intervalMs);
    }
    const firstSessionBucket = Math.floor(this.sessionStart / intervalMs) * intervalMs;
    const shifted = rows
      .map((c) => ({ ...c, openTime: c.openTime + this.shift }))
      .filter((c) => c.openTime + intervalMs <= firstSessionBucket);
    this.cache.set(key, shifted);
    return shifted;
  }

  /** Close of the last historical hour before the session (to continue the price from), if any. */
  lastClose(symbol: string): number | undefined {
    const rows = this.candles(symbol, HOUR);
    const last = rows[rows.length - 1];
    return last ? Number(last.close) : undefined;
  }
}

/** Roll 1h candles up into a longer interval (buckets aligned to the epoch, like Binance). */
export function rollUp(hours: readonly HistoryCandle[], intervalMs: number): HistoryCandle[] {
  const out: HistoryCandle[] = [];
  let cur: { openTime: number; open: string; high: number; low: number; close: string; vol: bigint } | null =
    null;
  const flush = () => {
    if (cur)
      out.push({
        openTime: cur.openTime,
        open: cur.open,
        high: String(cur.high),
        low: String(cur.low),
        close: cur.close,
        volume: formatScaled(cur.vol, 8),
      });
  };
  for (const h of hours) {
    const bucket = Math.floor(h.openTime / intervalMs) * intervalMs;
    if (!cur || cur.openTime !== bucket) {
      flush();
      cur = {
        openTime: bucket,
        open: h.open,
        high: Number(h.high),
        low: Number(h.low),
        close: h.close,
        vol: 0n,
      };
    }
    cur.high = Math.max(cur.high, Number(h.high));
    cur.low = Math.min(cur.low, Number(h.low));
    cur.close = h.close;
    cur.vol += parseScaled(h.volume, 8, true);
  }
  flush();
  return out;
}

import type { Candle, Trade } from '@pricelevel/contracts';
import type { Clock } from '@pricelevel/platform';
import { parseRestDepth, parseRestKlines, parseRestTrades, type HtxDepth } from './parsers.js';
import { HTX_PERIODS, MAX_KLINE_SIZE } from './periods.js';
import { nativeSymbol } from './symbols.js';

export class HtxRestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'HtxRestError';
  }
}

export interface HtxRestOptions {
  restUrl: string;
  clock: Clock;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

/**
 * HTX public market REST. `/market/history/kline` has no start/end: it returns the latest `size`
 * (≤ 2000) candles, newest first. Backfill therefore asks for just enough candles to reach back to
 * where the store ends (`klineSizeSince`), de-duplicates by open time, and cannot reach further back
 * than 2000 periods: older holes are reported, not filled, from this endpoint.
 */
export class HtxRestClient {
  private readonly base: string;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: HtxRestOptions) {
    this.base = options.restUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** `/market/depth` (type step0 = no aggregation; `depth` 5/10/20, omitted = 150 levels). */
  async depth(symbol: string, depth?: 5 | 10 | 20, signal?: AbortSignal): Promise<HtxDepth> {
    const params: Record<string, string> = { symbol: nativeSymbol(symbol), type: 'step0' };
    if (depth !== undefined) params.depth = String(depth);
    const text = await this.get('/market/depth', params, signal);
    return parseRestDepth(JSON.parse(text), symbol, this.options.clock.now());
  }

  /** The latest `size` candles of `period`, oldest first (the newest may still be open). */
  async klines(symbol: string, period: string, size: number, signal?: AbortSignal): Promise<Candle[]> {
    if (!HTX_PERIODS[period]) throw new RangeError(`unknown HTX period ${period}`);
    if (!Number.isInteger(size) || size < 1 || size > MAX_KLINE_SIZE) throw new RangeError(`size must be 1..${MAX_KLINE_SIZE}, got ${size}`);
    const text = await this.get('/market/history/kline', { symbol: nativeSymbol(symbol), period, size: String(size) }, signal);
    return parseRestKlines(JSON.parse(text), symbol, period, this.options.clock.now());
  }

  /** The latest `size` (1..2000) trades, oldest first, with exact venue ids. */
  async trades(symbol: string, size: number, signal?: AbortSignal): Promise<{ trades: Trade[]; ids: string[] }> {
    if (!Number.isInteger(size) || size < 1 || size > 2000) throw new RangeError(`size must be 1..2000, got ${size}`);
    const text = await this.get('/market/history/trade', { symbol: nativeSymbol(symbol), size: String(size) }, signal);
    return parseRestTrades(text, symbol, this.options.clock.now());
  }

  private async get(path: string, params: Record<string, string>, signal: AbortSignal | undefined): Promise<string> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = this.options.clock.setTimeout(() => controller.abort(), this.timeoutMs);
    const url = `${this.base}${path}?${new URLSearchParams(params).toString()}`;
    try {
      const res = await this.fetchFn(url, { signal: controller.signal, headers: { accept: 'application/json' } });
      const text = await res.text();
      if (!res.ok) throw new HtxRestError(`GET ${path} → ${res.status}: ${text.slice(0, 80)}`, res.status);
      return text;
    } catch (err) {
      if (controller.signal.aborted && !(err instanceof HtxRestError)) {
        throw new Error(signal?.aborted ? `GET ${path} aborted` : `GET ${path} timed out after ${this.timeoutMs} ms`);
      }
      throw err;
    } finally {
      timer.cancel();
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** Candles to request so the answer reaches back to `fromOpenTime` (capped at 2000). */
export function klineSizeSince(fromOpenTime: number, now: number, period: string): number {
  const p = HTX_PERIODS[period];
  if (!p) throw new RangeError(`unknown HTX period ${period}`);
  const needed = Math.floor(now / p.ms) - Math.floor(fromOpenTime / p.ms) + 1;
  return Math.max(1, Math.min(MAX_KLINE_SIZE, needed));
}

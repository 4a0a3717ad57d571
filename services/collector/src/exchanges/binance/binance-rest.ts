import type { Market, Ticker } from '@pricelevel/contracts';
import type { Clock } from '@pricelevel/platform';
import { parseDepthSnapshot, parseOpenInterest, type DepthSnapshot } from './parsers.js';
import type { WeightLimiter } from './weight-limiter.js';

/** Request weight of a depth snapshot by `limit` (spot /api/v3/depth, USDⓈ-M /fapi/v1/depth). */
export function depthWeight(market: Market, limit: number): number {
  if (market === 'spot') return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
  return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
}

/** Request weight of klines by `limit`: spot /api/v3/klines 2; USDⓈ-M /fapi/v1/klines 1/2/5/10. */
export function klinesWeight(market: Market, limit: number): number {
  if (market === 'spot') return 2;
  return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
}

const SPOT_DEPTH_LIMITS = [1, 5000] as const;
const PERP_DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000] as const;

export class BinanceRestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** Binance error code from the body (`{"code":-1121,"msg":"Invalid symbol."}`), when present. */
    readonly code?: number,
  ) {
    super(message);
    this.name = 'BinanceRestError';
  }
}

export interface BinanceRestOptions {
  restUrl: string;
  market: Market;
  limiter: WeightLimiter;
  clock: Clock;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

/** Public REST endpoints the collector needs, behind the weight limiter. */
export class BinanceRestClient {
  private readonly base: string;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: BinanceRestOptions) {
    this.base = options.restUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async depthSnapshot(symbol: string, limit = 1000, signal?: AbortSignal): Promise<DepthSnapshot> {
    const spot = this.options.market === 'spot';
    if (spot ? limit < SPOT_DEPTH_LIMITS[0] || limit > SPOT_DEPTH_LIMITS[1] : !(PERP_DEPTH_LIMITS as readonly number[]).includes(limit)) {
      throw new RangeError(`invalid depth limit ${limit} for ${this.options.market}`);
    }
    const path = spot ? '/api/v3/depth' : '/fapi/v1/depth';
    const body = await this.get(path, { symbol, limit: String(limit) }, depthWeight(this.options.market, limit), signal, false);
    return parseDepthSnapshot(body, this.options.clock.now());
  }

  /** Current open interest (USDⓈ-M only; REST is the only source). Low priority: yields to snapshots. */
  async openInterest(symbol: string, signal?: AbortSignal): Promise<Ticker> {
    if (this.options.market !== 'perp') throw new Error('open interest exists only on the perp market');
    const body = await this.get('/fapi/v1/openInterest', { symbol }, 1, signal, true);
    return parseOpenInterest(body, this.options.market, this.options.clock.now());
  }

  /**
   * Klines (spot /api/v3/klines, USDⓈ-M /fapi/v1/klines) as the venue's raw rows, oldest first:
   * from the first open ≥ startTime, at most `limit` (spot ≤ 1000, perp ≤ 1500). Low priority: history
   * yields to book snapshots.
   */
  async klines(symbol: string, interval: string, q: { startTime?: number; endTime?: number; limit: number }, signal?: AbortSignal): Promise<unknown> {
    const max = this.options.market === 'spot' ? 1000 : 1500;
    if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > max) throw new RangeError(`invalid klines limit ${q.limit} for ${this.options.market}`);
    const params: Record<string, string> = { symbol, interval, limit: String(q.limit) };
    if (q.startTime !== undefined) params.startTime = String(q.startTime);
    if (q.endTime !== undefined) params.endTime = String(q.endTime);
    const path = this.options.market === 'spot' ? '/api/v3/klines' : '/fapi/v1/klines';
    return this.get(path, params, klinesWeight(this.options.market, q.limit), signal, true);
  }

  private async get(path: string, params: Record<string, string>, weight: number, signal: AbortSignal | undefined, lowPriority: boolean): Promise<unknown> {
    await this.options.limiter.acquire(weight, signal, lowPriority);
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = this.options.clock.setTimeout(() => controller.abort(), this.timeoutMs);
    const url = `${this.base}${path}?${new URLSearchParams(params).toString()}`;
    try {
      const res = await this.fetchFn(url, { signal: controller.signal, headers: { accept: 'application/json' } });
      this.options.limiter.onResponse(res.status, res.headers);
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new BinanceRestError(`GET ${path} → ${res.status}: body is not JSON (${text.slice(0, 80)})`, res.status);
      }
      if (!res.ok) {
        const b = body as { code?: unknown; msg?: unknown } | null;
        const code = typeof b?.code === 'number' ? b.code : undefined;
        throw new BinanceRestError(`GET ${path} → ${res.status}${b && typeof b.msg === 'string' ? `: ${b.msg}` : ''}`, res.status, code);
      }
      return body;
    } catch (err) {
      if (controller.signal.aborted && !(err instanceof BinanceRestError)) {
        throw new Error(signal?.aborted ? `GET ${path} aborted` : `GET ${path} timed out after ${this.timeoutMs} ms`);
      }
      throw err;
    } finally {
      timer.cancel();
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

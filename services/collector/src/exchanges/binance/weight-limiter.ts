import type { Clock } from '@pricelevel/platform';

/** Request-weight budgets per IP and minute (GET /api/v3/exchangeInfo, /fapi/v1/exchangeInfo). */
export const SPOT_WEIGHT_PER_MINUTE = 6000;
export const PERP_WEIGHT_PER_MINUTE = 2400;

export interface WeightLimiterOptions {
  limitPerMinute: number;
  clock: Clock;
  /** Share of the venue's limit this process allows itself (other processes may share the IP). */
  budgetFraction?: number;
  /** Ban length assumed for a 429/418 without Retry-After; doubles on every repeat. */
  defaultBackoffMs?: number;
}

/** The minimal view of response headers the limiter reads (fetch's Headers fits). */
export interface HeaderSource {
  get(name: string): string | null;
}

export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortError';
  }
}

/**
 * Binance REST weight accounting. Weight is counted per calendar minute; the venue's own count in
 * `X-MBX-USED-WEIGHT-1M` overrides the local estimate after every response. 429 (limit hit) and
 * 418 (IP banned) block all requests for `Retry-After` seconds: hammering on after a 429 is what
 * turns into a ban.
 */
export class WeightLimiter {
  private used = 0;
  private minute = -1;
  private blockedUntil = 0;
  private strikes = 0;
  private readonly budget: number;
  private readonly defaultBackoffMs: number;

  constructor(private readonly options: WeightLimiterOptions) {
    this.budget = Math.floor(options.limitPerMinute * (options.budgetFraction ?? 0.8));
    this.defaultBackoffMs = options.defaultBackoffMs ?? 60_000;
  }

  /**
   * How long a request of `weight` must wait (0 = may go now). Low-priority callers (polling)
   * only use the first half of the budget so snapshots needed for resyncs are never starved.
   */
  delayFor(weight: number, lowPriority = false): number {
    const now = this.options.clock.now();
    this.roll(now);
    if (now < this.blockedUntil) return this.blockedUntil - now;
    const budget = lowPriority ? this.budget / 2 : this.budget;
    // A request heavier than the whole budget still goes, alone, at the start of a minute.
    if (this.used > 0 && this.used + weight > budget) return 60_000 - (now % 60_000) + 50;
    return 0;
  }

  /** Waits until `weight` fits, then reserves it. */
  async acquire(weight: number, signal?: AbortSignal, lowPriority = false): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw new AbortedError();
      const wait = this.delayFor(weight, lowPriority);
      if (wait === 0) {
        this.used += weight;
        return;
      }
      await sleep(this.options.clock, wait, signal);
    }
  }

  /** Feed every response here: the venue's weight count and any 429/418 back-off. */
  onResponse(status: number, headers: HeaderSource): void {
    const now = this.options.clock.now();
    this.roll(now);
    const usedHeader = Number(headers.get('x-mbx-used-weight-1m') ?? NaN);
    if (Number.isFinite(usedHeader) && usedHeader >= 0) this.used = usedHeader;
    if (status === 429 || status === 418) {
      const retryAfter = Number(headers.get('retry-after') ?? NaN);
      const ms = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : this.defaultBackoffMs * 2 ** Math.min(this.strikes, 6);
      this.blockedUntil = Math.max(this.blockedUntil, now + ms);
      this.strikes++;
    } else if (status < 400) {
      this.strikes = 0;
    }
  }

  state(): { used: number; budget: number; blockedForMs: number } {
    const now = this.options.clock.now();
    this.roll(now);
    return { used: this.used, budget: this.budget, blockedForMs: Math.max(0, this.blockedUntil - now) };
  }

  private roll(now: number): void {
    const minute = Math.floor(now / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.used = 0;
    }
  }
}

/** Resolves after `ms` on the given clock; rejects with AbortedError when `signal` aborts first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const onAbort = () => {
      timer.cancel();
      reject(new AbortedError());
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

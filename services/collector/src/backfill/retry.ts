import type { Clock } from '@pricelevel/platform';
import { sleep } from '../exchanges/binance/weight-limiter.js';

/** Venue answers that say "slow down" or "try later": HTTP 418/429/403 (Bybit's IP limit), 5xx, and venue codes. */
const RATE_LIMIT_STATUS = new Set([403, 418, 429]);
/** Bybit 10006/10018 (too many visits), BingX 100410 (frequency limit). */
const RATE_LIMIT_CODES = new Set([10006, 10018, 100410]);

/** True when the same request may succeed later: rate limits, server errors, timeouts, dropped connections. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'AbortError' || / aborted$/.test(err.message)) return false;
  const e = err as Error & { status?: unknown; code?: unknown; retCode?: unknown };
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status !== undefined && (RATE_LIMIT_STATUS.has(status) || status >= 500)) return true;
  for (const c of [e.code, e.retCode]) if (typeof c === 'number' && RATE_LIMIT_CODES.has(c)) return true;
  // fetch() network failures and the REST clients' own timeouts.
  return (err.name === 'TypeError' && /fetch failed/i.test(err.message)) || /timed out/.test(err.message);
}

export interface RetryOptions {
  clock: Clock;
  /** Attempts in all (default 5). */
  attempts?: number;
  /** First back-off; doubles per attempt up to maxDelayMs (default 1 s … 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `fn` until it succeeds, retrying only retryable errors with exponential back-off. */
export async function withRetry<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  const attempts = o.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err) || o.signal?.aborted) throw err;
      const delay = Math.min(o.maxDelayMs ?? 30_000, (o.baseDelayMs ?? 1000) * 2 ** (attempt - 1));
      o.onRetry?.(err, attempt, delay);
      await sleep(o.clock, delay, o.signal);
    }
  }
}

/**
 * Keeps at least `minGapMs` between request starts, for venues whose REST client has no limiter
 * of its own (Bybit, BingX, HTX): a backfill must leave the live collector most of the IP's budget.
 */
export class RequestPacer {
  private nextAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly minGapMs: number,
  ) {}

  async wait(signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + this.minGapMs;
    if (at > now) await sleep(this.clock, at - now, signal);
  }
}

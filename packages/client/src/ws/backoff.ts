export interface BackoffOptions {
  /** Delay before the first reconnect attempt, in ms. */
  initialDelayMs: number;
  /** Upper bound of the delay, in ms. */
  maxDelayMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /** Fraction of the delay drawn at random (0 = none, 0.5 = delay × [0.5, 1]): spreads clients reconnecting together. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 250, maxDelayMs: 10_000, factor: 2, jitter: 0.5 };

/** The delay before reconnect attempt `attempt` (0-based); `random` in [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: number): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** Math.max(0, attempt));
  return Math.round(base * (1 - options.jitter * random));
}

export function checkBackoff(options: BackoffOptions): void {
  const { initialDelayMs, maxDelayMs, factor, jitter } = options;
  if (!(initialDelayMs >= 0) || !(maxDelayMs >= initialDelayMs) || !(factor >= 1) || !(jitter >= 0 && jitter <= 1)) {
    throw new Error(`invalid reconnect backoff ${JSON.stringify(options)}: need 0 <= initialDelayMs <= maxDelayMs, factor >= 1, 0 <= jitter <= 1`);
  }
}

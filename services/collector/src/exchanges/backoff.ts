import type { BackoffOptions } from './exchange-adapter.js';

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/**
 * Capped exponential backoff with "equal jitter": half the step is fixed, half random, so
 * reconnect storms spread out but a delay never collapses to zero.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const step = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (step / 2) * random());
}

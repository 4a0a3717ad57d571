/** Delay before redelivering a batch whose handler threw: doubles per consecutive failure, capped. */
export function retryDelayMs(consecutiveFailures: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(30, Math.max(0, consecutiveFailures - 1));
  return Math.min(maxMs, baseMs * 2 ** exp);
}

import type { Prng } from './prng.js';

/** Per-step touch and bounce counts of one level set (index = step). */
export interface StepCounts {
  touches: Int32Array;
  bounces: Int32Array;
}

/** Value at quantile q of an ascending array (linear between ranks). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * 95 % percentile bootstrap of lift = real bounce rate / random bounce rate. Iteration i resamples the
 * steps in moving blocks (touches of nearby steps share a market regime, so single steps would be too
 * optimistic) and pairs them with random draw i over the same resampled steps: the interval covers both
 * the sampling of touches and the spread of the random baseline. NaN when under half the iterations give
 * a finite lift.
 */
export function bootstrapLift(real: StepCounts, draws: readonly StepCounts[], rng: Prng): { low: number; high: number } {
  const steps = real.touches.length;
  if (steps === 0 || draws.length === 0) return { low: Number.NaN, high: Number.NaN };
  const block = Math.max(1, Math.round(Math.cbrt(steps)));
  const blocks = Math.ceil(steps / block);
  const lifts: number[] = [];
  for (const draw of draws) {
    let rt = 0;
    let rb = 0;
    let qt = 0;
    let qb = 0;
    for (let n = 0; n < blocks; n++) {
      const start = rng.int(steps - block + 1);
      for (let s = start; s < start + block; s++) {
        rt += real.touches[s]!;
        rb += real.bounces[s]!;
        qt += draw.touches[s]!;
        qb += draw.bounces[s]!;
      }
    }
    const lift = rb / rt / (qb / qt);
    if (Number.isFinite(lift)) lifts.push(lift);
  }
  if (lifts.length * 2 < draws.length) return { low: Number.NaN, high: Number.NaN };
  lifts.sort((a, b) => a - b);
  return { low: quantile(lifts, 0.025), high: quantile(lifts, 0.975) };
}

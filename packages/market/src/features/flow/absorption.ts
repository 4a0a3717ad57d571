/**
 * Absorption as effort against result (Wyckoff's law of effort vs result), measured against the linear
 * price impact of order-flow imbalance (Kyle 1985; Cont, Kukanov & Stoikov 2014, "The price impact of
 * order book events"): with D the bucket's delta and Δp its price progress, each in units of the
 * rolling mean absolute 1 s value, a typical push moves the price one typical move, and
 *
 *   absorption = sign(D) × max(0, abs(D) / mean abs(D_1s) − sign(D) × Δp / mean abs(Δp_1s))
 *
 * is the part of the aggressive imbalance the price did not follow: > 0 buying absorbed by passive
 * sellers, < 0 selling absorbed by passive buyers, 0 without net aggression or when the price moved at
 * least as far as the push predicts. NaN while either mean is undefined or zero.
 */
export function absorption(delta: number, progress: number, meanAbsDelta: number, meanAbsMove: number): number {
  if (!(meanAbsDelta > 0 && meanAbsMove > 0)) return NaN;
  if (delta === 0) return 0;
  if (Number.isNaN(progress)) return NaN;
  const s = delta > 0 ? 1 : -1;
  const excess = Math.abs(delta) / meanAbsDelta - (s * progress) / meanAbsMove;
  return excess > 0 ? s * excess : 0;
}

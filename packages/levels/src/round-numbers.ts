/**
 * The round-number spacing: the smallest 1, 2.5 or 5 × 10^k that is ≥ minStep (in practice
 * max(price × 2.5 %, 1 ATR)). BTC at 40 000 → 1 000 (ATR ≤ 1 000) or 2 500; at 6 000 with ATR 135 → 250;
 * ETH at 200 with ATR 9 → 10; XRP at 0.3 with ATR 0.01 → 0.01.
 */
export function roundStep(minStep: number): number {
  if (!(minStep > 0) || !Number.isFinite(minStep)) return 0;
  const p = Math.pow(10, Math.floor(Math.log10(minStep)));
  for (const m of [1, 2.5, 5]) if (m * p >= minStep * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/** Multiples of `step` within [low, high], as exact decimals (no 0.30000000000000004). */
export function roundNumbersBetween(low: number, high: number, step: number, max = 400): number[] {
  if (!(step > 0) || !(high >= low)) return [];
  // The slack keeps 0.28 / 0.01 = 28.000000000000004 from dropping 0.28.
  const from = Math.ceil(low / step - 1e-9);
  const to = Math.floor(high / step + 1e-9);
  const out: number[] = [];
  for (let m = from; m <= to && out.length < max; m++) out.push(Number((m * step).toPrecision(12)));
  return out;
}

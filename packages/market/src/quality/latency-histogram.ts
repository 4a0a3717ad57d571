/**
 * Bounded-memory receive-latency histogram with a relative error bound (DDSketch-style log buckets).
 *
 * A value v with |v| >= 1 ms goes to bucket k = ceil(ln|v| / ln γ), γ = (1 + α) / (1 − α), signed like v,
 * and is represented by 2γ^k / (γ + 1): every value of the bucket lies within α (1 %) of it, so the
 * nearest-rank quantile read from the buckets is within α of the exact nearest-rank quantile.
 * |v| < 1 ms reads as 0 (latencies are integer ms, so that is exact). Negative latencies (venue clock
 * ahead of ours) keep their sign. |v| beyond LATENCY_MAX_ABS_MS is clamped there and counted.
 * Memory: at most 2 · 915 + 1 buckets whatever the sample count; typically a few dozen.
 */
export const LATENCY_RELATIVE_ERROR = 0.01;
export const LATENCY_MAX_ABS_MS = 86_400_000;

const GAMMA = (1 + LATENCY_RELATIVE_ERROR) / (1 - LATENCY_RELATIVE_ERROR);
const LN_GAMMA = Math.log(GAMMA);

/** Signed bucket key of a latency: 0 for |v| < 1, else ±(k + 1). */
export function latencyBucketKey(ms: number): number {
  const a = Math.abs(ms);
  if (a < 1) return 0;
  const k = Math.max(0, Math.ceil(Math.log(a) / LN_GAMMA));
  return ms < 0 ? -(k + 1) : k + 1;
}

/** The value a bucket key stands for (within LATENCY_RELATIVE_ERROR of every value in the bucket). */
export function latencyBucketValue(key: number): number {
  if (key === 0) return 0;
  const k = Math.abs(key) - 1;
  const v = (2 * GAMMA ** k) / (GAMMA + 1);
  return key < 0 ? -v : v;
}

/**
 * Nearest-rank quantile (the ⌈q·n⌉-th smallest sample) of a histogram given as values sorted ascending
 * with their counts; undefined when it is empty. Also merges: pass buckets summed by value.
 */
export function quantileOfBuckets(values: readonly number[], counts: readonly number[], q: number): number | undefined {
  let n = 0;
  for (const c of counts) n += c;
  if (n === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    seen += counts[i] ?? 0;
    if (seen >= rank) return values[i];
  }
  return values[values.length - 1];
}

export class LatencyHistogram {
  private readonly counts = new Map<number, number>();
  private n = 0;
  private clampedN = 0;

  /** Samples added. */
  get count(): number {
    return this.n;
  }

  /** Samples beyond ±LATENCY_MAX_ABS_MS, recorded at the limit. */
  get clamped(): number {
    return this.clampedN;
  }

  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    let v = ms;
    if (Math.abs(v) > LATENCY_MAX_ABS_MS) {
      v = Math.sign(v) * LATENCY_MAX_ABS_MS;
      this.clampedN++;
    }
    const key = latencyBucketKey(v);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.n++;
  }

  /** Buckets sorted by value: representative latency (ms) and count. */
  buckets(): { valuesMs: number[]; counts: number[] } {
    const keys = [...this.counts.keys()].sort((a, b) => a - b);
    return { valuesMs: keys.map(latencyBucketValue), counts: keys.map((k) => this.counts.get(k)!) };
  }

  /** Nearest-rank quantile within LATENCY_RELATIVE_ERROR; undefined when empty. */
  quantile(q: number): number | undefined {
    const b = this.buckets();
    return quantileOfBuckets(b.valuesMs, b.counts, q);
  }
}

import type { Level } from '@pricelevel/contracts';
import type { EvaluationBucket } from './types.js';

const DAY_MS = 86_400_000;

/** Age buckets: days from the level's first touch to the step. */
const AGE_BUCKETS: readonly [label: string, maxDays: number][] = [
  ['<30d', 30], ['30-90d', 90], ['90-180d', 180], ['180-365d', 365], ['>=365d', Infinity],
];

export function ageLabel(level: Level, t: number): string {
  if (!(level.firstTouchTs > 0)) return 'unknown';
  const days = (t - level.firstTouchTs) / DAY_MS;
  return AGE_BUCKETS.find(([, max]) => days < max)![0];
}

export const AGE_ORDER = [...AGE_BUCKETS.map(([l]) => l), 'unknown'];

export function priorBouncesLabel(level: Level): string {
  const b = level.bounces;
  return b >= 5 ? '5+' : b >= 3 ? '3-4' : String(Math.max(0, b));
}

export const PRIOR_BOUNCES_ORDER = ['0', '1', '2', '3-4', '5+'];

/** Touch and bounce counts keyed by a bucket label. */
export class BucketCounts {
  private readonly counts = new Map<string, { touches: number; bounces: number }>();

  add(label: string, touches: number, bounces: number): void {
    const c = this.counts.get(label) ?? { touches: 0, bounces: 0 };
    c.touches += touches;
    c.bounces += bounces;
    this.counts.set(label, c);
  }

  /** Buckets in `order`, leaving out those without a touch. */
  list(order: readonly string[]): EvaluationBucket[] {
    return order.flatMap((label) => {
      const c = this.counts.get(label);
      return c && c.touches > 0 ? [{ label, touches: c.touches, bounce_rate: c.bounces / c.touches }] : [];
    });
  }
}

/**
 * Touches grouped by score decile: the touches sorted by the score of their level and cut into ten
 * groups of (nearly) equal size; each label gives the decile and its score range.
 */
export function scoreDeciles(scores: readonly number[], bounced: readonly boolean[]): EvaluationBucket[] {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const out: EvaluationBucket[] = [];
  for (let d = 0; d < 10; d++) {
    const from = Math.floor((d * order.length) / 10);
    const to = Math.floor(((d + 1) * order.length) / 10);
    if (to <= from) continue;
    let bounces = 0;
    for (let k = from; k < to; k++) if (bounced[order[k]!]) bounces += 1;
    const lo = scores[order[from]!]!;
    const hi = scores[order[to - 1]!]!;
    out.push({ label: `D${d + 1} ${lo.toFixed(2)}-${hi.toFixed(2)}`, touches: to - from, bounce_rate: bounces / (to - from) });
  }
  return out;
}

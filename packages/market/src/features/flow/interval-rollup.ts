import { INTERVALS, type Interval, type OrderFlow } from '@pricelevel/contracts';
import { absorption } from './absorption.js';
import { FOOTPRINT_MULTIPLIERS, SECOND_MS, type ResolvedFlowOptions } from './flow-options.js';
import { orderFlowMessage, type BucketContext } from './flow-message.js';
import { FlowTotals } from './flow-totals.js';

/** What a closed second hands to the rollups besides its totals. */
export interface SecondContext extends BucketContext {
  /** Last trade price so far (carried through seconds without trades). */
  close: number;
  /** The price the second's progress is measured from: the previous close, else its first trade. */
  ref: number;
  meanAbsDelta: number;
  meanAbsMove: number;
}

/** max ignoring NaN; NaN only when both are. */
function maxDefined(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b);
}

/** One candle interval's open bucket, folded from the closed seconds that fall in it. */
export class IntervalRollup {
  private readonly lengthMs: number;
  private readonly multiplier: number;
  private openTime = NaN;
  private totals: FlowTotals;
  private ref = NaN;
  private volatilityZ = NaN;
  private volumeZ = NaN;
  private panicIndex = NaN;
  private cascadeIntensity = NaN;

  constructor(
    readonly interval: Interval,
    private readonly o: ResolvedFlowOptions,
  ) {
    this.lengthMs = INTERVALS[interval];
    this.multiplier = FOOTPRINT_MULTIPLIERS[interval];
    this.totals = this.fresh();
  }

  /** Folds the second starting at `start`; returns the bucket's flow when that second ends it. */
  add(start: number, second: FlowTotals, c: SecondContext): OrderFlow | undefined {
    const openTime = Math.floor(start / this.lengthMs) * this.lengthMs;
    if (openTime !== this.openTime) {
      // A new bucket; one whose closing second never came (a gap) is discarded unemitted.
      this.openTime = openTime;
      this.totals = this.fresh();
      this.ref = c.ref;
      this.volatilityZ = this.volumeZ = this.panicIndex = this.cascadeIntensity = NaN;
    }
    const t = this.totals;
    t.merge(second);
    this.volatilityZ = maxDefined(this.volatilityZ, c.volatilityZ);
    this.volumeZ = maxDefined(this.volumeZ, c.volumeZ);
    this.panicIndex = maxDefined(this.panicIndex, c.panicIndex);
    this.cascadeIntensity = maxDefined(this.cascadeIntensity, c.cascadeIntensity);
    const closeTime = openTime + this.lengthMs;
    if (start + SECOND_MS !== closeTime) return undefined;
    this.openTime = NaN;
    const ref = Number.isNaN(this.ref) ? t.firstPrice : this.ref;
    return orderFlowMessage(this.o, this.interval, openTime, closeTime, t, {
      ...c,
      absorption: absorption(t.delta, c.close - ref, c.meanAbsDelta, c.meanAbsMove),
      volatilityZ: this.volatilityZ,
      volumeZ: this.volumeZ,
      panicIndex: this.panicIndex,
      cascadeIntensity: this.cascadeIntensity,
    });
  }

  private fresh(): FlowTotals {
    return new FlowTotals(this.multiplier, this.o.liquidationCompleteness);
  }
}

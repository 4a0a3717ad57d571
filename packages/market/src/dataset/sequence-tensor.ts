import type { BookSnapshot } from '@pricelevel/contracts';

/** Levels per side in one timestep. */
export const SEQUENCE_LEVELS = 100;
/** Values per timestep: price and size of every level of both sides. */
export const TIMESTEP_FEATURES = 4 * SEQUENCE_LEVELS;

const BID_PRICE = 0;
const BID_SIZE = SEQUENCE_LEVELS;
const ASK_PRICE = 2 * SEQUENCE_LEVELS;
const ASK_SIZE = 3 * SEQUENCE_LEVELS;

/** Names of the 400 values of a timestep, in tensor order (`bid_price_rel_0` … `ask_size_norm_99`). */
export const SEQUENCE_FEATURE_NAMES: readonly string[] = ['bid_price_rel', 'bid_size_norm', 'ask_price_rel', 'ask_size_norm'].flatMap(
  (block) => Array.from({ length: SEQUENCE_LEVELS }, (_, i) => `${block}_${i}`),
);

/** The formulas of the timestep values, as the sidecar states them. */
export const SEQUENCE_NORMALIZATION = {
  mid: '(bid_prices[0] + ask_prices[0]) / 2',
  price_rel: '(price - mid) / mid',
  size_norm: 'size / mean_size, mean_size = mean size of all levels present in the snapshot (both sides, at most 100 each)',
  missing_levels: `a side with fewer than ${SEQUENCE_LEVELS} levels has 0 in both price_rel and size_norm of the missing levels (a present level always has size_norm > 0)`,
  levels: 'index 0 is the best level of the side; deeper levels follow',
} as const;

/**
 * Writes the normalized book of one snapshot (TIMESTEP_FEATURES values) into `out` at `offset`.
 * Returns false, leaving `out` untouched, when the snapshot cannot be normalized: a side is empty or
 * the mid or mean size is not a positive finite number.
 */
export function normalizeSnapshot(s: BookSnapshot, out: Float32Array, offset = 0): boolean {
  const nb = Math.min(s.bidPrices.length, s.bidSizes.length, SEQUENCE_LEVELS);
  const na = Math.min(s.askPrices.length, s.askSizes.length, SEQUENCE_LEVELS);
  if (nb === 0 || na === 0) return false;
  const mid = (s.bidPrices[0]! + s.askPrices[0]!) / 2;
  let sizeSum = 0;
  for (let i = 0; i < nb; i++) sizeSum += s.bidSizes[i]!;
  for (let i = 0; i < na; i++) sizeSum += s.askSizes[i]!;
  const meanSize = sizeSum / (nb + na);
  if (!(mid > 0 && Number.isFinite(mid) && meanSize > 0 && Number.isFinite(meanSize))) return false;
  out.fill(0, offset, offset + TIMESTEP_FEATURES);
  for (let i = 0; i < nb; i++) {
    out[offset + BID_PRICE + i] = (s.bidPrices[i]! - mid) / mid;
    out[offset + BID_SIZE + i] = s.bidSizes[i]! / meanSize;
  }
  for (let i = 0; i < na; i++) {
    out[offset + ASK_PRICE + i] = (s.askPrices[i]! - mid) / mid;
    out[offset + ASK_SIZE + i] = s.askSizes[i]! / meanSize;
  }
  return true;
}

export interface SequenceWindowOptions {
  /** Timesteps per sample (default 60). */
  timesteps?: number;
  /** A new sample starts every `stride` timesteps of an unbroken run (default 10). */
  stride?: number;
  /** Distance of consecutive timesteps, ms (default 1000: one snapshot per second). */
  stepMs?: number;
}

/** One finished sample: timesteps × TIMESTEP_FEATURES values, oldest timestep first. */
export interface SequenceWindow {
  /** ts of the first timestep, ms */
  startTs: number;
  /** ts of the last timestep, ms */
  endTs: number;
  data: Float32Array;
}

/** Why snapshots did not end up in windows. */
export interface SequenceWindowStats {
  snapshots: number;
  windows: number;
  /** Missing steps between consecutive snapshots (each gap counts once). */
  gaps: number;
  resyncing: number;
  /** An empty side or a zero mean size. */
  unusable: number;
}

function positiveInt(v: number, what: string): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${what} must be a positive integer, got ${v}`);
  return v;
}

/**
 * Turns one instrument's snapshots, fed one by one in ts order, into sliding windows of `timesteps`
 * consecutive steps: a window is emitted when an unbroken run reaches `timesteps` and then every
 * `stride` further steps. A missing step, a resyncing snapshot or one that cannot be normalized ends
 * the run; the next usable snapshot starts a new one. Memory is one window, whatever the input length.
 */
export class SequenceWindower {
  readonly timesteps: number;
  readonly stride: number;
  readonly stepMs: number;
  readonly #ring: Float32Array;
  #run = 0;
  #prevTs: number | undefined;
  readonly #stats: SequenceWindowStats = { snapshots: 0, windows: 0, gaps: 0, resyncing: 0, unusable: 0 };

  constructor(opts: SequenceWindowOptions = {}) {
    this.timesteps = positiveInt(opts.timesteps ?? 60, 'timesteps');
    this.stride = positiveInt(opts.stride ?? 10, 'stride');
    this.stepMs = positiveInt(opts.stepMs ?? 1000, 'stepMs');
    this.#ring = new Float32Array(this.timesteps * TIMESTEP_FEATURES);
  }

  get stats(): Readonly<SequenceWindowStats> {
    return { ...this.#stats };
  }

  /** Feeds the next snapshot (ts strictly increasing); returns the window it completes, if any. */
  push(s: BookSnapshot): SequenceWindow | undefined {
    if (this.#prevTs !== undefined && s.ts <= this.#prevTs) {
      throw new RangeError(`snapshots out of order: ts ${s.ts} after ${this.#prevTs}`);
    }
    this.#stats.snapshots++;
    if (this.#prevTs !== undefined && s.ts !== this.#prevTs + this.stepMs) {
      this.#stats.gaps++;
      this.#run = 0;
    }
    this.#prevTs = s.ts;
    if (s.resyncing) {
      this.#stats.resyncing++;
      this.#run = 0;
      return undefined;
    }
    const T = this.timesteps;
    if (!normalizeSnapshot(s, this.#ring, (this.#run % T) * TIMESTEP_FEATURES)) {
      this.#stats.unusable++;
      this.#run = 0;
      return undefined;
    }
    this.#run++;
    if (this.#run < T || (this.#run - T) % this.stride !== 0) return undefined;
    // The ring holds the last T timesteps; the oldest sits at slot run % T.
    const data = new Float32Array(T * TIMESTEP_FEATURES);
    const split = (this.#run % T) * TIMESTEP_FEATURES;
    data.set(this.#ring.subarray(split), 0);
    data.set(this.#ring.subarray(0, split), this.#ring.length - split);
    this.#stats.windows++;
    return { startTs: s.ts - (T - 1) * this.stepMs, endTs: s.ts, data };
  }
}

import { readFileSync } from 'node:fs';
import type { BookSnapshot } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import {
  SEQUENCE_FEATURE_NAMES, SequenceWindower, TIMESTEP_FEATURES, normalizeSnapshot, type SequenceWindow,
} from '../../src/dataset/index.js';

const T0 = Date.UTC(2024, 0, 1);
const S = 1000;

function snapshot(ts: number, bids: [number, number][], asks: [number, number][], resyncing = false): BookSnapshot {
  return {
    exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', ts, resyncing, bookEpoch: 1, lastUpdateId: 1, bookTs: ts,
    bidPrices: bids.map((l) => l[0]), bidSizes: bids.map((l) => l[1]),
    askPrices: asks.map((l) => l[0]), askSizes: asks.map((l) => l[1]),
  };
}

/** A real Binance REST depth body (fixtures/binance; provenance in fixtures/PROVENANCE.md). */
function realDepth(file: string, ts: number): BookSnapshot {
  const body = JSON.parse(readFileSync(new URL(`../../../../fixtures/binance/${file}`, import.meta.url), 'utf8')) as {
    bids: [string, string][];
    asks: [string, string][];
  };
  const num = (l: [string, string]): [number, number] => [Number(l[0]), Number(l[1])];
  return snapshot(ts, body.bids.map(num), body.asks.map(num));
}

/** A small synthetic book whose values change with k, so every timestep of a window is recognizable. */
function tick(k: number, opts: { resyncing?: boolean; ts?: number } = {}): BookSnapshot {
  const mid = 100 + k;
  return snapshot(opts.ts ?? T0 + k * S, [[mid - 0.5, 1 + k], [mid - 1, 2]], [[mid + 0.5, 3], [mid + 1, 4 + k], [mid + 2, 5]], opts.resyncing);
}

function normalized(s: BookSnapshot): number[] {
  const out = new Float32Array(TIMESTEP_FEATURES);
  expect(normalizeSnapshot(s, out)).toBe(true);
  return [...out];
}

function feed(w: SequenceWindower, snaps: BookSnapshot[]): SequenceWindow[] {
  return snaps.map((s) => w.push(s)).filter((x): x is SequenceWindow => x !== undefined);
}

describe('timestep layout', () => {
  it('names 400 values: bid price, bid size, ask price, ask size, levels 0..99 each', () => {
    expect(SEQUENCE_FEATURE_NAMES).toHaveLength(400);
    expect(new Set(SEQUENCE_FEATURE_NAMES).size).toBe(400);
    expect([SEQUENCE_FEATURE_NAMES[0], SEQUENCE_FEATURE_NAMES[99], SEQUENCE_FEATURE_NAMES[100], SEQUENCE_FEATURE_NAMES[200], SEQUENCE_FEATURE_NAMES[300], SEQUENCE_FEATURE_NAMES[399]])
      .toEqual(['bid_price_rel_0', 'bid_price_rel_99', 'bid_size_norm_0', 'ask_price_rel_0', 'ask_size_norm_0', 'ask_size_norm_99']);
  });

  it('normalizes a real deep book: the best 100 levels per side, prices relative to the mid, sizes over the mean level size', () => {
    const s = realDepth('spot_rest_depth_limit1000.real.json', T0);
    expect(s.bidPrices.length).toBeGreaterThan(100);
    expect(s.askPrices.length).toBeGreaterThan(100);
    const v = normalized(s);
    const mid = (s.bidPrices[0]! + s.askPrices[0]!) / 2;
    const sizes = [...s.bidSizes.slice(0, 100), ...s.askSizes.slice(0, 100)];
    const mean = sizes.reduce((a, b) => a + b, 0) / 200;
    const expected = [
      ...s.bidPrices.slice(0, 100).map((p) => (p - mid) / mid),
      ...s.bidSizes.slice(0, 100).map((q) => q / mean),
      ...s.askPrices.slice(0, 100).map((p) => (p - mid) / mid),
      ...s.askSizes.slice(0, 100).map((q) => q / mean),
    ].map(Math.fround);
    expect(v).toEqual(expected);
    // Bids below the mid, asks above, both moving away level by level; sizes average to 1 (scale-free).
    expect(v.slice(0, 100).every((x, i) => x < 0 && (i === 0 || x < v[i - 1]!))).toBe(true);
    expect(v.slice(200, 300).every((x, i) => x > 0 && (i === 0 || x > v[200 + i - 1]!))).toBe(true);
    const sizeMean = [...v.slice(100, 200), ...v.slice(300, 400)].reduce((a, b) => a + b, 0) / 200;
    expect(sizeMean).toBeCloseTo(1, 5);
  });

  it('gives the same sizes for a book ten times larger (scale-free across symbols)', () => {
    const s = realDepth('spot_rest_depth_limit1000.real.json', T0);
    const big = { ...s, bidSizes: s.bidSizes.map((q) => q * 10), askSizes: s.askSizes.map((q) => q * 10) };
    const a = normalized(s);
    const b = normalized(big);
    for (let i = 100; i < 200; i++) expect(b[i]).toBeCloseTo(a[i]!, 5);
  });

  it('writes 0 in price and size for the levels a shallow book lacks', () => {
    const s = realDepth('spot_rest_depth_btcusdt.real.json', T0); // 10 levels per side
    expect(s.bidPrices).toHaveLength(10);
    const v = normalized(s);
    const mid = (s.bidPrices[0]! + s.askPrices[0]!) / 2;
    const mean = [...s.bidSizes, ...s.askSizes].reduce((a, b) => a + b, 0) / 20;
    for (const base of [0, 100, 200, 300]) {
      expect(v.slice(base + 10, base + 100).every((x) => x === 0)).toBe(true);
    }
    expect(v[0]).toBe(Math.fround((s.bidPrices[0]! - mid) / mid));
    expect(v[209]).toBe(Math.fround((s.askPrices[9]! - mid) / mid));
    expect(v[309]).toBe(Math.fround(s.askSizes[9]! / mean));
    expect(v.slice(100, 110).every((x) => x > 0)).toBe(true);
  });

  it('refuses a book with an empty side or no size, leaving the output untouched', () => {
    const out = new Float32Array(TIMESTEP_FEATURES * 2).fill(7);
    expect(normalizeSnapshot(snapshot(T0, [], [[101, 1]]), out, TIMESTEP_FEATURES)).toBe(false);
    expect(normalizeSnapshot(snapshot(T0, [[99, 1]], []), out)).toBe(false);
    expect(normalizeSnapshot(snapshot(T0, [[99, 0]], [[101, 0]]), out)).toBe(false);
    expect(out.every((x) => x === 7)).toBe(true);
  });

  it('writes at an offset and clears what a deeper book left there before', () => {
    const out = new Float32Array(TIMESTEP_FEATURES * 2);
    normalizeSnapshot(realDepth('spot_rest_depth_limit1000.real.json', T0), out, TIMESTEP_FEATURES);
    normalizeSnapshot(tick(0), out, TIMESTEP_FEATURES);
    expect(out.subarray(0, TIMESTEP_FEATURES).every((x) => x === 0)).toBe(true);
    expect([...out.subarray(TIMESTEP_FEATURES)]).toEqual(normalized(tick(0)));
  });
});

describe('SequenceWindower', () => {
  it('emits a window when a run reaches `timesteps`, then every `stride` steps, oldest timestep first', () => {
    const w = new SequenceWindower({ timesteps: 3, stride: 2 });
    const snaps = Array.from({ length: 10 }, (_, k) => tick(k));
    const windows = feed(w, snaps);
    expect(windows.map((x) => (x.endTs - T0) / S)).toEqual([2, 4, 6, 8]);
    for (const x of windows) {
      const end = (x.endTs - T0) / S;
      expect(x.startTs).toBe(T0 + (end - 2) * S);
      expect(x.data).toHaveLength(3 * 400);
      expect([...x.data]).toEqual([end - 2, end - 1, end].flatMap((k) => normalized(tick(k))));
    }
    expect(w.stats).toEqual({ snapshots: 10, windows: 4, gaps: 0, resyncing: 0, unusable: 0 });
  });

  it('never spans a missing second: the run starts again after the gap', () => {
    const w = new SequenceWindower({ timesteps: 3, stride: 1 });
    const snaps = [0, 1, 2, 3, 4, 6, 7, 8, 9, 10].map((k) => tick(k));
    const windows = feed(w, snaps);
    expect(windows.map((x) => (x.endTs - T0) / S)).toEqual([2, 3, 4, 8, 9, 10]);
    expect([...windows[3]!.data]).toEqual([6, 7, 8].flatMap((k) => normalized(tick(k))));
    expect(w.stats.gaps).toBe(1);
  });

  it('never spans a resyncing snapshot or one that cannot be normalized', () => {
    const w = new SequenceWindower({ timesteps: 3, stride: 1 });
    const snaps = Array.from({ length: 12 }, (_, k) => tick(k, { resyncing: k === 4 }));
    snaps[8] = snapshot(T0 + 8 * S, [], [[100, 1]]); // an empty bid side
    const windows = feed(w, snaps);
    // Runs: 0-3, 5-7, 9-11.
    expect(windows.map((x) => (x.endTs - T0) / S)).toEqual([2, 3, 7, 11]);
    expect([...windows[2]!.data]).toEqual([5, 6, 7].flatMap((k) => normalized(tick(k))));
    expect(w.stats).toEqual({ snapshots: 12, windows: 4, gaps: 0, resyncing: 1, unusable: 1 });
  });

  it('keeps the stride phase of each run from the run start', () => {
    const w = new SequenceWindower({ timesteps: 2, stride: 3 });
    const ks = [0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14];
    const windows = feed(w, ks.map((k) => tick(k)));
    expect(windows.map((x) => (x.endTs - T0) / S)).toEqual([1, 4, 11, 14]);
  });

  it('matches a naive recomputation over a long run (the ring wraps many times)', () => {
    const T = 7;
    const stride = 3;
    const w = new SequenceWindower({ timesteps: T, stride });
    const snaps = Array.from({ length: 200 }, (_, k) => tick(k));
    const windows = feed(w, snaps);
    expect(windows).toHaveLength(Math.floor((200 - T) / stride) + 1);
    for (const x of windows) {
      const end = (x.endTs - T0) / S;
      expect([...x.data]).toEqual(Array.from({ length: T }, (_, i) => end - T + 1 + i).flatMap((k) => normalized(tick(k))));
    }
  });

  it('uses the defaults 60 timesteps and stride 10', () => {
    const w = new SequenceWindower();
    const windows = feed(w, Array.from({ length: 100 }, (_, k) => tick(k)));
    expect([w.timesteps, w.stride, w.stepMs]).toEqual([60, 10, 1000]);
    expect(windows.map((x) => (x.endTs - T0) / S)).toEqual([59, 69, 79, 89, 99]);
    expect(windows[0]!.data).toHaveLength(60 * 400);
  });

  it('refuses snapshots out of order and invalid options', () => {
    const w = new SequenceWindower({ timesteps: 2 });
    w.push(tick(5));
    expect(() => w.push(tick(5))).toThrow(/out of order/);
    expect(() => w.push(tick(3))).toThrow(/out of order/);
    expect(() => new SequenceWindower({ timesteps: 0 })).toThrow(/timesteps must be a positive integer/);
    expect(() => new SequenceWindower({ stride: 1.5 })).toThrow(/stride must be a positive integer/);
  });
});

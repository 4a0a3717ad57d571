import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BookSnapshot } from '@pricelevel/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import {
  NpyStream, SEQUENCE_FEATURE_NAMES, SequenceWindower, TIMESTEP_FEATURES, normalizeSnapshot, sequenceSidecar, type SequenceSymbolRange,
} from '../../src/dataset/index.js';
import { numpyLoad } from './npy-reference.js';

const T0 = Date.UTC(2024, 0, 1);
const dir = mkdtempSync(join(tmpdir(), 'pricelevel-seq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function book(symbol: string, k: number): BookSnapshot {
  const mid = symbol === 'BTCUSDT' ? 42000 + k : 2200 + k / 10;
  const bids = Array.from({ length: 5 }, (_, i) => mid - 0.5 - i);
  const asks = Array.from({ length: 7 }, (_, i) => mid + 0.5 + i);
  return {
    exchange: 'binance', market: 'spot', symbol, ts: T0 + k * 1000, resyncing: false, bookEpoch: 1, lastUpdateId: k, bookTs: T0 + k * 1000,
    bidPrices: bids, bidSizes: bids.map((_, i) => 1 + i + k), askPrices: asks, askSizes: asks.map((_, i) => 2 + i),
  };
}

describe('sequence sidecar', () => {
  it('describes a two-symbol tensor streamed to .npy, which numpy reads with the stated shape and ranges', () => {
    const timesteps = 4;
    const stride = 2;
    const data = new NpyStream('<f4', [timesteps, TIMESTEP_FEATURES]);
    const ends = new NpyStream('<i8', []);
    const path = join(dir, 'seq.npy');
    const tsPath = join(dir, 'seq.window_end_ts.npy');
    const fd = openSync(path, 'w');
    const tsFd = openSync(tsPath, 'w');
    writeSync(fd, data.header());
    writeSync(tsFd, ends.header());
    const ranges: SequenceSymbolRange[] = [];
    const lengths: Record<string, number> = { BTCUSDT: 10, ETHUSDT: 7 };
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const start = data.rows;
      const w = new SequenceWindower({ timesteps, stride });
      for (let k = 0; k < lengths[symbol]!; k++) {
        const win = w.push(book(symbol, k));
        if (!win) continue;
        writeSync(fd, data.append(win.data));
        writeSync(tsFd, ends.append(BigInt64Array.of(BigInt(win.endTs))));
      }
      ranges.push({ exchange: 'binance', market: 'spot', symbol, start, end: data.rows });
    }
    writeSync(fd, data.finalHeader(), 0, data.headerLength, 0);
    writeSync(tsFd, ends.finalHeader(), 0, ends.headerLength, 0);
    closeSync(fd);
    closeSync(tsFd);

    const side = sequenceSidecar({
      dataFile: 'seq.npy', windowEndTsFile: 'seq.window_end_ts.npy', timesteps, stride, stepMs: 1000, from: T0, to: T0 + 60_000, symbols: ranges,
    });
    // BTCUSDT: runs of 10 → windows ending at steps 3, 5, 7, 9; ETHUSDT: 7 → 3, 5.
    expect(side.symbols).toEqual([
      { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', start: 0, end: 4 },
      { exchange: 'binance', market: 'spot', symbol: 'ETHUSDT', start: 4, end: 6 },
    ]);
    expect(side).toMatchObject({
      format: 'npy', dtype: '<f4', shape: [6, 4, 400], axes: ['sample', 'timestep', 'feature'], timesteps: 4, stride: 2, step_ms: 1000,
      from_iso: '2024-01-01T00:00:00.000Z', to_iso: '2024-01-01T00:01:00.000Z',
      window_end_ts: { file: 'seq.window_end_ts.npy', dtype: '<i8', shape: [6] },
    });
    expect(side.features).toEqual(SEQUENCE_FEATURE_NAMES);
    expect(side.normalization.missing_levels).toMatch(/0 in both price_rel and size_norm/);
    expect(JSON.parse(JSON.stringify(side))).toEqual(side);

    const np = numpyLoad(path);
    expect(np.dtype).toBe('<f4');
    expect(np.shape).toEqual(side.shape);
    // Sample 4 (the first ETHUSDT one) = ETHUSDT steps 0..3.
    const expected = new Float32Array(4 * TIMESTEP_FEATURES);
    for (let i = 0; i < 4; i++) normalizeSnapshot(book('ETHUSDT', i), expected, i * TIMESTEP_FEATURES);
    const per = 4 * TIMESTEP_FEATURES;
    expect(np.values.slice(4 * per, 5 * per)).toEqual([...expected]);
    expect(numpyLoad(tsPath)).toEqual({ dtype: '<i8', shape: [6], values: [3, 5, 7, 9, 3, 5].map((k) => T0 + k * 1000) });
  });

  it('leaves out the timestamps entry when there is no such file, and refuses ranges that do not follow each other', () => {
    const base = { dataFile: 'x.npy', timesteps: 60, stride: 10, stepMs: 1000, from: T0, to: T0 + 1 };
    expect(sequenceSidecar({ ...base, symbols: [] })).not.toHaveProperty('window_end_ts');
    expect(sequenceSidecar({ ...base, symbols: [] }).shape).toEqual([0, 60, 400]);
    const r = (symbol: string, start: number, end: number) => ({ exchange: 'binance', market: 'spot', symbol, start, end });
    expect(() => sequenceSidecar({ ...base, symbols: [r('A', 0, 3), r('B', 4, 5)] })).toThrow(/must follow each other/);
    expect(() => sequenceSidecar({ ...base, symbols: [r('A', 1, 3)] })).toThrow(/must follow each other/);
    expect(sequenceSidecar({ ...base, symbols: [r('A', 0, 0), r('B', 0, 2)] }).shape[0]).toBe(2);
  });
});

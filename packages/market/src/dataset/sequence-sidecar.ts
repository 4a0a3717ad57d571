import { SEQUENCE_FEATURE_NAMES, SEQUENCE_LEVELS, SEQUENCE_NORMALIZATION, TIMESTEP_FEATURES } from './sequence-tensor.js';

/** One instrument of a sequence export and its samples: rows [start, end) of the tensor. */
export interface SequenceSymbolRange {
  exchange: string;
  market: string;
  symbol: string;
  start: number;
  end: number;
}

export interface SequenceSidecarInput {
  /** File name of the tensor, as written next to the sidecar. */
  dataFile: string;
  /** File name of the window-end timestamps (`<i8`, one per sample), when written. */
  windowEndTsFile?: string;
  timesteps: number;
  stride: number;
  stepMs: number;
  /** Requested range, ms [from, to). */
  from: number;
  to: number;
  /** In export order; the samples of each follow those of the previous one. */
  symbols: readonly SequenceSymbolRange[];
}

/** The sidecar JSON of a sequence tensor: everything needed to read and interpret it. */
export interface SequenceSidecar {
  format: 'npy';
  npy_version: '1.0';
  data_file: string;
  dtype: '<f4';
  shape: [number, number, number];
  axes: ['sample', 'timestep', 'feature'];
  timesteps: number;
  stride: number;
  step_ms: number;
  levels_per_side: number;
  features: readonly string[];
  normalization: typeof SEQUENCE_NORMALIZATION;
  windows: string;
  from: number;
  to: number;
  from_iso: string;
  to_iso: string;
  symbols: SequenceSymbolRange[];
  window_end_ts?: { file: string; dtype: '<i8'; shape: [number]; meaning: string };
}

/** Builds the sidecar; the sample count is the end of the last symbol's range. */
export function sequenceSidecar(p: SequenceSidecarInput): SequenceSidecar {
  let expected = 0;
  for (const s of p.symbols) {
    if (s.start !== expected || s.end < s.start) {
      throw new RangeError(`sample ranges must follow each other: ${s.exchange}:${s.market}:${s.symbol} [${s.start}, ${s.end}) after ${expected}`);
    }
    expected = s.end;
  }
  const samples = expected;
  return {
    format: 'npy',
    npy_version: '1.0',
    data_file: p.dataFile,
    dtype: '<f4',
    shape: [samples, p.timesteps, TIMESTEP_FEATURES],
    axes: ['sample', 'timestep', 'feature'],
    timesteps: p.timesteps,
    stride: p.stride,
    step_ms: p.stepMs,
    levels_per_side: SEQUENCE_LEVELS,
    features: SEQUENCE_FEATURE_NAMES,
    normalization: SEQUENCE_NORMALIZATION,
    windows:
      `${p.timesteps} consecutive snapshots ${p.stepMs} ms apart, oldest first; a new window every ${p.stride} steps of an unbroken run. ` +
      'A missing snapshot, a resyncing one or one with an empty side ends the run: no window spans it.',
    from: p.from,
    to: p.to,
    from_iso: new Date(p.from).toISOString(),
    to_iso: new Date(p.to).toISOString(),
    symbols: p.symbols.map((s) => ({ ...s })),
    ...(p.windowEndTsFile !== undefined
      ? { window_end_ts: { file: p.windowEndTsFile, dtype: '<i8' as const, shape: [samples] as [number], meaning: 'ts (ms, UTC) of the last timestep of each sample' } }
      : {}),
  };
}

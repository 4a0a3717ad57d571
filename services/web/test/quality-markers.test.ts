import { describe, expect, it } from 'vitest';
import { addQualityEvent, qualityFromHistory, qualityMarkers, type QualityByCandle } from '../src/app/quality-markers.js';

const M = 60_000;

describe('quality markers', () => {
  it('keeps the candles of a GetCandles quality list that had gaps, resyncs or reconnects', () => {
    const q = qualityFromHistory([
      { openTime: 0, minutes: 1, messages: 100 },
      { openTime: M, sequenceGaps: 2, resyncs: '1' },
      { openTime: 2 * M, reconnects: 1 },
    ]);
    expect([...q]).toEqual([
      [M, { gaps: 2, resyncs: 1, reconnects: 0 }],
      [2 * M, { gaps: 0, resyncs: 0, reconnects: 1 }],
    ]);
  });

  it('buckets live events into the candle of the interval they fall in; other kinds are not counted', () => {
    const live: QualityByCandle = new Map();
    expect(addQualityEvent(live, { kind: 'QUALITY_KIND_SEQUENCE_GAP', ts: 5 * M + 10 }, 5 * M)).toBe(true);
    expect(addQualityEvent(live, { kind: 'QUALITY_KIND_RESYNC', ts: 10 * M - 1 }, 5 * M)).toBe(true);
    expect(addQualityEvent(live, { kind: 'QUALITY_KIND_MALFORMED', ts: 5 * M }, 5 * M)).toBe(false);
    expect(addQualityEvent(live, { kind: 'QUALITY_KIND_RECONNECT' }, 5 * M)).toBe(false);
    expect([...live]).toEqual([[5 * M, { gaps: 1, resyncs: 1, reconnects: 0 }]]);
  });

  it('marks each held candle once, taking the larger of stored and live counts, ascending', () => {
    const history: QualityByCandle = new Map([
      [2 * M, { gaps: 1, resyncs: 1, reconnects: 0 }],
      [9 * M, { gaps: 1, resyncs: 0, reconnects: 0 }],
    ]);
    const live: QualityByCandle = new Map([
      [2 * M, { gaps: 1, resyncs: 1, reconnects: 0 }],
      [M, { gaps: 0, resyncs: 0, reconnects: 3 }],
      [3 * M, { gaps: 2, resyncs: 0, reconnects: 0 }],
    ]);
    const markers = qualityMarkers(history, live, new Set([M, 2 * M, 3 * M]));
    expect(markers).toEqual([
      { openTime: M, text: 'reconnect×3', severity: 'reconnect' },
      { openTime: 2 * M, text: 'gap resync', severity: 'gap' },
      { openTime: 3 * M, text: 'gap×2', severity: 'gap' },
    ]);
  });
});

import { num, str, type Json } from './json-fields.js';

/** Data-quality counts of one candle. */
export interface CandleQualityCounts {
  gaps: number;
  resyncs: number;
  reconnects: number;
}

export type QualityByCandle = Map<number, CandleQualityCounts>;

const EMPTY: CandleQualityCounts = { gaps: 0, resyncs: 0, reconnects: 0 };

/** The per-candle quality of a GetCandles response (withQuality): openTime → counts. */
export function qualityFromHistory(rows: readonly Json[]): QualityByCandle {
  const out: QualityByCandle = new Map();
  for (const q of rows) {
    const counts = { gaps: num(q, 'sequenceGaps'), resyncs: num(q, 'resyncs'), reconnects: num(q, 'reconnects') };
    if (counts.gaps + counts.resyncs + counts.reconnects > 0) out.set(num(q, 'openTime'), counts);
  }
  return out;
}

const KIND_FIELD: Record<string, keyof CandleQualityCounts> = {
  QUALITY_KIND_SEQUENCE_GAP: 'gaps',
  QUALITY_KIND_RESYNC: 'resyncs',
  QUALITY_KIND_RECONNECT: 'reconnects',
};

/** Counts one live QualityEvent (from the `quality:` channel) into the candle of `intervalMs` it falls in. */
export function addQualityEvent(live: QualityByCandle, event: Json, intervalMs: number): boolean {
  const field = KIND_FIELD[str(event, 'kind')];
  const ts = num(event, 'ts');
  if (!field || ts <= 0) return false;
  const openTime = Math.floor(ts / intervalMs) * intervalMs;
  const counts = { ...(live.get(openTime) ?? EMPTY) };
  counts[field]++;
  live.set(openTime, counts);
  return true;
}

export interface QualityMarker {
  /** ms, the candle's openTime */
  openTime: number;
  text: string;
  severity: 'gap' | 'resync' | 'reconnect';
}

/**
 * One marker per candle that had sequence gaps, resyncs or reconnects. The stored ledger and the live events
 * describe the same happenings, so each count is the larger of the two (never their sum). Only candles the
 * chart holds get a marker; ascending by time.
 */
export function qualityMarkers(history: QualityByCandle, live: QualityByCandle, candleTimes: ReadonlySet<number>): QualityMarker[] {
  const out: QualityMarker[] = [];
  for (const openTime of new Set([...history.keys(), ...live.keys()])) {
    if (!candleTimes.has(openTime)) continue;
    const h = history.get(openTime) ?? EMPTY;
    const l = live.get(openTime) ?? EMPTY;
    const c = { gaps: Math.max(h.gaps, l.gaps), resyncs: Math.max(h.resyncs, l.resyncs), reconnects: Math.max(h.reconnects, l.reconnects) };
    const parts = [
      c.gaps ? `gap${c.gaps > 1 ? `×${c.gaps}` : ''}` : '',
      c.resyncs ? `resync${c.resyncs > 1 ? `×${c.resyncs}` : ''}` : '',
      c.reconnects ? `reconnect${c.reconnects > 1 ? `×${c.reconnects}` : ''}` : '',
    ].filter(Boolean);
    if (parts.length === 0) continue;
    const severity = c.gaps ? 'gap' : c.resyncs ? 'resync' : 'reconnect';
    out.push({ openTime, text: parts.join(' '), severity });
  }
  return out.sort((a, b) => a.openTime - b.openTime);
}

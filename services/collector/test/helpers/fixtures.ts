import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The project's copy of the real captured payloads (see fixtures/PROVENANCE.md). */
export const FIXTURES = fileURLToPath(new URL('../../../../fixtures/', import.meta.url));

export function fixtureText(rel: string): string {
  return readFileSync(FIXTURES + rel, 'utf8');
}

export function fixtureLines(rel: string): string[] {
  return fixtureText(rel).split('\n').filter((l) => l.trim().length > 0);
}

/** One line of an orderbook/binance_*.jsonl sequence: a REST snapshot or a WS frame, in receive order. */
export interface SequenceRecord {
  recvTs: number;
  source: 'rest' | 'ws';
  /** The verbatim payload re-serialized (WS frames are combined-stream envelopes). */
  raw: string;
  msg: Record<string, unknown>;
}

export function binanceSequences(): { file: string; market: 'spot' | 'perp'; symbol: string; records: SequenceRecord[] }[] {
  return readdirSync(FIXTURES + 'orderbook')
    .filter((f) => f.startsWith('binance_') && f.endsWith('.jsonl'))
    .sort()
    .map((file) => {
      const m = /^binance_(spot|futures)_([A-Z0-9]+)_/.exec(file);
      if (!m) throw new Error(`unexpected fixture name ${file}`);
      const records = fixtureLines(`orderbook/${file}`).map((line) => {
        const rec = JSON.parse(line) as { recv_ts: number; source: 'rest' | 'ws'; msg: Record<string, unknown> };
        return { recvTs: Math.round(rec.recv_ts * 1000), source: rec.source, raw: JSON.stringify(rec.msg), msg: rec.msg };
      });
      return { file, market: m[1] === 'spot' ? ('spot' as const) : ('perp' as const), symbol: m[2]!, records };
    });
}

/** Rows of a data.binance.vision style depth CSV. */
export function depthCsv(rel: string): {
  symbol: string; ts: number; first: number; last: number; side: 'b' | 'a'; type: string; price: number; qty: number; pu: number;
}[] {
  const [, ...rows] = fixtureLines(rel);
  return rows.map((r) => {
    const [symbol, ts, first, last, side, type, price, qty, pu] = r.split(',');
    return {
      symbol: symbol!, ts: Number(ts), first: Number(first), last: Number(last), side: side as 'b' | 'a',
      type: type!, price: Number(price), qty: Number(qty), pu: Number(pu),
    };
  });
}

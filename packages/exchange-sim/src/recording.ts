/**
 * Loading recorded Binance sessions from fixtures: the orderbook/*_depth_snapshot_and_diffs_*.jsonl files
 * (lines {recv_ts, source: ws|rest, url?, msg}) and, optionally, same-session stream captures from
 * binance/*_ws_<stream>.real.jsonl (combined frames; timed by their event time E).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Market } from './symbol-spec.js';

export interface RecordedFrame {
  /** Receive time (ms) in the recording. */
  t: number;
  stream: string;
  symbol: string;
  /** The frame's `data` as JSON text. */
  data: string;
}

export interface Recording {
  market: Market;
  frames: RecordedFrame[];
  /** Recorded REST depth bodies by symbol, with their receive time. */
  snapshots: Map<
    string,
    { t: number; body: { lastUpdateId: number; bids: unknown[]; asks: unknown[] } & Record<string, unknown> }
  >;
}

export function defaultRecordingFiles(fixturesDir: string, market: Market): string[] {
  const dir = path.join(fixturesDir, 'orderbook');
  const prefix = market === 'spot' ? 'binance_spot_' : 'binance_futures_';
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.includes('_depth_snapshot_and_diffs_') && f.endsWith('.jsonl'))
    .map((f) => path.join(dir, f));
  // Same capture sessions (cryptofeed 2021-07-22 futures / 2021-10-12 spot): aggTrade and 1m kline frames.
  const extra =
    market === 'spot'
      ? ['spot_ws_aggTrade.real.jsonl', 'spot_ws_kline_1m.real.jsonl']
      : ['futures_ws_aggTrade.real.jsonl', 'futures_ws_kline_1m.real.jsonl'];
  for (const f of extra) {
    const p = path.join(fixturesDir, 'binance', f);
    if (fs.existsSync(p)) files.push(p);
  }
  return files.sort();
}

export function loadRecording(market: Market, files: string[]): Recording {
  const frames: RecordedFrame[] = [];
  const snapshots: Recording['snapshots'] = new Map();
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let rec: {
        recv_ts?: number;
        source?: string;
        url?: string;
        msg?: { stream?: string; data?: { E?: number } };
      } & { stream?: string; data?: { E?: number } };
      try {
        rec = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${i + 1}: not JSON`);
      }
      if (rec.source === 'rest') {
        const url = new URL(rec.url ?? '');
        const symbol = url.searchParams.get('symbol');
        if (!symbol || !rec.msg) throw new Error(`${file}:${i + 1}: REST line without symbol/body`);
        snapshots.set(symbol, { t: (rec.recv_ts ?? 0) * 1000, body: rec.msg as never });
        return;
      }
      const msg = rec.source === 'ws' ? rec.msg : rec;
      if (!msg?.stream || !msg.data) throw new Error(`${file}:${i + 1}: not a combined-stream frame`);
      const t = rec.recv_ts !== undefined ? rec.recv_ts * 1000 : (msg.data.E ?? 0);
      const symbol = msg.stream.slice(0, msg.stream.indexOf('@')).toUpperCase();
      frames.push({ t, stream: msg.stream, symbol, data: JSON.stringify(msg.data) });
    });
  }
  // Stable sort keeps file order for equal times (the depth files are in arrival order).
  frames.sort((a, b) => a.t - b.t);
  return { market, frames, snapshots };
}

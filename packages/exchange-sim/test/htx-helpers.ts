/* eslint-disable @typescript-eslint/no-explicit-any -- frames parsed off the wire are checked field by field */
import pako from 'pako';
import WebSocket from 'ws';

export interface HtxCollector {
  ws: WebSocket;
  /** Raw bytes of every frame, as received. */
  frames: Buffer[];
  /** Decompressed text of every frame ('' when it would not gunzip). */
  texts: string[];
  msgs: any[];
  binary: boolean[];
  closed: Promise<number>;
  waitFor(pred: (msgs: any[]) => boolean, what?: string, timeoutMs?: number): Promise<void>;
  send(obj: unknown): void;
}

/** Connects to an HTX endpoint and records every frame; answers pings unless `pong: false`. */
export async function htxConnect(url: string, opts: { pong?: boolean } = {}): Promise<HtxCollector> {
  const ws = new WebSocket(url);
  const c: HtxCollector = {
    ws,
    frames: [],
    texts: [],
    msgs: [],
    binary: [],
    closed: new Promise((resolve) => ws.on('close', (code) => resolve(code))),
    async waitFor(pred, what = 'frames', timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (!pred(c.msgs)) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; got ${c.texts.slice(-3).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    send(obj) {
      ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
    },
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    c.frames.push(data);
    c.binary.push(isBinary);
    let text = '';
    try {
      text = pako.ungzip(data, { to: 'string' });
    } catch {
      text = '';
    }
    c.texts.push(text);
    let msg: any;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = undefined;
    }
    c.msgs.push(msg);
    if (opts.pong !== false && msg && typeof msg.ping === 'number') ws.send(JSON.stringify({ pong: msg.ping }));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return c;
}

/** JSON shape: same keys (sorted) and JSON types, arrays by their first element. */
export function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v === null) return 'null';
  if (typeof v === 'object') return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]));
  return typeof v;
}

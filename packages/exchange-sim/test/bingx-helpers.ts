/* eslint-disable @typescript-eslint/no-explicit-any -- frames parsed off the wire are checked field by field */
import WebSocket from 'ws';
import { ungzip } from 'pako';

/** One frame as received: whether it was binary, its gunzipped text (null = not gzip) and its JSON. */
export interface BxFrame {
  binary: boolean;
  bytes: Buffer;
  text: string | null;
  json: any;
}

export interface BxClient {
  ws: WebSocket;
  frames: BxFrame[];
  closed: Promise<number>;
  /** JSON frames only (acks and pushes), in order. */
  msgs(): any[];
  sub(dataType: string, id?: string): void;
  unsub(dataType: string, id?: string): void;
  waitFor(pred: (c: BxClient) => boolean, timeoutMs?: number, what?: string): Promise<void>;
}

/** Connects to a BingX-style socket; answers `Ping` with `Pong` unless `answerPings` is false. */
export async function bxConnect(url: string, answerPings = true): Promise<BxClient> {
  const ws = new WebSocket(url);
  const frames: BxFrame[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer, binary: boolean) => {
    let text: string | null = null;
    try {
      const t = ungzip(data, { to: 'string' });
      text = typeof t === 'string' ? t : null;
    } catch {
      text = null;
    }
    let json: any;
    try {
      json = text === null || text === 'Ping' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    frames.push({ binary, bytes: data, text, json });
    if (text === 'Ping' && answerPings && ws.readyState === WebSocket.OPEN) ws.send('Pong');
    for (const w of waiters) w();
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let n = 0;
  const c: BxClient = {
    ws,
    frames,
    closed,
    msgs: () => frames.filter((f) => f.json !== undefined).map((f) => f.json),
    sub: (dataType, id = `s${++n}`) => ws.send(JSON.stringify({ id, reqType: 'sub', dataType })),
    unsub: (dataType, id = `u${++n}`) => ws.send(JSON.stringify({ id, reqType: 'unsub', dataType })),
    waitFor(pred, timeoutMs = 5000, what = 'condition') {
      return new Promise<void>((resolve, reject) => {
        if (pred(c)) return resolve();
        const finish = () => {
          waiters.delete(check);
          ws.off('close', check);
          clearTimeout(timer);
        };
        const check = () => {
          if (pred(c)) {
            finish();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`waitFor ${what} timed out after ${timeoutMs} ms (${frames.length} frames)`));
        }, timeoutMs);
        waiters.add(check);
        ws.on('close', check);
      });
    },
  };
  return c;
}

/** Pushes of one dataType. */
export const pushes = (c: BxClient, dataType: string): any[] => c.msgs().filter((m) => m.dataType === dataType && m.data != null);

/** Replays incrDepth pushes (from the last `all`) into a book: best first, numbers. */
export function replayIncrDepth(frames: any[]): { seq: number; bids: [number, number][]; asks: [number, number][] } {
  const bids = new Map<string, string>();
  const asks = new Map<string, string>();
  let seq = 0;
  for (const f of frames) {
    const d = f.data;
    if (d.action === 'all') {
      bids.clear();
      asks.clear();
    } else if (d.lastUpdateId !== seq + 1) throw new Error(`lastUpdateId ${d.lastUpdateId} after ${seq}`);
    for (const [side, levels] of [[bids, d.bids], [asks, d.asks]] as [Map<string, string>, string[][]][]) {
      for (const [p, q] of levels) {
        if (Number(q) === 0) side.delete(p!);
        else side.set(p!, q!);
      }
    }
    seq = d.lastUpdateId;
  }
  const sorted = (m: Map<string, string>, desc: boolean) =>
    [...m].map(([p, q]) => [Number(p), Number(q)] as [number, number]).sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));
  return { seq, bids: sorted(bids, true), asks: sorted(asks, false) };
}

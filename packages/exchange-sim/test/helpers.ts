/* eslint-disable @typescript-eslint/no-explicit-any -- frames parsed off the wire are checked field by field */
import WebSocket from 'ws';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures');

export function readJsonl(rel: string): any[] {
  return fs
    .readFileSync(path.join(FIXTURES, rel), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

export function readJson(rel: string): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, rel), 'utf8'));
}

/** A test clock the simulator stamps events with. */
export class TestClock {
  constructor(public t = Date.UTC(2026, 0, 5, 10, 0, 0)) {}
  now(): number {
    return this.t;
  }
}

export interface Collector {
  ws: WebSocket;
  raw: string[];
  msgs: any[];
  closed: Promise<number>;
  waitFor(pred: (msgs: any[]) => boolean, timeoutMs?: number): Promise<void>;
  send(obj: unknown): void;
}

/** Open a WS and record every text frame (raw and parsed; unparseable frames parse to undefined). */
export async function connect(url: string, opts: WebSocket.ClientOptions = {}): Promise<Collector> {
  const ws = new WebSocket(url, opts);
  const raw: string[] = [];
  const msgs: any[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (d) => {
    const text = d.toString();
    raw.push(text);
    try {
      msgs.push(JSON.parse(text));
    } catch {
      msgs.push(undefined);
    }
    for (const w of waiters) w();
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    raw,
    msgs,
    closed,
    send: (obj) => ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)),
    waitFor(pred, timeoutMs = 5000) {
      return new Promise<void>((resolve, reject) => {
        if (pred(msgs)) return resolve();
        const check = () => {
          if (pred(msgs)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`waitFor timed out after ${timeoutMs} ms (${msgs.length} messages)`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
  };
}

/** Keys in order and value types, recursively; arrays are described by their first element. */
export function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

export function keysInOrder(v: Record<string, unknown>): string[] {
  return Object.keys(v);
}

/** Apply Binance absolute-size levels to a book map. */
export function applyLevels(book: Map<string, string>, levels: [string, string][]): void {
  for (const [p, q] of levels) {
    if (Number(q) === 0) book.delete(p);
    else book.set(p, q);
  }
}

export function sortedBook(m: Map<string, string>, desc: boolean): [number, number][] {
  return [...m.entries()]
    .map(([p, q]) => [Number(p), Number(q)] as [number, number])
    .sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));
}

/**
 * BybitReplay: serves recorded real Bybit v5 frames (fixtures/bybit/ws_*.real*.jsonl and
 * fixtures/orderbook/bybit_*.jsonl) over the same WS protocol as BybitSim. A subscription to a
 * recorded topic plays that topic's frames to the subscribing connection from the start, verbatim,
 * at the recorded pace (by `ts`) divided by `speed`. REST serves the recorded bodies
 * (`/v5/market/orderbook`, `/v5/market/kline`) for their symbols.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultFixturesDir } from '../fixtures-path.js';
import type { SimLogger } from '../venue-server.js';
import { BybitRestServer } from './rest.js';
import { restError } from './payloads.js';
import type { BybitSimUrls } from './bybit-sim.js';
import { BybitWsServer, type BybitClient } from './ws-server.js';

export interface BybitReplayOptions {
  /** JSONL files of frames; default: every real Bybit capture in the fixtures. */
  files?: string[];
  fixturesDir?: string;
  /** 1 = recorded pace (default); Infinity = as fast as possible. */
  speed?: number;
  logger?: SimLogger;
}

interface Frame {
  ts: number;
  text: string;
}

export function defaultBybitReplayFiles(fixturesDir: string): string[] {
  const bybit = path.join(fixturesDir, 'bybit');
  const book = path.join(fixturesDir, 'orderbook');
  return [
    ...fs.readdirSync(bybit).filter((f) => f.startsWith('ws_') && /\.real(-trimmed)?\.jsonl$/.test(f)).map((f) => path.join(bybit, f)),
    ...fs.readdirSync(book).filter((f) => f.startsWith('bybit_') && f.endsWith('.jsonl')).map((f) => path.join(book, f)),
  ].sort();
}

export class BybitReplay {
  readonly urls: BybitSimUrls = { rest: '', spotWs: '', linearWs: '' };
  readonly topics = new Map<string, Frame[]>();
  private ws!: BybitWsServer;
  private rest!: BybitRestServer;
  private readonly timers = new Set<NodeJS.Timeout>();
  framesSent = 0;

  private constructor(private readonly speed: number) {}

  static async start(opts: BybitReplayOptions = {}): Promise<BybitReplay> {
    const speed = opts.speed ?? 1;
    if (!(speed > 0)) throw new Error('BybitReplay: speed must be > 0');
    const r = new BybitReplay(speed);
    const dir = opts.fixturesDir ?? defaultFixturesDir();
    for (const file of opts.files ?? defaultBybitReplayFiles(dir)) {
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const msg = JSON.parse(line) as { topic?: unknown; ts?: unknown };
        if (typeof msg.topic !== 'string') continue;
        let list = r.topics.get(msg.topic);
        if (!list) r.topics.set(msg.topic, (list = []));
        list.push({ ts: typeof msg.ts === 'number' ? msg.ts : 0, text: line.trim() });
      }
    }
    const restBodies = new Map<string, unknown>();
    for (const [name, key] of [['rest_v5_market_orderbook.likely-real.json', '/v5/market/orderbook'], ['rest_v5_market_kline_spot.likely-real.json', '/v5/market/kline']] as const) {
      const file = path.join(dir, 'bybit', name);
      if (!fs.existsSync(file)) continue;
      const body = JSON.parse(fs.readFileSync(file, 'utf8')) as { result: { s?: string; symbol?: string } };
      restBodies.set(`${key}|${body.result.s ?? body.result.symbol}`, body);
    }
    r.ws = await BybitWsServer.listen({
      validTopic: (_m, t) => r.topics.has(t),
      onSubscribe: (c, topics) => topics.forEach((t) => r.play(c, r.topics.get(t)!)),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    r.rest = await BybitRestServer.listen((p, q) => {
      const body = restBodies.get(`${p}|${(q.get('symbol') ?? '').toUpperCase()}`);
      return body ? { status: 200, body } : { status: 200, body: restError(10001, 'params error: Symbol Is Invalid', Date.now()) };
    });
    Object.assign(r.urls, { rest: r.rest.url, spotWs: r.ws.url('spot'), linearWs: r.ws.url('perp') });
    return r;
  }

  private play(c: BybitClient, frames: Frame[]): void {
    const t0 = frames[0]?.ts ?? 0;
    let i = 0;
    const next = () => {
      while (i < frames.length) {
        const f = frames[i]!;
        const due = Number.isFinite(this.speed) ? (f.ts - t0) / this.speed : 0;
        const wait = due - (Date.now() - start);
        if (wait > 0) {
          const t = setTimeout(() => (this.timers.delete(t), next()), wait);
          this.timers.add(t);
          return;
        }
        this.ws.sendTo(c, f.text);
        this.framesSent++;
        i++;
      }
    };
    const start = Date.now();
    next();
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await Promise.all([this.ws.close(), this.rest.close()]);
  }
}

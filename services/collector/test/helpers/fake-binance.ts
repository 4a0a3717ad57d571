import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A tiny in-test Binance: combined streams on /stream (query-string streams or SUBSCRIBE frames),
 * REST depth/openInterest with weight headers, and a deterministic book per symbol whose diffs
 * follow the venue's id rules (spot U = prev u + 1; perp also pu = prev u).
 */
export interface FakeBinanceOptions {
  market: 'spot' | 'perp';
  symbols: string[];
  seed?: number;
}

export interface RestReply {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

class Rng {
  constructor(private s: number) {}
  next(): number {
    // mulberry32
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

export class FakeBook {
  lastUpdateId = 1000;
  bids = new Map<number, number>();
  asks = new Map<number, number>();
  tradeId = 5000;
  constructor(
    readonly symbol: string,
    readonly mid: number,
    private readonly rng: Rng,
  ) {
    for (let i = 1; i <= 20; i++) {
      this.bids.set(mid - i, 1 + i);
      this.asks.set(mid + i, 1 + i);
    }
  }
  /** Next diff: a few levels changed (some deleted), ids advanced by 1–3. */
  diff(): { U: number; u: number; pu: number; b: [string, string][]; a: [string, string][] } {
    const pu = this.lastUpdateId;
    const U = pu + 1;
    const u = pu + this.rng.int(1, 3);
    this.lastUpdateId = u;
    const b: [string, string][] = [];
    const a: [string, string][] = [];
    for (let k = this.rng.int(1, 3); k > 0; k--) {
      const pb = this.mid - this.rng.int(1, 25);
      const sb = this.rng.next() < 0.25 ? 0 : this.rng.int(1, 50);
      if (sb === 0) this.bids.delete(pb);
      else this.bids.set(pb, sb);
      b.push([pb.toFixed(2), sb.toFixed(3)]);
      const pa = this.mid + this.rng.int(1, 25);
      const sa = this.rng.next() < 0.25 ? 0 : this.rng.int(1, 50);
      if (sa === 0) this.asks.delete(pa);
      else this.asks.set(pa, sa);
      a.push([pa.toFixed(2), sa.toFixed(3)]);
    }
    return { U, u, pu, b, a };
  }
  levels(): { bids: [number, number][]; asks: [number, number][] } {
    return {
      bids: [...this.bids].sort((x, y) => y[0] - x[0]),
      asks: [...this.asks].sort((x, y) => x[0] - y[0]),
    };
  }
}

export class FakeBinance {
  readonly books = new Map<string, FakeBook>();
  readonly connections: WebSocket[] = [];
  /** Streams each accepted connection asked for (URL or SUBSCRIBE). */
  readonly subscriptions: string[][] = [];
  readonly subscribeFrames: { id: unknown; params: string[] }[] = [];
  readonly restCalls: string[] = [];
  /** Replace to inject REST failures; return undefined for the default behaviour. */
  restOverride: ((path: string, query: URLSearchParams) => RestReply | undefined) | undefined;
  usedWeight = 0;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly skip = new Set<string>();
  private readonly rng: Rng;
  private E = 1_700_000_000_000;

  private constructor(readonly options: FakeBinanceOptions) {
    this.rng = new Rng(options.seed ?? 7);
    options.symbols.forEach((s, i) => this.books.set(s, new FakeBook(s, 100 * (i + 1), this.rng)));
    this.http = createServer((req, res) => this.onRest(req, res));
    this.wss = new WebSocketServer({ server: this.http });
    this.wss.on('connection', (ws, req) => this.onConnection(ws, req));
  }

  static async start(options: FakeBinanceOptions): Promise<FakeBinance> {
    const fake = new FakeBinance(options);
    await new Promise<void>((resolve) => fake.http.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }
  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  book(symbol: string): FakeBook {
    const b = this.books.get(symbol);
    if (!b) throw new Error(`no fake book ${symbol}`);
    return b;
  }

  /** Sends one round: per symbol a diff and a trade (perp: plus a mark price). */
  step(rounds = 1): void {
    for (let r = 0; r < rounds; r++) {
      for (const [symbol, book] of this.books) {
        this.E += 10;
        const d = book.diff();
        const lower = symbol.toLowerCase();
        if (!this.skip.delete(symbol)) {
          const data: Record<string, unknown> = { e: 'depthUpdate', E: this.E, s: symbol, U: d.U, u: d.u, b: d.b, a: d.a };
          if (this.options.market === 'perp') Object.assign(data, { T: this.E - 1, pu: d.pu });
          this.broadcast({ stream: `${lower}@depth@100ms`, data });
        }
        book.tradeId++;
        this.broadcast({
          stream: `${lower}@aggTrade`,
          data: { e: 'aggTrade', E: this.E, s: symbol, a: book.tradeId, p: `${book.mid}.50`, q: '0.010', f: book.tradeId * 2, l: book.tradeId * 2 + 1, T: this.E, m: book.tradeId % 2 === 0 },
        });
        if (this.options.market === 'perp') {
          this.broadcast({
            stream: `${lower}@markPrice@1s`,
            data: { e: 'markPriceUpdate', E: this.E, s: symbol, p: `${book.mid}.25`, P: `${book.mid}.20`, i: `${book.mid}.10`, r: '0.00010000', T: 1_700_028_800_000 },
          });
        }
      }
    }
  }

  /** The next diff of `symbol` is generated (the book moves) but never sent: a gap. */
  dropNextDiff(symbol: string): void {
    this.skip.add(symbol);
  }

  broadcast(msg: unknown): void {
    const text = typeof msg === 'string' ? msg : JSON.stringify(msg);
    for (const ws of this.connections) if (ws.readyState === ws.OPEN) ws.send(text);
  }

  /** Kills every client socket without a close handshake. */
  dropConnections(): void {
    for (const ws of this.connections) ws.terminate();
  }

  openConnections(): number {
    return this.connections.filter((ws) => ws.readyState === ws.OPEN).length;
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/stream') {
      ws.close(1008, 'unknown path');
      return;
    }
    const streams = (url.searchParams.get('streams') ?? '').split('/').filter(Boolean);
    const index = this.subscriptions.length;
    this.subscriptions.push(streams);
    this.connections.push(ws);
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as { method?: string; params?: string[]; id?: unknown };
      if (msg.method === 'SUBSCRIBE' && Array.isArray(msg.params)) {
        this.subscribeFrames.push({ id: msg.id, params: msg.params });
        this.subscriptions[index]!.push(...msg.params);
        ws.send(JSON.stringify({ result: null, id: msg.id }));
      } else ws.send(JSON.stringify({ code: 2, msg: 'Invalid request', id: msg.id ?? null }));
    });
  }

  private onRest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.restCalls.push(url.pathname + url.search);
    const override = this.restOverride?.(url.pathname, url.searchParams);
    const reply = override ?? this.defaultRest(url.pathname, url.searchParams);
    res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
    res.end(reply.body);
  }

  private defaultRest(path: string, q: URLSearchParams): RestReply {
    const depthPath = this.options.market === 'spot' ? '/api/v3/depth' : '/fapi/v1/depth';
    const symbol = q.get('symbol') ?? '';
    const book = this.books.get(symbol);
    if (!book && (path === depthPath || path === '/fapi/v1/openInterest')) {
      return { status: 400, body: JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }) };
    }
    if (path === depthPath && book) {
      this.usedWeight += 20;
      const { bids, asks } = book.levels();
      const body: Record<string, unknown> = {
        lastUpdateId: book.lastUpdateId,
        bids: bids.map(([p, s]) => [p.toFixed(2), s.toFixed(3)]),
        asks: asks.map(([p, s]) => [p.toFixed(2), s.toFixed(3)]),
      };
      if (this.options.market === 'perp') Object.assign(body, { E: this.E, T: this.E - 1 });
      return { status: 200, headers: { 'x-mbx-used-weight-1m': String(this.usedWeight) }, body: JSON.stringify(body) };
    }
    if (path === '/fapi/v1/openInterest' && book && this.options.market === 'perp') {
      this.usedWeight += 1;
      return {
        status: 200,
        headers: { 'x-mbx-used-weight-1m': String(this.usedWeight) },
        body: JSON.stringify({ symbol, openInterest: (1000 + book.lastUpdateId / 1000).toFixed(3), time: this.E }),
      };
    }
    return { status: 404, body: JSON.stringify({ code: -1, msg: 'not found' }) };
  }
}

/** Polls `cond` until true; throws with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

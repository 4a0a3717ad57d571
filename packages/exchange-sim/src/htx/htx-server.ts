/**
 * HTX spot on loopback: one host serving REST (`/market/...`) and two WebSocket paths, `/ws` (market
 * data) and `/feed` (MBP incremental and its REQ), as api.huobi.pro does. Every server frame is gzip;
 * the server pings `{"ping":ts}` every interval and drops a client right before the next ping once two
 * pings went unanswered. Requests are `sub`/`unsub`/`req` with an `id`, answered as the venue does.
 * What topics mean is injected (`HtxTopicHandler`); the server knows the protocol only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pako from 'pako';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { pingText, subAckText, unsubAckText, wsErrorText } from './htx-payloads.js';
import { silentSimLogger, type SimLogger } from '../venue-server.js';

export type HtxPath = 'ws' | 'feed';

export interface HtxClient {
  readonly id: number;
  readonly path: HtxPath;
  readonly topics: ReadonlySet<string>;
}

export interface HtxTopicHandler {
  /** Null when the topic is valid on `path`, else the venue's error message. */
  validate(path: HtxPath, topic: string): string | null;
  onSubscribe?(client: HtxClient, topic: string): void;
  /** Answer text for a `req`, or an error message as `{ error }`. */
  request(path: HtxPath, topic: string, id: unknown): { text: string } | { error: string };
  rest(path: string, query: URLSearchParams): { status: number; text: string };
}

export interface HtxServerStats {
  connections: number;
  connectionsTotal: number;
  framesSent: number;
  bytesSent: number;
  framesBufferedByStall: number;
  pingsSent: number;
  pongsReceived: number;
  pongTimeouts: number;
  requests: number;
  invalidRequests: number;
  restRequests: number;
}

class Client implements HtxClient {
  topics = new Set<string>();
  unanswered = 0;
  /** The two latest ping integers: a pong matching either counts. */
  pings: string[] = [];
  lastReqAt = -Infinity;
  /** The `missed-pong` fault: this client's pongs are lost until the server drops it. */
  losePongs = false;
  constructor(
    readonly id: number,
    readonly path: HtxPath,
    readonly ws: WebSocket,
  ) {}
}

/** Requests (`req`) closer than this on one connection get `429 too many request`. */
const MIN_REQ_GAP_MS = 100;

export class HtxServer {
  readonly stats: HtxServerStats = {
    connections: 0,
    connectionsTotal: 0,
    framesSent: 0,
    bytesSent: 0,
    framesBufferedByStall: 0,
    pingsSent: 0,
    pongsReceived: 0,
    pongTimeouts: 0,
    requests: 0,
    invalidRequests: 0,
    restRequests: 0,
  };
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly byTopic = new Map<string, Set<Client>>();
  private nextId = 1;
  private pingTimer: NodeJS.Timeout | null = null;
  private stallUntil = 0;
  private stallQueue: { client: Client; data: Uint8Array }[] = [];
  private stallTimer: NodeJS.Timeout | null = null;
  private port = 0;
  private readonly log: SimLogger;

  private constructor(
    private readonly handler: HtxTopicHandler,
    private readonly now: () => number,
    logger: SimLogger | undefined,
  ) {
    this.log = logger ?? silentSimLogger;
    this.http = http.createServer((req, res) => this.onHttp(req, res));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.http.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
      if (path !== '/ws' && path !== '/feed') {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, path === '/ws' ? 'ws' : 'feed'));
    });
  }

  static async listen(opts: { handler: HtxTopicHandler; now: () => number; pingIntervalMs: number; logger?: SimLogger }): Promise<HtxServer> {
    const s = new HtxServer(opts.handler, opts.now, opts.logger);
    await new Promise<void>((resolve, reject) => {
      s.http.once('error', reject);
      s.http.listen(0, '127.0.0.1', () => resolve());
    });
    s.port = (s.http.address() as AddressInfo).port;
    s.pingTimer = setInterval(() => s.pingAll(), opts.pingIntervalMs);
    s.pingTimer.unref();
    return s;
  }

  get base(): string {
    return `127.0.0.1:${this.port}`;
  }

  hasSubscribers(topic: string): boolean {
    return (this.byTopic.get(topic)?.size ?? 0) > 0;
  }

  /** Gzip `text` once and send it to every subscriber of `topic`. */
  publish(topic: string, text: string): number {
    const subs = this.byTopic.get(topic);
    if (!subs?.size) return 0;
    const data = pako.gzip(text);
    for (const c of subs) this.sendBytes(c, data);
    return subs.size;
  }

  /** Send bytes as they are (a verbatim recorded frame, or deliberately corrupt gzip). */
  publishBytes(topic: string, data: Uint8Array): number {
    const subs = this.byTopic.get(topic);
    if (!subs?.size) return 0;
    for (const c of subs) this.sendBytes(c, data);
    return subs.size;
  }

  sendText(client: HtxClient, text: string): void {
    this.sendBytes(client as Client, pako.gzip(text));
  }

  sendBytes(client: HtxClient, data: Uint8Array): void {
    const c = client as Client;
    if (c.ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() < this.stallUntil) {
      this.stallQueue.push({ client: c, data });
      this.stats.framesBufferedByStall++;
      return;
    }
    c.ws.send(data, { binary: true });
    this.stats.framesSent++;
    this.stats.bytesSent += data.length;
  }

  /** Hold every outgoing frame (pings too: the whole venue is silent) for `ms`, then deliver in order. */
  stall(ms: number): void {
    this.stallUntil = Math.max(this.stallUntil, Date.now() + ms);
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      this.stallTimer = null;
      this.stallUntil = 0;
      const q = this.stallQueue;
      this.stallQueue = [];
      for (const { client, data } of q) this.sendBytes(client, data);
    }, Math.max(0, this.stallUntil - Date.now()));
  }

  /** Lose every pong of the clients connected now: each is dropped after two unanswered pings. */
  losePongs(): number {
    for (const c of this.clients) c.losePongs = true;
    return this.clients.size;
  }

  disconnectAll(): number {
    const n = this.clients.size;
    for (const c of this.clients) c.ws.terminate();
    return n;
  }

  async close(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.stallTimer) clearTimeout(this.stallTimer);
    for (const c of this.clients) c.ws.terminate();
    this.wss.close();
    this.http.closeAllConnections?.();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.stats.restRequests++;
    let out: { status: number; text: string };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      out = this.handler.rest(url.pathname, url.searchParams);
    } catch (err) {
      this.log.warn({ err: String(err), url: req.url }, 'rest handler failed');
      out = { status: 500, text: JSON.stringify({ status: 'error', 'err-code': 'internal-error', 'err-msg': 'internal error', data: null }) };
    }
    res.writeHead(out.status, { 'Content-Type': 'application/json;charset=utf-8', 'Content-Length': Buffer.byteLength(out.text) });
    res.end(out.text);
  }

  private onConnection(ws: WebSocket, path: HtxPath): void {
    const c = new Client(this.nextId++, path, ws);
    this.clients.add(c);
    this.stats.connections = this.clients.size;
    this.stats.connectionsTotal++;
    ws.on('message', (data, isBinary) => this.onMessage(c, data, isBinary));
    ws.on('error', (err) => this.log.warn({ client: c.id, err: String(err) }, 'client socket error'));
    ws.on('close', () => {
      this.clients.delete(c);
      for (const t of c.topics) this.byTopic.get(t)?.delete(c);
      this.stats.connections = this.clients.size;
    });
  }

  private error(c: Client, id: unknown, msg: string): void {
    this.stats.invalidRequests++;
    this.log.warn({ client: c.id, msg }, 'invalid ws request');
    this.sendText(c, wsErrorText(id, msg, this.now()));
  }

  private onMessage(c: Client, data: RawData, isBinary: boolean): void {
    let text: string;
    try {
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      text = isBinary && buf[0] === 0x1f && buf[1] === 0x8b ? pako.ungzip(buf, { to: 'string' }) : buf.toString('utf8');
    } catch {
      return this.error(c, null, 'not json string');
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.error(c, null, 'not json string');
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return this.error(c, null, 'not json string');
    const m = msg as Record<string, unknown>;
    if ('pong' in m) {
      this.stats.pongsReceived++;
      // A matching pong (the integer of a ping we sent) resets the count, unless pongs are being "lost".
      if (!c.losePongs && c.pings.includes(String(m.pong))) c.unanswered = 0;
      return;
    }
    const id = m.id;
    if (m.sub !== undefined) {
      const topics = Array.isArray(m.sub) ? m.sub : [m.sub];
      for (const t of topics) {
        const err = typeof t === 'string' ? this.handler.validate(c.path, t) : 'invalid topic';
        if (err) {
          this.error(c, id, err);
          continue;
        }
        const topic = t as string;
        this.sendText(c, subAckText(id, topic, this.now()));
        if (!c.topics.has(topic)) {
          c.topics.add(topic);
          let set = this.byTopic.get(topic);
          if (!set) this.byTopic.set(topic, (set = new Set()));
          set.add(c);
          this.handler.onSubscribe?.(c, topic);
        }
      }
      return;
    }
    if (m.unsub !== undefined) {
      const topics = Array.isArray(m.unsub) ? m.unsub : [m.unsub];
      for (const t of topics) {
        if (typeof t !== 'string' || !c.topics.has(t)) {
          this.error(c, id, 'unsub with not subbed topic');
          continue;
        }
        c.topics.delete(t);
        this.byTopic.get(t)?.delete(c);
        this.sendText(c, unsubAckText(id, t, this.now()));
      }
      return;
    }
    if (typeof m.req === 'string') {
      this.stats.requests++;
      const now = Date.now();
      if (now - c.lastReqAt < MIN_REQ_GAP_MS) return this.error(c, id, '429 too many request');
      c.lastReqAt = now;
      const err = this.handler.validate(c.path, m.req);
      if (err) return this.error(c, id, err);
      const out = this.handler.request(c.path, m.req, id);
      if ('error' in out) return this.error(c, id, out.error);
      this.sendText(c, out.text);
      return;
    }
    this.error(c, id, 'invalid topic');
  }

  private pingAll(): void {
    // A stalled venue sends nothing, pings included, so it cannot count them as unanswered.
    if (Date.now() < this.stallUntil) return;
    for (const c of this.clients) {
      if (c.ws.readyState !== WebSocket.OPEN) continue;
      if (c.unanswered >= 2) {
        // Two consecutive pings without a matching pong: dropped right before the next ping.
        this.stats.pongTimeouts++;
        this.log.warn({ client: c.id }, 'two pings unanswered: disconnecting');
        c.ws.terminate();
        continue;
      }
      const now = this.now();
      c.pings = [String(now), ...c.pings.slice(0, 1)];
      c.unanswered++;
      this.stats.pingsSent++;
      this.sendText(c, pingText(now));
    }
  }
}

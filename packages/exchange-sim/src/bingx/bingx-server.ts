/**
 * One BingX swap host on loopback: REST on HTTP and the market WebSocket at `/swap-market`, speaking the
 * venue's protocol: every server frame is a gzip-compressed binary frame; the server sends the text `Ping`
 * every few seconds and drops a client that does not answer `Pong` in time; subscriptions are
 * `{"id","reqType":"sub"|"unsub","dataType"}` acknowledged with `{"id","code":0,"msg":""}`, at most 200
 * topics per connection. Knows nothing about markets: topics and REST answers are injected.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { gzip } from 'pako';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { silentSimLogger, type SimLogger } from '../venue-server.js';

export const BINGX_WS_PATH = '/swap-market';
export const BINGX_MAX_TOPICS = 200;
/** Error codes of the docs: dataType not supported, topic limit, bad request. */
export const BINGX_WS_ERR = { unsupported: 80015, tooManyTopics: 80403, illegalArgument: 100400 } as const;

export interface BingxRestResponse {
  status: number;
  body: unknown;
}

export interface BingxPingOptions {
  /** Server `Ping` period (venue: about 5 s). */
  intervalMs?: number;
  /** Drop the client when no `Pong` arrives within this time (undocumented; default 10 s). */
  timeoutMs?: number;
}

export interface BingxServerOptions {
  /** The venue splits hosts: `ws` serves only /swap-market, `rest` only HTTP (default both). */
  role?: 'ws' | 'rest' | 'both';
  /** Whether a dataType exists (e.g. `BTC-USDT@incrDepth`); unknown ones are refused with 80015. */
  isTopic(dataType: string): boolean;
  handleRest(req: { method: string; path: string; query: URLSearchParams }): BingxRestResponse;
  ping?: BingxPingOptions;
  logger?: SimLogger;
  /** Called after a subscription was acknowledged (incrDepth sends its `all` snapshot from here). */
  onSubscribe?(client: BingxClient, dataType: string): void;
}

export interface BingxClient {
  readonly id: number;
  readonly topics: ReadonlySet<string>;
}

/** How a frame leaves the server: intact, with truncated JSON inside valid gzip, or as broken gzip. */
export type FrameMode = 'ok' | 'malformed' | 'corrupt-gzip';

class Client implements BingxClient {
  topics = new Set<string>();
  pongTimer: NodeJS.Timeout | null = null;
  /** Missed-pong fault: this client's Pongs are disregarded until the deadline drops it. */
  ignorePong = false;
  constructor(
    readonly id: number,
    readonly ws: WebSocket,
  ) {}
  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}

export interface BingxServerStats {
  connections: number;
  connectionsTotal: number;
  framesSent: number;
  bytesSent: number;
  framesBufferedByStall: number;
  restRequests: number;
  pingsSent: number;
  pongsReceived: number;
  pongTimeouts: number;
  inboundMessages: number;
  invalidRequests: number;
  rejectedUpgrades: number;
}

const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export function gzipText(text: string): Buffer {
  return Buffer.from(gzip(text));
}

/** The frame bytes for a mode: malformed = half the JSON (valid gzip); corrupt-gzip = half the gzip bytes. */
export function encodeFrame(text: string, mode: FrameMode = 'ok'): Buffer {
  if (mode === 'malformed') return gzipText(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
  const gz = gzipText(text);
  return mode === 'corrupt-gzip' ? gz.subarray(0, Math.max(2, Math.floor(gz.length / 2))) : gz;
}

export class BingxServer {
  readonly stats: BingxServerStats = {
    connections: 0,
    connectionsTotal: 0,
    framesSent: 0,
    bytesSent: 0,
    framesBufferedByStall: 0,
    restRequests: 0,
    pingsSent: 0,
    pongsReceived: 0,
    pongTimeouts: 0,
    inboundMessages: 0,
    invalidRequests: 0,
    rejectedUpgrades: 0,
  };
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly byTopic = new Map<string, Set<Client>>();
  private readonly log: SimLogger;
  private nextId = 1;
  private pingTimer: NodeJS.Timeout | null = null;
  private stallUntil = 0;
  private stallQueue: { client: Client; bytes: Buffer }[] = [];
  private stallTimer: NodeJS.Timeout | null = null;
  private port = 0;
  private readonly pingTimeoutMs: number;

  private constructor(private readonly opts: BingxServerOptions) {
    this.log = opts.logger ?? silentSimLogger;
    this.pingTimeoutMs = opts.ping?.timeoutMs ?? 10_000;
    this.http = http.createServer((req, res) => this.onHttp(req, res));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  static async listen(opts: BingxServerOptions): Promise<BingxServer> {
    const s = new BingxServer(opts);
    await new Promise<void>((resolve, reject) => {
      s.http.once('error', reject);
      s.http.listen(0, '127.0.0.1', () => resolve());
    });
    s.port = (s.http.address() as AddressInfo).port;
    if (opts.role !== 'rest') {
      s.pingTimer = setInterval(() => s.pingAll(), opts.ping?.intervalMs ?? 5000);
      s.pingTimer.unref();
    }
    return s;
  }

  /** Full WebSocket URL (the venue's is wss://open-api-swap.bingx.com/swap-market). */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}${BINGX_WS_PATH}`;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  hasSubscribers(dataType: string): boolean {
    return (this.byTopic.get(dataType)?.size ?? 0) > 0;
  }

  /** Sends JSON text (gzipped) to every subscriber of `dataType`; returns how many got it. */
  publish(dataType: string, text: string, mode: FrameMode = 'ok'): number {
    const subs = this.byTopic.get(dataType);
    if (!subs?.size) return 0;
    const bytes = encodeFrame(text, mode);
    for (const c of subs) this.sendBytes(c, bytes);
    return subs.size;
  }

  sendTo(client: BingxClient, text: string, mode: FrameMode = 'ok'): void {
    this.sendBytes(client as Client, encodeFrame(text, mode));
  }

  private sendBytes(c: Client, bytes: Buffer): void {
    if (!c.open) return;
    if (Date.now() < this.stallUntil) {
      this.stallQueue.push({ client: c, bytes });
      this.stats.framesBufferedByStall++;
      return;
    }
    if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log.warn({ client: c.id }, 'slow client disconnected');
      c.ws.terminate();
      return;
    }
    c.ws.send(bytes, { binary: true });
    this.stats.framesSent++;
    this.stats.bytesSent += bytes.length;
  }

  /** Hold every outgoing frame for `ms`, then deliver them in order. */
  stall(ms: number): void {
    this.stallUntil = Math.max(this.stallUntil, Date.now() + ms);
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      this.stallTimer = null;
      this.stallUntil = 0;
      const q = this.stallQueue;
      this.stallQueue = [];
      for (const { client, bytes } of q) this.sendBytes(client, bytes);
    }, Math.max(0, this.stallUntil - Date.now()));
  }

  /** Abrupt drop of every connection (no close frame). */
  disconnectAll(): number {
    const n = this.clients.size;
    for (const c of this.clients) c.ws.terminate();
    return n;
  }

  /** Every current client's Pongs are disregarded from now on: the server drops them at the pong deadline. */
  missPongs(): number {
    for (const c of this.clients) c.ignorePong = true;
    return this.clients.size;
  }

  async close(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.stallTimer) clearTimeout(this.stallTimer);
    for (const c of this.clients) {
      if (c.pongTimer) clearTimeout(c.pongTimer);
      c.ws.terminate();
    }
    this.wss.close();
    this.http.closeAllConnections?.();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.stats.restRequests++;
    if (this.opts.role === 'ws') {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 100404, msg: 'not a REST host' }));
      return;
    }
    let out: BingxRestResponse;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      out = this.opts.handleRest({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams });
    } catch (err) {
      this.log.warn({ err: String(err), url: req.url }, 'rest handler failed');
      out = { status: 500, body: { code: 100500, msg: 'INTERNAL_SERVER_ERROR' } };
    }
    const body = JSON.stringify(out.body);
    res.writeHead(out.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== BINGX_WS_PATH || this.opts.role === 'rest') {
      this.stats.rejectedUpgrades++;
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  private onConnection(ws: WebSocket): void {
    const c = new Client(this.nextId++, ws);
    this.clients.add(c);
    this.stats.connections = this.clients.size;
    this.stats.connectionsTotal++;
    ws.on('message', (data, isBinary) => this.onMessage(c, data, isBinary));
    ws.on('error', (err) => this.log.warn({ client: c.id, err: String(err) }, 'client socket error'));
    ws.on('close', () => {
      if (c.pongTimer) clearTimeout(c.pongTimer);
      this.clients.delete(c);
      for (const t of c.topics) this.byTopic.get(t)?.delete(c);
      this.stats.connections = this.clients.size;
    });
  }

  private reply(c: Client, body: object): void {
    this.sendBytes(c, gzipText(JSON.stringify(body)));
  }

  private refuse(c: Client, id: unknown, code: number, msg: string): void {
    this.stats.invalidRequests++;
    this.log.warn({ client: c.id, code, msg }, 'invalid ws request');
    this.reply(c, { id: typeof id === 'string' ? id : '', code, msg });
  }

  private onMessage(c: Client, data: RawData, isBinary: boolean): void {
    this.stats.inboundMessages++;
    const text = isBinary ? '' : data.toString();
    if (text === 'Pong') {
      this.stats.pongsReceived++;
      if (c.ignorePong) return;
      if (c.pongTimer) clearTimeout(c.pongTimer);
      c.pongTimer = null;
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.refuse(c, '', BINGX_WS_ERR.illegalArgument, 'ILLEGAL_ARGUMENT: not JSON');
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      return this.refuse(c, '', BINGX_WS_ERR.illegalArgument, 'ILLEGAL_ARGUMENT: not an object');
    }
    const m = msg as { id?: unknown; reqType?: unknown; dataType?: unknown };
    if (typeof m.id !== 'string' || typeof m.dataType !== 'string' || (m.reqType !== 'sub' && m.reqType !== 'unsub')) {
      return this.refuse(c, m.id, BINGX_WS_ERR.illegalArgument, 'ILLEGAL_ARGUMENT: id, reqType and dataType are required');
    }
    const dataType = m.dataType;
    if (m.reqType === 'unsub') {
      c.topics.delete(dataType);
      this.byTopic.get(dataType)?.delete(c);
      return this.reply(c, { id: m.id, code: 0, msg: '' });
    }
    if (!this.opts.isTopic(dataType)) return this.refuse(c, m.id, BINGX_WS_ERR.unsupported, 'dataType not supported');
    if (!c.topics.has(dataType) && c.topics.size >= BINGX_MAX_TOPICS) {
      return this.refuse(c, m.id, BINGX_WS_ERR.tooManyTopics, `at most ${BINGX_MAX_TOPICS} topics per connection`);
    }
    c.topics.add(dataType);
    let set = this.byTopic.get(dataType);
    if (!set) this.byTopic.set(dataType, (set = new Set()));
    set.add(c);
    // The acknowledgement first; the topic's data (an incrDepth `all`) follows it.
    this.reply(c, { id: m.id, code: 0, msg: '' });
    this.opts.onSubscribe?.(c, dataType);
  }

  private pingAll(): void {
    const ping = gzipText('Ping');
    for (const c of this.clients) {
      if (!c.open) continue;
      this.sendBytes(c, ping);
      this.stats.pingsSent++;
      if (c.pongTimer) continue;
      c.pongTimer = setTimeout(() => {
        c.pongTimer = null;
        this.stats.pongTimeouts++;
        this.log.warn({ client: c.id, timeoutMs: this.pingTimeoutMs }, 'no Pong: disconnecting');
        c.ws.terminate();
      }, this.pingTimeoutMs);
      c.pongTimer.unref();
    }
  }
}

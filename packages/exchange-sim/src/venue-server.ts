/**
 * One Binance-style endpoint on loopback: an HTTP server for REST and, on the same port, the WebSocket
 * market streams (`/ws/<stream>`, `/ws` + SUBSCRIBE, `/stream?streams=a/b`, combined frames wrapped as
 * {"stream","data"}), the live subscription methods with their documented replies and errors, server
 * pings with a pong deadline, and the switches the fault injector needs (disconnect all, stall, raw text).
 * It knows nothing about markets: what a stream is and what REST returns are injected.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Market } from './symbol-spec.js';
import type { StreamSpec } from './streams.js';

export interface SimLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const silentSimLogger: SimLogger = { info: () => {}, warn: () => {} };

export interface RestRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

export interface RestResponse {
  status: number;
  body: unknown;
  /** Request weight, reported cumulatively per minute in X-MBX-USED-WEIGHT-1M. */
  weight: number;
}

export interface PingOptions {
  /** Server ping period (Binance: spot 20 s, USDⓈ-M 3 min). */
  intervalMs?: number;
  /** Disconnect when no pong arrives within this time (Binance: spot 1 min, USDⓈ-M 10 min). */
  timeoutMs?: number;
}

export interface VenueServerOptions {
  market: Market;
  parseStream(raw: unknown): StreamSpec | null;
  handleRest(req: RestRequest): RestResponse;
  /** Exchange clock, for the per-minute weight window. */
  now(): number;
  ping?: PingOptions;
  /** Inbound messages per second before the venue disconnects (spot 5, USDⓈ-M 10). */
  maxInboundPerSecond?: number;
  logger?: SimLogger;
  /** Called after a client's subscription set grows (replay starts streaming from here). */
  onSubscribe?(client: VenueClient, streams: StreamSpec[]): void;
  onClientClose?(client: VenueClient): void;
}

export interface VenueClient {
  readonly id: number;
  readonly streams: ReadonlySet<string>;
  readonly combined: boolean;
  readonly open: boolean;
}

class Client implements VenueClient {
  streams = new Set<string>();
  pongTimer: NodeJS.Timeout | null = null;
  lastPingPayload = '';
  inboundWindow = 0;
  inboundCount = 0;
  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    public combined: boolean,
  ) {}
  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}

export interface VenueServerStats {
  connections: number;
  connectionsTotal: number;
  framesSent: number;
  bytesSent: number;
  framesBufferedByStall: number;
  restRequests: number;
  restErrors: number;
  pingsSent: number;
  pongTimeouts: number;
  inboundMessages: number;
  invalidRequests: number;
  rejectedUpgrades: number;
  slowClientsDropped: number;
}

const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const METHODS = '`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`';

export class VenueServer {
  readonly stats: VenueServerStats = {
    connections: 0,
    connectionsTotal: 0,
    framesSent: 0,
    bytesSent: 0,
    framesBufferedByStall: 0,
    restRequests: 0,
    restErrors: 0,
    pingsSent: 0,
    pongTimeouts: 0,
    inboundMessages: 0,
    invalidRequests: 0,
    rejectedUpgrades: 0,
    slowClientsDropped: 0,
  };
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly byStream = new Map<string, Set<Client>>();
  private nextId = 1;
  private pingTimer: NodeJS.Timeout | null = null;
  private stallUntil = 0;
  private stallQueue: { client: Client; text: string }[] = [];
  private stallTimer: NodeJS.Timeout | null = null;
  private weightMinute = -1;
  private weightUsed = 0;
  private readonly log: SimLogger;
  private port = 0;

  private constructor(private readonly opts: VenueServerOptions) {
    this.log = opts.logger ?? silentSimLogger;
    this.http = http.createServer((req, res) => this.onHttp(req, res));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  static async listen(opts: VenueServerOptions, host = '127.0.0.1', port = 0): Promise<VenueServer> {
    const s = new VenueServer(opts);
    await new Promise<void>((resolve, reject) => {
      s.http.once('error', reject);
      s.http.listen(port, host, () => resolve());
    });
    s.port = (s.http.address() as AddressInfo).port;
    const ping = opts.ping ?? {};
    const interval = ping.intervalMs ?? (opts.market === 'spot' ? 20_000 : 180_000);
    s.pingTimer = setInterval(() => s.pingAll(), interval);
    s.pingTimer.unref();
    return s;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  hasSubscribers(stream: string): boolean {
    return (this.byStream.get(stream)?.size ?? 0) > 0;
  }

  /** Send a payload (JSON text) to every subscriber of `stream`; `mangle` rewrites the final frame text. */
  publish(stream: string, payload: string, mangle?: (text: string) => string): number {
    const subs = this.byStream.get(stream);
    if (!subs) return 0;
    let n = 0;
    for (const c of subs) {
      this.sendTo(c, stream, payload, mangle);
      n++;
    }
    return n;
  }

  sendTo(client: VenueClient, stream: string, payload: string, mangle?: (text: string) => string): void {
    const c = client as Client;
    let text = c.combined ? `{"stream":"${stream}","data":${payload}}` : payload;
    if (mangle) text = mangle(text);
    this.sendText(c, text);
  }

  private sendText(c: Client, text: string): void {
    if (!c.open) return;
    if (Date.now() < this.stallUntil) {
      this.stallQueue.push({ client: c, text });
      this.stats.framesBufferedByStall++;
      return;
    }
    if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.stats.slowClientsDropped++;
      this.log.warn({ client: c.id, buffered: c.ws.bufferedAmount }, 'slow client disconnected');
      c.ws.terminate();
      return;
    }
    c.ws.send(text);
    this.stats.framesSent++;
    this.stats.bytesSent += text.length;
  }

  /** Hold every outgoing frame for `ms` (wall clock), then deliver them in order. */
  stall(ms: number): void {
    this.stallUntil = Math.max(this.stallUntil, Date.now() + ms);
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => this.flushStall(), Math.max(0, this.stallUntil - Date.now()));
  }

  private flushStall(): void {
    this.stallTimer = null;
    this.stallUntil = 0;
    const q = this.stallQueue;
    this.stallQueue = [];
    for (const { client, text } of q) this.sendText(client, text);
  }

  /** Drop every connection abruptly (no close frame), as a venue failure would. */
  disconnectAll(): number {
    const n = this.clients.size;
    for (const c of this.clients) c.ws.terminate();
    return n;
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

  // ---- REST ---------------------------------------------------------------------------------------

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.stats.restRequests++;
    let out: RestResponse;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      out = this.opts.handleRest({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
      });
    } catch (err) {
      this.log.warn({ err: String(err), url: req.url }, 'rest handler failed');
      out = {
        status: 500,
        body: { code: -1000, msg: 'An unknown error occurred while processing the request.' },
        weight: 1,
      };
    }
    if (out.status >= 400) this.stats.restErrors++;
    const minute = Math.floor(this.opts.now() / 60_000);
    if (minute !== this.weightMinute) {
      this.weightMinute = minute;
      this.weightUsed = 0;
    }
    this.weightUsed += out.weight;
    const body = typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
    res.writeHead(out.status, {
      'Content-Type': 'application/json;charset=UTF-8',
      'X-MBX-USED-WEIGHT-1M': String(this.weightUsed),
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  // ---- WebSocket ----------------------------------------------------------------------------------

  private onUpgrade(req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    const reject = (status: number, body: object) => {
      this.stats.rejectedUpgrades++;
      const text = JSON.stringify(body);
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    // USDⓈ-M also serves /public/… (book data) and /market/… (other public streams); same streams here.
    const pathname = url.pathname.replace(/^\/(public|market)(?=\/)/, '');
    let combined: boolean;
    let names: string[];
    if (pathname === '/ws' || pathname.startsWith('/ws/')) {
      combined = false;
      names = pathname.slice(4).split('/').filter(Boolean);
    } else if (pathname === '/stream' || pathname === '/stream/') {
      combined = true;
      names = (url.searchParams.get('streams') ?? '').split('/').filter(Boolean);
    } else {
      reject(404, { code: -1, msg: `Path ${url.pathname} is invalid` });
      return;
    }
    const specs: StreamSpec[] = [];
    for (const n of names) {
      const s = this.opts.parseStream(decodeURIComponent(n));
      if (!s) {
        this.log.warn({ stream: n }, 'connection rejected: invalid stream');
        reject(400, { code: 2, msg: 'Invalid request: invalid stream' });
        return;
      }
      specs.push(s);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, combined, specs));
  }

  private onConnection(ws: WebSocket, combined: boolean, specs: StreamSpec[]): void {
    const c = new Client(this.nextId++, ws, combined);
    this.clients.add(c);
    this.stats.connections = this.clients.size;
    this.stats.connectionsTotal++;
    ws.on('message', (data, isBinary) => this.onMessage(c, data, isBinary));
    ws.on('pong', (data) => this.onPong(c, data));
    ws.on('error', (err) => this.log.warn({ client: c.id, err: String(err) }, 'client socket error'));
    ws.on('close', () => {
      if (c.pongTimer) clearTimeout(c.pongTimer);
      this.clients.delete(c);
      for (const s of c.streams) this.byStream.get(s)?.delete(c);
      this.stats.connections = this.clients.size;
      this.opts.onClientClose?.(c);
    });
    if (specs.length) this.subscribe(c, specs);
  }

  private subscribe(c: Client, specs: StreamSpec[]): void {
    const added: StreamSpec[] = [];
    for (const s of specs) {
      if (c.streams.has(s.name)) continue;
      c.streams.add(s.name);
      let set = this.byStream.get(s.name);
      if (!set) this.byStream.set(s.name, (set = new Set()));
      set.add(c);
      added.push(s);
    }
    if (added.length) this.opts.onSubscribe?.(c, added);
  }

  private reply(c: Client, body: object): void {
    this.sendText(c, JSON.stringify(body));
  }

  private error(c: Client, id: unknown, code: number, msg: string): void {
    this.stats.invalidRequests++;
    this.log.warn({ client: c.id, code, msg }, 'invalid ws request');
    this.reply(c, { error: { code, msg }, id: id ?? null });
  }

  private onMessage(c: Client, data: RawData, isBinary: boolean): void {
    this.stats.inboundMessages++;
    const sec = Math.floor(Date.now() / 1000);
    if (sec !== c.inboundWindow) {
      c.inboundWindow = sec;
      c.inboundCount = 0;
    }
    const limit = this.opts.maxInboundPerSecond ?? (this.opts.market === 'spot' ? 5 : 10);
    if (++c.inboundCount > limit) {
      this.log.warn({ client: c.id, limit }, 'too many inbound messages: disconnecting');
      c.ws.close(1008, 'Too many messages');
      return;
    }
    const text = isBinary ? '' : data.toString();
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.error(c, null, 3, 'Invalid JSON: expected value at line 1 column 1');
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.error(c, null, 3, 'Invalid JSON: expected value at line 1 column 1');
      return;
    }
    const m = msg as { method?: unknown; params?: unknown; id?: unknown };
    const id = m.id;
    const idOk =
      id === null ||
      id === undefined ||
      (typeof id === 'number' && Number.isInteger(id) && id >= 0) ||
      (typeof id === 'string' && /^[A-Za-z0-9-]{1,36}$/.test(id));
    if (!idOk) return this.error(c, null, 2, 'Invalid request: request ID must be an unsigned integer');
    if (m.method === undefined)
      return this.error(c, id, 2, 'Invalid request: missing field `method` at line 1 column 1');
    switch (m.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        if (!Array.isArray(m.params)) return this.error(c, id, 2, 'Invalid request: invalid stream');
        const specs: StreamSpec[] = [];
        for (const p of m.params) {
          const s = this.opts.parseStream(p);
          if (!s) return this.error(c, id, 2, 'Invalid request: invalid stream');
          specs.push(s);
        }
        // Reply first: data of a new subscription follows its acknowledgement.
        this.reply(c, { result: null, id: id ?? null });
        if (m.method === 'SUBSCRIBE') this.subscribe(c, specs);
        else
          for (const s of specs) {
            c.streams.delete(s.name);
            this.byStream.get(s.name)?.delete(c);
          }
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        return this.reply(c, { result: [...c.streams], id: id ?? null });
      case 'SET_PROPERTY': {
        const p = Array.isArray(m.params) ? m.params : [];
        if (p[0] !== 'combined') return this.error(c, id, 0, 'Unknown property');
        if (typeof p[1] !== 'boolean') return this.error(c, id, 1, 'Invalid value type: expected Boolean');
        c.combined = p[1];
        return this.reply(c, { result: null, id: id ?? null });
      }
      case 'GET_PROPERTY': {
        const p = Array.isArray(m.params) ? m.params : [];
        if (p[0] !== 'combined') return this.error(c, id, 0, 'Unknown property');
        return this.reply(c, { result: c.combined, id: id ?? null });
      }
      default:
        return this.error(
          c,
          id,
          2,
          `Invalid request: unknown variant \`${String(m.method)}\`, expected one of ${METHODS} at line 1 column 28`,
        );
    }
  }

  // ---- heartbeat ----------------------------------------------------------------------------------

  private pingAll(): void {
    const timeout = this.opts.ping?.timeoutMs ?? (this.opts.market === 'spot' ? 60_000 : 600_000);
    for (const c of this.clients) {
      if (!c.open) continue;
      c.lastPingPayload = String(Date.now());
      c.ws.ping(c.lastPingPayload);
      this.stats.pingsSent++;
      if (!c.pongTimer) {
        c.pongTimer = setTimeout(() => {
          c.pongTimer = null;
          this.stats.pongTimeouts++;
          this.log.warn({ client: c.id, timeoutMs: timeout }, 'no pong: disconnecting');
          c.ws.terminate();
        }, timeout);
        c.pongTimer.unref();
      }
    }
  }

  private onPong(c: Client, data: Buffer): void {
    // Spot: the pong must echo the ping payload; unsolicited pongs do not keep the connection alive.
    if (this.opts.market === 'spot' && data.toString() !== c.lastPingPayload) return;
    if (c.pongTimer) {
      clearTimeout(c.pongTimer);
      c.pongTimer = null;
    }
  }
}

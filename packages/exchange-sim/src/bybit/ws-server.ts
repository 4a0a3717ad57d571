/**
 * The Bybit v5 public WebSocket host (stream.bybit.com) on loopback: `/v5/public/spot` and
 * `/v5/public/linear`, `{"op":"subscribe"|"unsubscribe","args":[…],"req_id"}` with the venue's replies
 * (≤ 10 args per request on spot, ≤ 21,000 args characters per connection, unknown topics and double
 * subscriptions refused), the client-driven heartbeat (`{"op":"ping"}` → `ret_msg:"pong"`), and the
 * switches the fault injector needs (disconnect, stall, mute pongs).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Market } from '../symbol-spec.js';
import { silentSimLogger, type SimLogger } from '../venue-server.js';

export const SPOT_MAX_ARGS_PER_REQUEST = 10;
export const MAX_ARGS_CHARS_PER_CONNECTION = 21_000;
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface BybitClient {
  readonly id: number;
  readonly connId: string;
  readonly market: Market;
  readonly topics: ReadonlySet<string>;
}

class Client implements BybitClient {
  topics = new Set<string>();
  argsChars = 0;
  /** Pings are ignored (missed-pong fault). */
  muted = false;
  constructor(
    readonly id: number,
    readonly connId: string,
    readonly market: Market,
    readonly ws: WebSocket,
  ) {}
}

export interface BybitWsServerOptions {
  /** Whether `topic` exists on `market` (symbol known, channel served there). */
  validTopic(market: Market, topic: string): boolean;
  /** New subscriptions, after their acknowledgement (snapshots are sent from here). */
  onSubscribe(client: BybitClient, topics: string[]): void;
  /** A topic lost a subscriber (connection closed or unsubscribe). */
  onUnsubscribe?(market: Market, topic: string): void;
  logger?: SimLogger;
}

export interface BybitWsStats {
  connections: number;
  connectionsTotal: number;
  framesSent: number;
  framesBufferedByStall: number;
  pings: number;
  pongsWithheld: number;
  rejectedRequests: number;
}

const PATHS: Record<string, Market> = { '/v5/public/spot': 'spot', '/v5/public/linear': 'perp' };

export class BybitWsServer {
  readonly stats: BybitWsStats = { connections: 0, connectionsTotal: 0, framesSent: 0, framesBufferedByStall: 0, pings: 0, pongsWithheld: 0, rejectedRequests: 0 };
  private readonly http: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients = new Set<Client>();
  private readonly byTopic = new Map<string, Set<Client>>();
  private readonly stalls = new Map<Market, { until: number; queue: { c: Client; text: string }[]; timer: NodeJS.Timeout | null }>();
  private readonly log: SimLogger;
  private nextId = 1;
  private port = 0;

  private constructor(private readonly opts: BybitWsServerOptions) {
    this.log = opts.logger ?? silentSimLogger;
    this.http = http.createServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('websocket endpoint');
    });
    this.http.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
      const market = PATHS[path];
      if (!market) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, market));
    });
  }

  static async listen(opts: BybitWsServerOptions): Promise<BybitWsServer> {
    const s = new BybitWsServer(opts);
    await new Promise<void>((resolve, reject) => {
      s.http.once('error', reject);
      s.http.listen(0, '127.0.0.1', () => resolve());
    });
    s.port = (s.http.address() as AddressInfo).port;
    return s;
  }

  url(market: Market): string {
    return `ws://127.0.0.1:${this.port}/v5/public/${market === 'spot' ? 'spot' : 'linear'}`;
  }

  subscribers(market: Market, topic: string): number {
    return this.byTopic.get(`${market}|${topic}`)?.size ?? 0;
  }

  /** Send a frame to every subscriber of `topic`; `mangle` rewrites the text (malformed fault). */
  publish(market: Market, topic: string, text: string, mangle?: (t: string) => string): number {
    const subs = this.byTopic.get(`${market}|${topic}`);
    if (!subs) return 0;
    const out = mangle ? mangle(text) : text;
    for (const c of subs) this.send(c, out);
    return subs.size;
  }

  sendTo(client: BybitClient, text: string): void {
    this.send(client as Client, text);
  }

  disconnect(market: Market): number {
    let n = 0;
    for (const c of this.clients) {
      if (c.market !== market) continue;
      n++;
      c.ws.terminate();
    }
    return n;
  }

  /** Hold every frame (data and replies) of `market` for `ms`, then deliver in order. */
  stall(market: Market, ms: number): void {
    let st = this.stalls.get(market);
    if (!st) this.stalls.set(market, (st = { until: 0, queue: [], timer: null }));
    st.until = Math.max(st.until, Date.now() + ms);
    if (st.timer) clearTimeout(st.timer);
    const s = st;
    s.timer = setTimeout(() => {
      s.timer = null;
      s.until = 0;
      const q = s.queue.splice(0);
      for (const { c, text } of q) this.send(c, text);
    }, Math.max(0, st.until - Date.now()));
  }

  /** The connections of `market` open now never get a pong again. */
  mutePongs(market: Market): number {
    let n = 0;
    for (const c of this.clients) {
      if (c.market !== market) continue;
      n++;
      c.muted = true;
    }
    return n;
  }

  async close(): Promise<void> {
    for (const st of this.stalls.values()) if (st.timer) clearTimeout(st.timer);
    for (const c of this.clients) c.ws.terminate();
    this.wss.close();
    this.http.closeAllConnections?.();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private send(c: Client, text: string): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    const st = this.stalls.get(c.market);
    if (st && Date.now() < st.until) {
      st.queue.push({ c, text });
      this.stats.framesBufferedByStall++;
      return;
    }
    if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log.warn({ client: c.id }, 'slow client disconnected');
      c.ws.terminate();
      return;
    }
    c.ws.send(text);
    this.stats.framesSent++;
  }

  private onConnection(ws: WebSocket, market: Market): void {
    const id = this.nextId++;
    const hex = id.toString(16).padStart(8, '0');
    const c = new Client(id, `${hex}-sim0-4000-8000-${String(this.port).padStart(12, '0')}`, market, ws);
    this.clients.add(c);
    this.stats.connections = this.clients.size;
    this.stats.connectionsTotal++;
    ws.on('message', (data, isBinary) => this.onMessage(c, data, isBinary));
    ws.on('error', (err) => this.log.warn({ client: id, err: String(err) }, 'client socket error'));
    ws.on('close', () => {
      this.clients.delete(c);
      this.stats.connections = this.clients.size;
      for (const t of c.topics) this.removeTopic(c, t);
    });
  }

  private removeTopic(c: Client, topic: string): void {
    const key = `${c.market}|${topic}`;
    const set = this.byTopic.get(key);
    set?.delete(c);
    if (set && set.size === 0) this.byTopic.delete(key);
    this.opts.onUnsubscribe?.(c.market, topic);
  }

  private reply(c: Client, op: string, success: boolean, retMsg: string, reqId: unknown): void {
    const body: Record<string, unknown> = { success, ret_msg: retMsg, conn_id: c.connId };
    if (reqId !== undefined) body.req_id = reqId;
    body.op = op;
    if (!success) this.stats.rejectedRequests++;
    this.send(c, JSON.stringify(body));
  }

  private onMessage(c: Client, data: RawData, isBinary: boolean): void {
    let msg: unknown;
    try {
      msg = JSON.parse(isBinary ? '' : data.toString());
    } catch {
      this.stats.rejectedRequests++;
      this.send(c, JSON.stringify({ success: false, ret_msg: 'error:request not json', conn_id: c.connId, op: '' }));
      return;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      this.reply(c, '', false, 'error:request not json object', undefined);
      return;
    }
    const m = msg as { op?: unknown; args?: unknown; req_id?: unknown };
    const op = typeof m.op === 'string' ? m.op : '';
    switch (op) {
      case 'ping':
        this.stats.pings++;
        if (c.muted) {
          this.stats.pongsWithheld++;
          return;
        }
        return this.reply(c, 'ping', true, 'pong', m.req_id);
      case 'subscribe':
      case 'unsubscribe': {
        const args = m.args;
        if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === 'string')) {
          return this.reply(c, op, false, 'error:args must be a non-empty array of topics', m.req_id);
        }
        if (c.market === 'spot' && args.length > SPOT_MAX_ARGS_PER_REQUEST) {
          return this.reply(c, op, false, `error:args size >${SPOT_MAX_ARGS_PER_REQUEST}`, m.req_id);
        }
        const topics = args as string[];
        for (const t of topics) {
          if (!this.opts.validTopic(c.market, t)) return this.reply(c, op, false, `error:handler not found,topic:${t}`, m.req_id);
        }
        if (op === 'unsubscribe') {
          for (const t of topics) {
            if (!c.topics.has(t)) continue;
            c.topics.delete(t);
            c.argsChars -= t.length;
            this.removeTopic(c, t);
          }
          return this.reply(c, op, true, '', m.req_id);
        }
        const dup = topics.find((t) => c.topics.has(t));
        if (dup) return this.reply(c, op, false, `error:already subscribed,topic:${dup}`, m.req_id);
        const chars = topics.reduce((n, t) => n + t.length, 0);
        if (c.argsChars + chars > MAX_ARGS_CHARS_PER_CONNECTION) {
          return this.reply(c, op, false, `error:args length exceeds ${MAX_ARGS_CHARS_PER_CONNECTION}`, m.req_id);
        }
        for (const t of topics) {
          c.topics.add(t);
          let set = this.byTopic.get(`${c.market}|${t}`);
          if (!set) this.byTopic.set(`${c.market}|${t}`, (set = new Set()));
          set.add(c);
        }
        c.argsChars += chars;
        // The acknowledgement precedes the subscription's first data (its snapshot).
        this.reply(c, op, true, c.market === 'spot' ? 'subscribe' : '', m.req_id);
        this.opts.onSubscribe(c, topics);
        return;
      }
      default:
        this.reply(c, op, false, `error:unknown op ${JSON.stringify(m.op ?? null)}`, m.req_id);
    }
  }
}

import type { Clock, Logger, TimerHandle } from '@pricelevel/platform';
import WebSocket from 'ws';
import { backoffDelay, DEFAULT_BACKOFF } from '../backoff.js';
import type { BackoffOptions } from '../exchange-adapter.js';

/** Venue limits: args per subscribe request (spot; used for every category) and args characters per connection. */
export const MAX_ARGS_PER_REQUEST = 10;
export const MAX_ARGS_CHARS_PER_CONNECTION = 21_000;
/** Bybit recommends a client ping every 20 s. */
export const DEFAULT_PING_INTERVAL_MS = 20_000;

export interface BybitWsOptions {
  /** Full stream URL, e.g. wss://stream.bybit.com/v5/public/linear. */
  url: string;
  topics: string[];
  clock: Clock;
  logger: Logger;
  random?: () => number;
  backoff?: BackoffOptions;
  /** No frame for this long ⇒ the socket is replaced. Default 30 s. */
  staleMs?: number;
  pingIntervalMs?: number;
  /** No pong this long after a ping ⇒ the socket is replaced. Default 10 s. */
  pongTimeoutMs?: number;
  onFrame(data: Buffer, receivedTs: number): void;
  onOpen(info: { reconnect: boolean }): void;
  onClose(info: { code: number; reason: string }): void;
  onStale?(silentMs: number): void;
  onMissedPong?(waitedMs: number): void;
}

/** Subscribe requests for `topics`: ≤ 10 args each. */
export function subscribeRequests(op: 'subscribe' | 'unsubscribe', topics: string[], reqId: (i: number) => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < topics.length; i += MAX_ARGS_PER_REQUEST) {
    out.push(JSON.stringify({ req_id: reqId(out.length), op, args: topics.slice(i, i + MAX_ARGS_PER_REQUEST) }));
  }
  return out;
}

/** Splits topics into per-connection groups within the venue's args-length limit, keeping each instrument's topics together. */
export function groupTopics(perInstrument: string[][], maxChars = MAX_ARGS_CHARS_PER_CONNECTION): string[][] {
  const groups: string[][] = [];
  let cur: string[] = [];
  let chars = 0;
  for (const topics of perInstrument) {
    const n = topics.reduce((s, t) => s + t.length, 0);
    if (n > maxChars) throw new Error(`topics of one instrument exceed ${maxChars} characters`);
    if (chars + n > maxChars && cur.length) {
      groups.push(cur);
      cur = [];
      chars = 0;
    }
    cur.push(...topics);
    chars += n;
  }
  if (cur.length) groups.push(cur);
  return groups;
}

/**
 * One Bybit public stream connection kept alive forever: subscribes its topics on every open,
 * sends the client heartbeat (`{"op":"ping"}`) and replaces the socket when the pong does not come,
 * when nothing arrives for `staleMs`, or when it closes — with capped, jittered exponential backoff.
 */
export class BybitWsConnection {
  private ws: WebSocket | undefined;
  private stopped = true;
  private opens = 0;
  private attempt = 0;
  private lastFrameAt = 0;
  private pingSentAt = 0;
  private reqSeq = 1;
  private reconnectTimer: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private pinger: TimerHandle | undefined;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly staleMs: number;
  private readonly pingMs: number;
  private readonly pongTimeoutMs: number;
  readonly stats = { opens: 0, closes: 0, frames: 0, stale: 0, missedPongs: 0, pings: 0, pongs: 0, requests: 0, errors: 0, handlerErrors: 0 };

  constructor(private readonly options: BybitWsOptions) {
    if (options.topics.length === 0) throw new Error('a connection needs at least one topic');
    const chars = options.topics.reduce((s, t) => s + t.length, 0);
    if (chars > MAX_ARGS_CHARS_PER_CONNECTION) throw new Error(`${chars} args characters exceed ${MAX_ARGS_CHARS_PER_CONNECTION} per connection`);
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.staleMs = options.staleMs ?? 30_000;
    this.pingMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const check = Math.max(20, Math.min(1000, Math.floor(Math.min(this.staleMs, this.pongTimeoutMs) / 4)));
    this.watchdog = this.options.clock.setInterval(() => this.check(), check);
    this.pinger = this.options.clock.setInterval(() => this.ping(), this.pingMs);
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnectTimer?.cancel();
    this.watchdog?.cancel();
    this.pinger?.cancel();
    const ws = this.ws;
    this.ws = undefined;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const done = this.options.clock.setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2000);
      ws.once('close', () => {
        done.cancel();
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'client stop');
    });
  }

  reconnect(reason: string): void {
    if (this.stopped || !this.ws) return;
    this.options.logger.warn({ reason }, 'reconnecting');
    this.ws.terminate();
  }

  /** A heartbeat reply arrived (the adapter's parser recognised it). */
  onPong(): void {
    this.stats.pongs++;
    this.pingSentAt = 0;
  }

  /** Unsubscribe then subscribe: the venue answers with a fresh snapshot. False when not connected. */
  resubscribe(topics: string[]): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    for (const op of ['unsubscribe', 'subscribe'] as const) {
      for (const req of subscribeRequests(op, topics, () => `${op === 'subscribe' ? 'sub' : 'unsub'}-${this.reqSeq++}`)) this.send(ws, req);
    }
    return true;
  }

  private send(ws: WebSocket, text: string): void {
    ws.send(text);
    this.stats.requests++;
  }

  private connect(): void {
    if (this.stopped) return;
    const url = this.options.url;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { handshakeTimeout: 10_000, maxPayload: 16 * 1024 * 1024, perMessageDeflate: false });
    } catch (err) {
      this.stats.errors++;
      const delay = backoffDelay(this.attempt++, this.backoff, this.random);
      this.options.logger.error({ url, err: String(err), delay }, 'cannot open websocket');
      this.reconnectTimer = this.options.clock.setTimeout(() => this.connect(), delay);
      return;
    }
    this.ws = ws;
    this.lastFrameAt = this.options.clock.now();
    this.pingSentAt = 0;
    ws.on('open', () => {
      if (this.ws !== ws) return;
      const reconnect = this.opens > 0;
      this.opens++;
      this.stats.opens++;
      this.lastFrameAt = this.options.clock.now();
      this.options.logger.info({ url, reconnect, topics: this.options.topics.length }, 'connected');
      this.options.onOpen({ reconnect });
      for (const req of subscribeRequests('subscribe', this.options.topics, () => `sub-${this.reqSeq++}`)) this.send(ws, req);
    });
    ws.on('message', (data: Buffer) => {
      if (this.ws !== ws) return;
      const now = this.options.clock.now();
      this.lastFrameAt = now;
      this.attempt = 0;
      this.stats.frames++;
      try {
        this.options.onFrame(data, now);
      } catch (err) {
        this.stats.handlerErrors++;
        this.options.logger.error({ err: String(err) }, 'frame handler failed');
      }
    });
    ws.on('error', (err) => {
      this.stats.errors++;
      this.options.logger.warn({ err: err.message }, 'websocket error');
    });
    ws.on('close', (code: number, reasonBuf: Buffer) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.stats.closes++;
      const reason = reasonBuf.toString();
      this.options.onClose({ code, reason });
      if (this.stopped) return;
      const delay = backoffDelay(this.attempt++, this.backoff, this.random);
      this.options.logger.warn({ code, reason, delay, attempt: this.attempt }, 'connection closed: reconnecting');
      this.reconnectTimer = this.options.clock.setTimeout(() => this.connect(), delay);
    });
  }

  private ping(): void {
    const ws = this.ws;
    if (this.stopped || !ws || ws.readyState !== WebSocket.OPEN) return;
    if (this.pingSentAt === 0) this.pingSentAt = this.options.clock.now();
    this.send(ws, JSON.stringify({ req_id: `ping-${this.reqSeq++}`, op: 'ping' }));
    this.stats.pings++;
  }

  private check(): void {
    const ws = this.ws;
    if (this.stopped || !ws) return;
    const now = this.options.clock.now();
    if (this.pingSentAt > 0 && now - this.pingSentAt > this.pongTimeoutMs) {
      const waited = now - this.pingSentAt;
      this.stats.missedPongs++;
      this.pingSentAt = 0;
      this.options.logger.warn({ waitedMs: waited }, 'no pong: replacing the connection');
      this.options.onMissedPong?.(waited);
      ws.terminate();
      return;
    }
    const silent = now - this.lastFrameAt;
    if (silent <= this.staleMs) return;
    this.stats.stale++;
    this.lastFrameAt = now;
    this.options.logger.warn({ silentMs: silent }, 'no data within the watchdog window: replacing the connection');
    this.options.onStale?.(silent);
    ws.terminate();
  }
}

import type { Clock, Logger, TimerHandle } from '@pricelevel/platform';
import WebSocket from 'ws';
import { backoffDelay, DEFAULT_BACKOFF } from '../backoff.js';
import type { BackoffOptions } from '../exchange-adapter.js';

/** HTX: one pull request (REQ) per 100 ms per connection; SUBs are paced the same way. */
export const MIN_REQUEST_GAP_MS = 100;
/** Topics per SUB frame: 1 is the form every HTX endpoint accepts (arrays are a newer addition). */
export const DEFAULT_TOPICS_PER_SUB = 1;

export interface HtxWsOptions {
  /** Full endpoint URL, e.g. wss://api.huobi.pro/ws or wss://api.huobi.pro/feed. */
  url: string;
  topics: string[];
  clock: Clock;
  logger: Logger;
  random?: () => number;
  backoff?: BackoffOptions;
  /** No frame for this long ⇒ the socket is replaced (server pings arrive every 5 s). */
  staleMs?: number;
  topicsPerSub?: number;
  minRequestGapMs?: number;
  onFrame(data: Buffer, receivedTs: number): void;
  onOpen(info: { reconnect: boolean }): void;
  onClose(info: { code: number; reason: string }): void;
  onStale?(silentMs: number): void;
}

/**
 * One HTX market-data connection kept alive forever: SUB frames paced after open, client requests
 * (REQ) queued at the venue's rate, pongs sent at once, capped jittered reconnects, and a watchdog
 * that replaces a silent socket. Frames are handed over as bytes: gunzip and parsing are the caller's.
 */
export class HtxWsConnection {
  private ws: WebSocket | undefined;
  private stopped = true;
  private opens = 0;
  private attempt = 0;
  private lastFrameAt = 0;
  private reconnectTimer: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private queue: string[] = [];
  private queueTimer: TimerHandle | undefined;
  private lastSendAt = -Infinity;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly staleMs: number;
  private readonly gapMs: number;
  readonly stats = { opens: 0, closes: 0, frames: 0, stale: 0, subscribeFrames: 0, requests: 0, pongs: 0, errors: 0, handlerErrors: 0 };

  constructor(private readonly options: HtxWsOptions) {
    if (options.topics.length === 0) throw new Error('a connection needs at least one topic');
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.staleMs = options.staleMs ?? 15_000;
    this.gapMs = options.minRequestGapMs ?? MIN_REQUEST_GAP_MS;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** The SUB frames sent after every open. */
  subscribeFrames(): string[] {
    const per = Math.max(1, this.options.topicsPerSub ?? DEFAULT_TOPICS_PER_SUB);
    const out: string[] = [];
    for (let i = 0; i < this.options.topics.length; i += per) {
      const group = this.options.topics.slice(i, i + per);
      out.push(JSON.stringify({ sub: per === 1 ? group[0] : group, id: `s${i / per + 1}` }));
    }
    return out;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const check = Math.max(50, Math.min(1000, Math.floor(this.staleMs / 4)));
    this.watchdog = this.options.clock.setInterval(() => this.checkStale(), check);
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnectTimer?.cancel();
    this.watchdog?.cancel();
    this.clearQueue();
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

  /** Heartbeat answer: `{"pong":<the ping's integer, verbatim>}`, sent at once (never queued). */
  pong(ping: string): void {
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN || !/^\d+$/.test(ping)) return;
    ws.send(`{"pong":${ping}}`);
    this.stats.pongs++;
  }

  /** Queues `{"req":topic,"id":id}` at the venue's request rate; returns false when not connected. */
  request(topic: string, id: string): boolean {
    if (!this.connected) return false;
    this.enqueue(JSON.stringify({ req: topic, id }));
    this.stats.requests++;
    return true;
  }

  private enqueue(frame: string): void {
    this.queue.push(frame);
    this.pump();
  }

  private pump(): void {
    if (this.queueTimer || this.queue.length === 0) return;
    const wait = Math.max(0, this.lastSendAt + this.gapMs - this.options.clock.now());
    if (wait > 0) {
      this.queueTimer = this.options.clock.setTimeout(() => {
        this.queueTimer = undefined;
        this.pump();
      }, wait);
      return;
    }
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN) return;
    ws.send(this.queue.shift()!);
    this.lastSendAt = this.options.clock.now();
    this.pump();
  }

  private clearQueue(): void {
    this.queueTimer?.cancel();
    this.queueTimer = undefined;
    this.queue = [];
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
    ws.on('open', () => {
      if (this.ws !== ws) return;
      const reconnect = this.opens > 0;
      this.opens++;
      this.stats.opens++;
      this.lastFrameAt = this.options.clock.now();
      this.options.logger.info({ url, reconnect }, 'connected');
      for (const f of this.subscribeFrames()) {
        this.stats.subscribeFrames++;
        this.enqueue(f);
      }
      this.options.onOpen({ reconnect });
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
      this.clearQueue();
      this.stats.closes++;
      const reason = reasonBuf.toString();
      this.options.onClose({ code, reason });
      if (this.stopped) return;
      const delay = backoffDelay(this.attempt++, this.backoff, this.random);
      this.options.logger.warn({ code, reason, delay, attempt: this.attempt }, 'connection closed: reconnecting');
      this.reconnectTimer = this.options.clock.setTimeout(() => this.connect(), delay);
    });
  }

  private checkStale(): void {
    if (this.stopped || !this.ws) return;
    const silent = this.options.clock.now() - this.lastFrameAt;
    if (silent <= this.staleMs) return;
    this.stats.stale++;
    this.lastFrameAt = this.options.clock.now();
    this.options.logger.warn({ silentMs: silent }, 'no data within the watchdog window: replacing the connection');
    this.options.onStale?.(silent);
    this.ws.terminate();
  }
}

import type { Clock, Logger, TimerHandle } from '@pricelevel/platform';
import WebSocket from 'ws';
import { backoffDelay, DEFAULT_BACKOFF } from '../backoff.js';
import type { BackoffOptions } from '../exchange-adapter.js';

/** Topics (dataTypes) one BingX connection may hold (error 80403 beyond it). */
export const BINGX_MAX_TOPICS_PER_CONNECTION = 200;
/**
 * Client → server messages per second. BingX documents no inbound limit for the swap market socket;
 * this keeps a full 200-topic subscription to about 4 s without bursting.
 */
export const BINGX_DEFAULT_MESSAGES_PER_SECOND = 50;

export interface BingxWsOptions {
  /** Full URL, e.g. wss://open-api-swap.bingx.com/swap-market. */
  wsUrl: string;
  topics: string[];
  clock: Clock;
  logger: Logger;
  random?: () => number;
  backoff?: BackoffOptions;
  /** No frame (data or Ping) for this long ⇒ the socket is replaced. The venue pings every ~5 s. */
  staleMs?: number;
  maxMessagesPerSecond?: number;
  /** Binary frames are gzip (the parser gunzips); text frames are passed as strings. */
  onFrame(data: Buffer | string, receivedTs: number): void;
  onOpen(info: { reconnect: boolean; attempt: number }): void;
  onClose(info: { code: number; reason: string }): void;
  onStale?(silentMs: number): void;
}

/**
 * One BingX market connection kept alive forever: subscribes its topics after open (paced), answers
 * the venue's `Ping` when told to (`pong()`), resubscribes single topics on request (a book gap),
 * reconnects with capped, jittered exponential backoff and replaces a socket that has gone silent.
 */
export class BingxWsConnection {
  private ws: WebSocket | undefined;
  private stopped = true;
  private opens = 0;
  private attempt = 0;
  private lastFrameAt = 0;
  private reconnectTimer: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private drainTimer: TimerHandle | undefined;
  private outbox: string[] = [];
  private nextId = 1;
  private readonly requests = new Map<string, string>();
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly staleMs: number;
  private readonly gapMs: number;
  readonly stats = { opens: 0, closes: 0, frames: 0, stale: 0, subscribes: 0, unsubscribes: 0, pongs: 0, errors: 0, handlerErrors: 0 };

  constructor(private readonly options: BingxWsOptions) {
    if (options.topics.length === 0) throw new Error('a connection needs at least one topic');
    if (options.topics.length > BINGX_MAX_TOPICS_PER_CONNECTION) {
      throw new Error(`${options.topics.length} topics exceed ${BINGX_MAX_TOPICS_PER_CONNECTION} per connection`);
    }
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.staleMs = options.staleMs ?? 30_000;
    this.gapMs = Math.ceil(1000 / Math.max(1, options.maxMessagesPerSecond ?? BINGX_DEFAULT_MESSAGES_PER_SECOND));
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** The dataType a request id was sent for (to report a refused subscription precisely). */
  dataTypeOf(id: string): string | undefined {
    return this.requests.get(id);
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
    this.clearOutbox();
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

  /** Drops the socket now and reconnects. */
  reconnect(reason: string): void {
    if (this.stopped || !this.ws) return;
    this.options.logger.warn({ reason }, 'reconnecting');
    this.ws.terminate();
  }

  /** Answers the venue's heartbeat right away (not paced: a late Pong costs the connection). */
  pong(): void {
    this.sendNow('Pong');
    this.stats.pongs++;
  }

  /** Sends a raw text frame right away (e.g. a spot-style JSON pong). */
  sendNow(text: string): void {
    const ws = this.ws;
    if (ws?.readyState === WebSocket.OPEN) ws.send(text);
  }

  /** Unsubscribe then subscribe one topic: for incrDepth the venue answers with a fresh full book. */
  resubscribe(dataType: string): void {
    this.enqueue(this.request('unsub', dataType));
    this.enqueue(this.request('sub', dataType));
  }

  private request(reqType: 'sub' | 'unsub', dataType: string): string {
    const id = `pl-${this.nextId++}`;
    this.requests.set(id, dataType);
    if (this.requests.size > 10_000) this.requests.delete(this.requests.keys().next().value as string);
    if (reqType === 'sub') this.stats.subscribes++;
    else this.stats.unsubscribes++;
    return JSON.stringify({ id, reqType, dataType });
  }

  private enqueue(text: string): void {
    this.outbox.push(text);
    if (!this.drainTimer) this.drain();
  }

  /** Sends one queued request now and schedules the next one `gapMs` later. */
  private drain(): void {
    this.drainTimer = undefined;
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return; // the next open resubscribes everything anyway
    const next = this.outbox.shift();
    if (next === undefined) return;
    ws.send(next);
    if (this.outbox.length) this.drainTimer = this.options.clock.setTimeout(() => this.drain(), this.gapMs);
  }

  private clearOutbox(): void {
    this.drainTimer?.cancel();
    this.drainTimer = undefined;
    this.outbox = [];
  }

  private connect(): void {
    if (this.stopped) return;
    const url = this.options.wsUrl;
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
      this.options.logger.info({ url, reconnect, topics: this.options.topics.length }, 'connected');
      this.clearOutbox();
      for (const t of this.options.topics) this.outbox.push(this.request('sub', t));
      this.drain();
      this.options.onOpen({ reconnect, attempt: this.attempt });
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.ws !== ws) return;
      const now = this.options.clock.now();
      this.lastFrameAt = now;
      this.attempt = 0;
      this.stats.frames++;
      try {
        this.options.onFrame(isBinary ? data : data.toString('utf8'), now);
      } catch (err) {
        // A bug downstream must not take the socket (or the process) with it.
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
      this.clearOutbox();
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

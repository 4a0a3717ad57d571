import type { Clock, Logger, TimerHandle } from '@pricelevel/platform';
import WebSocket from 'ws';
import { backoffDelay, DEFAULT_BACKOFF } from '../backoff.js';
import type { BackoffOptions } from '../exchange-adapter.js';

/** Venue limits per connection: streams, and inbound (client → server) messages per second. */
export const MAX_STREAMS_PER_CONNECTION = 1024;
export const SPOT_MAX_MESSAGES_PER_SECOND = 5;
export const PERP_MAX_MESSAGES_PER_SECOND = 10;
/** Streams per SUBSCRIBE frame: keeps each frame small; the venue documents no lower cap. */
const STREAMS_PER_FRAME = 200;
/** Above this URL length the streams are sent as SUBSCRIBE frames instead of the query string. */
const MAX_URL_LENGTH = 4000;

export type SubscribeMode = 'url' | 'frames' | 'auto';

export interface BinanceWsOptions {
  /** Base URL, e.g. wss://stream.binance.com:9443 (the client appends /stream). */
  wsUrl: string;
  streams: string[];
  clock: Clock;
  logger: Logger;
  random?: () => number;
  backoff?: BackoffOptions;
  /** No frame for this long ⇒ the socket is replaced (a paused or half-dead peer). */
  staleMs?: number;
  subscribeMode?: SubscribeMode;
  /** Client → server message budget (SUBSCRIBE frames, pongs count too): stay one below it. */
  maxMessagesPerSecond?: number;
  onFrame(data: Buffer, receivedTs: number): void;
  /** `reconnect` is false for the first open of this client. */
  onOpen(info: { reconnect: boolean; attempt: number }): void;
  onClose(info: { code: number; reason: string }): void;
  onStale?(silentMs: number): void;
}

/**
 * One combined-stream connection (`/stream`, frames arrive as `{stream,data}`), kept alive
 * forever: server pings are answered by the ws library (autoPong echoes the payload, as Binance
 * requires), closes and errors lead to a capped, jittered exponential-backoff reconnect, and a
 * watchdog replaces a socket that has gone silent.
 */
export class BinanceWsConnection {
  private ws: WebSocket | undefined;
  private stopped = true;
  private opens = 0;
  private attempt = 0;
  private lastFrameAt = 0;
  private reconnectTimer: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private sendTimers: TimerHandle[] = [];
  private nextRequestId = 1;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly staleMs: number;
  readonly stats = { opens: 0, closes: 0, frames: 0, stale: 0, subscribeFrames: 0, errors: 0, handlerErrors: 0 };

  constructor(private readonly options: BinanceWsOptions) {
    if (options.streams.length === 0) throw new Error('a connection needs at least one stream');
    if (options.streams.length > MAX_STREAMS_PER_CONNECTION) {
      throw new Error(`${options.streams.length} streams exceed ${MAX_STREAMS_PER_CONNECTION} per connection`);
    }
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.staleMs = options.staleMs ?? 30_000;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** The URL connected to and the SUBSCRIBE frames sent after open (empty in URL mode). */
  plan(): { url: string; frames: string[] } {
    const base = this.options.wsUrl.replace(/\/+$/, '').replace(/\/(ws|stream)$/, '');
    const streams = this.options.streams;
    const inUrl = `${base}/stream?streams=${streams.join('/')}`;
    const mode = this.options.subscribeMode ?? 'auto';
    if (mode === 'url' || (mode === 'auto' && inUrl.length <= MAX_URL_LENGTH)) return { url: inUrl, frames: [] };
    const frames: string[] = [];
    for (let i = 0; i < streams.length; i += STREAMS_PER_FRAME) {
      frames.push(JSON.stringify({ method: 'SUBSCRIBE', params: streams.slice(i, i + STREAMS_PER_FRAME), id: this.nextRequestId++ }));
    }
    return { url: `${base}/stream`, frames };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const check = Math.max(50, Math.min(1000, Math.floor(this.staleMs / 4)));
    this.watchdog = this.options.clock.setInterval(() => this.checkStale(), check);
    this.connect();
  }

  /** Closes the socket and stops reconnecting; resolves once the socket is gone. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnectTimer?.cancel();
    this.watchdog?.cancel();
    this.cancelSends();
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

  /** Drops the socket now and reconnects (server shutdown notice, stale data, tests). */
  reconnect(reason: string): void {
    if (this.stopped || !this.ws) return;
    this.options.logger.warn({ reason }, 'reconnecting');
    this.ws.terminate();
  }

  private connect(): void {
    if (this.stopped) return;
    const { url, frames } = this.plan();
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { handshakeTimeout: 10_000, maxPayload: 16 * 1024 * 1024, perMessageDeflate: false });
    } catch (err) {
      // An unusable URL: report and keep trying (config may be fixed by a restart, never a crash).
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
      this.options.logger.info({ url: url.length > 160 ? `${url.slice(0, 160)}…` : url, reconnect }, 'connected');
      this.sendPaced(ws, frames);
      this.options.onOpen({ reconnect, attempt: this.attempt });
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.ws !== ws) return;
      const now = this.options.clock.now();
      this.lastFrameAt = now;
      this.attempt = 0; // data flows: the connection is healthy
      this.stats.frames++;
      if (isBinary) {
        this.options.logger.warn('binary frame on a JSON stream: passing it to the parser');
      }
      try {
        this.options.onFrame(data, now);
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
      if (this.ws !== ws) return; // superseded or stopped
      this.ws = undefined;
      this.cancelSends();
      this.stats.closes++;
      const reason = reasonBuf.toString();
      this.options.onClose({ code, reason });
      if (this.stopped) return;
      const delay = backoffDelay(this.attempt++, this.backoff, this.random);
      this.options.logger.warn({ code, reason, delay, attempt: this.attempt }, 'connection closed: reconnecting');
      this.reconnectTimer = this.options.clock.setTimeout(() => this.connect(), delay);
    });
  }

  /** SUBSCRIBE frames at most (limit − 1) per second, leaving room for pongs. */
  private sendPaced(ws: WebSocket, frames: string[]): void {
    const perSecond = Math.max(1, (this.options.maxMessagesPerSecond ?? SPOT_MAX_MESSAGES_PER_SECOND) - 1);
    const gap = Math.ceil(1000 / perSecond);
    frames.forEach((frame, i) => {
      const send = () => {
        if (this.ws === ws && ws.readyState === WebSocket.OPEN) {
          ws.send(frame);
          this.stats.subscribeFrames++;
        }
      };
      if (i === 0) send();
      else this.sendTimers.push(this.options.clock.setTimeout(send, i * gap));
    });
  }

  private cancelSends(): void {
    for (const t of this.sendTimers) t.cancel();
    this.sendTimers = [];
  }

  private checkStale(): void {
    if (this.stopped || !this.ws) return;
    const silent = this.options.clock.now() - this.lastFrameAt;
    if (silent <= this.staleMs) return;
    this.stats.stale++;
    this.lastFrameAt = this.options.clock.now(); // one report per stale period
    this.options.logger.warn({ silentMs: silent }, 'no data within the watchdog window: replacing the connection');
    this.options.onStale?.(silent);
    this.ws.terminate();
  }
}

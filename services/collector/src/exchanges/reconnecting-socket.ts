import type { Clock, Logger, TimerHandle } from '@pricelevel/platform';
import WebSocket from 'ws';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import type { BackoffOptions } from './exchange-adapter.js';

/** The lifecycle counters every venue connection reports (its own `stats` object, updated in place). */
export interface SocketStats {
  opens: number;
  closes: number;
  frames: number;
  stale: number;
  errors: number;
  handlerErrors: number;
}

/** What every venue connection's options share (each venue adds its URL, topics and callbacks). */
export interface VenueSocketOptions {
  clock: Clock;
  logger: Logger;
  random?: () => number;
  backoff?: BackoffOptions;
  /** No frame for this long ⇒ the socket is replaced. */
  staleMs?: number;
  onClose(info: { code: number; reason: string }): void;
  onStale?(silentMs: number): void;
}

/** The venue's own options pass straight through: its `onClose` and `onStale` are called from here. */
export interface ReconnectingSocketOptions extends Omit<VenueSocketOptions, 'staleMs'> {
  staleMs: number;
  /** Watchdog period; default a quarter of `staleMs`, kept within 50 ms … 1 s. */
  checkEveryMs?: number;
  stats: SocketStats;
}

/** What a venue plugs into the shared lifecycle; every hook runs only for the current socket. */
export interface SocketHooks {
  /** Before each connection attempt: returns the URL to open (and may reset per-connection state). */
  connecting(): string;
  /** Extra fields for the `connected` log line. */
  openLogFields?(): Record<string, unknown>;
  onOpen(ws: WebSocket, info: { reconnect: boolean; attempt: number }): void;
  /** A throw here is counted (`handlerErrors`) and logged, never propagated. */
  onMessage(data: Buffer, isBinary: boolean, receivedTs: number): void;
  /** The socket is gone (closed, or `stop`): drop per-connection state such as send queues. */
  resetConnection?(): void;
  /** Watchdog extra, run before the stale check; returns true when it replaced the socket itself. */
  onCheck?(ws: WebSocket, now: number): boolean;
  /** After the watchdog starts, before the first connect (venue timers such as a pinger). */
  onStart?(): void;
  /** On `stop`, before the socket is closed (cancel venue timers). */
  onStop?(): void;
}

const SHOW_URL_CHARS = 160;

/**
 * One venue-neutral websocket kept alive forever: closes and errors lead to a capped, jittered
 * exponential-backoff reconnect, and a watchdog on the injected clock replaces a socket that has
 * gone silent. Subscriptions, heartbeats and frame decoding stay with the venue (the hooks).
 */
export class ReconnectingSocket {
  private ws: WebSocket | undefined;
  private stopped = true;
  private opens = 0;
  private attempt = 0;
  private lastFrameAt = 0;
  private reconnectTimer: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;

  constructor(
    private readonly options: ReconnectingSocketOptions,
    private readonly hooks: SocketHooks,
  ) {
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  /** The live socket (connecting or open), if any. */
  get current(): WebSocket | undefined {
    return this.ws;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const check =
      this.options.checkEveryMs ?? Math.max(50, Math.min(1000, Math.floor(this.options.staleMs / 4)));
    this.watchdog = this.options.clock.setInterval(() => this.check(), check);
    this.hooks.onStart?.();
    this.connect();
  }

  /** Closes the socket and stops reconnecting; resolves once the socket is gone (2 s at most). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnectTimer?.cancel();
    this.watchdog?.cancel();
    this.hooks.onStop?.();
    this.hooks.resetConnection?.();
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

  private scheduleConnect(): number {
    const delay = backoffDelay(this.attempt++, this.backoff, this.random);
    this.reconnectTimer = this.options.clock.setTimeout(() => this.connect(), delay);
    return delay;
  }

  private connect(): void {
    if (this.stopped) return;
    const { logger, clock, stats } = this.options;
    const url = this.hooks.connecting();
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        handshakeTimeout: 10_000,
        maxPayload: 16 * 1024 * 1024,
        perMessageDeflate: false,
      });
    } catch (err) {
      // An unusable URL: report and keep trying (config may be fixed by a restart, never a crash).
      stats.errors++;
      const delay = this.scheduleConnect();
      logger.error({ url, err: String(err), delay }, 'cannot open websocket');
      return;
    }
    this.ws = ws;
    this.lastFrameAt = clock.now();
    ws.on('open', () => {
      if (this.ws !== ws) return;
      const reconnect = this.opens > 0;
      this.opens++;
      stats.opens++;
      this.lastFrameAt = clock.now();
      const shown = url.length > SHOW_URL_CHARS ? `${url.slice(0, SHOW_URL_CHARS)}…` : url;
      logger.info({ url: shown, reconnect, ...this.hooks.openLogFields?.() }, 'connected');
      this.hooks.onOpen(ws, { reconnect, attempt: this.attempt });
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.ws !== ws) return;
      const now = clock.now();
      this.lastFrameAt = now;
      this.attempt = 0; // data flows: the connection is healthy
      stats.frames++;
      try {
        this.hooks.onMessage(data, isBinary, now);
      } catch (err) {
        // A bug downstream must not take the socket (or the process) with it.
        stats.handlerErrors++;
        logger.error({ err: String(err) }, 'frame handler failed');
      }
    });
    ws.on('error', (err) => {
      stats.errors++;
      logger.warn({ err: err.message }, 'websocket error');
    });
    ws.on('close', (code: number, reasonBuf: Buffer) => {
      if (this.ws !== ws) return; // superseded or stopped
      this.ws = undefined;
      this.hooks.resetConnection?.();
      stats.closes++;
      const reason = reasonBuf.toString();
      this.options.onClose({ code, reason });
      if (this.stopped) return;
      const delay = this.scheduleConnect();
      logger.warn({ code, reason, delay, attempt: this.attempt }, 'connection closed: reconnecting');
    });
  }

  private check(): void {
    const ws = this.ws;
    if (this.stopped || !ws) return;
    const now = this.options.clock.now();
    if (this.hooks.onCheck?.(ws, now)) return;
    const silent = now - this.lastFrameAt;
    if (silent <= this.options.staleMs) return;
    this.options.stats.stale++;
    this.lastFrameAt = now; // one report per stale period
    this.options.logger.warn(
      { silentMs: silent },
      'no data within the watchdog window: replacing the connection',
    );
    this.options.onStale?.(silent);
    ws.terminate();
  }
}

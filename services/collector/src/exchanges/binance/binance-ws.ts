import type { TimerHandle } from '@pricelevel/platform';
import WebSocket from 'ws';
import { ReconnectingSocket, type VenueSocketOptions } from '../reconnecting-socket.js';

/** Venue limits per connection: streams, and inbound (client → server) messages per second. */
export const MAX_STREAMS_PER_CONNECTION = 1024;
export const SPOT_MAX_MESSAGES_PER_SECOND = 5;
export const PERP_MAX_MESSAGES_PER_SECOND = 10;
/** Streams per SUBSCRIBE frame: keeps each frame small; the venue documents no lower cap. */
const STREAMS_PER_FRAME = 200;
/** Above this URL length the streams are sent as SUBSCRIBE frames instead of the query string. */
const MAX_URL_LENGTH = 4000;

export type SubscribeMode = 'url' | 'frames' | 'auto';

export interface BinanceWsOptions extends VenueSocketOptions {
  /** Base URL, e.g. wss://stream.binance.com:9443 (the client appends /stream). */
  wsUrl: string;
  streams: string[];
  /** No frame for this long ⇒ the socket is replaced (a paused or half-dead peer). */
  staleMs?: number;
  subscribeMode?: SubscribeMode;
  /** Client → server message budget (SUBSCRIBE frames, pongs count too): stay one below it. */
  maxMessagesPerSecond?: number;
  onFrame(data: Buffer, receivedTs: number): void;
  /** `reconnect` is false for the first open of this client. */
  onOpen(info: { reconnect: boolean; attempt: number }): void;
}

/**
 * One combined-stream connection (`/stream`, frames arrive as `{stream,data}`), kept alive
 * forever: server pings are answered by the ws library (autoPong echoes the payload, as Binance
 * requires), closes and errors lead to a capped, jittered exponential-backoff reconnect, and a
 * watchdog replaces a socket that has gone silent.
 */
export class BinanceWsConnection {
  private readonly socket: ReconnectingSocket;
  private frames: string[] = [];
  private sendTimers: TimerHandle[] = [];
  private nextRequestId = 1;
  readonly stats = { opens: 0, closes: 0, frames: 0, stale: 0, subscribeFrames: 0, errors: 0, handlerErrors: 0 };

  constructor(private readonly options: BinanceWsOptions) {
    if (options.streams.length === 0) throw new Error('a connection needs at least one stream');
    if (options.streams.length > MAX_STREAMS_PER_CONNECTION) {
      throw new Error(`${options.streams.length} streams exceed ${MAX_STREAMS_PER_CONNECTION} per connection`);
    }
    this.socket = new ReconnectingSocket(
      { ...options, staleMs: options.staleMs ?? 30_000, stats: this.stats },
      {
        connecting: () => {
          const { url, frames } = this.plan();
          this.frames = frames;
          return url;
        },
        onOpen: (ws, info) => {
          this.sendPaced(ws, this.frames);
          options.onOpen(info);
        },
        onMessage: (data, isBinary, now) => {
          if (isBinary) options.logger.warn('binary frame on a JSON stream: passing it to the parser');
          options.onFrame(data, now);
        },
        resetConnection: () => this.cancelSends(),
      },
    );
  }

  get connected(): boolean {
    return this.socket.connected;
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
    this.socket.start();
  }

  /** Closes the socket and stops reconnecting; resolves once the socket is gone. */
  stop(): Promise<void> {
    return this.socket.stop();
  }

  /** Drops the socket now and reconnects (server shutdown notice, stale data, tests). */
  reconnect(reason: string): void {
    this.socket.reconnect(reason);
  }

  /** SUBSCRIBE frames at most (limit − 1) per second, leaving room for pongs. */
  private sendPaced(ws: WebSocket, frames: string[]): void {
    const perSecond = Math.max(1, (this.options.maxMessagesPerSecond ?? SPOT_MAX_MESSAGES_PER_SECOND) - 1);
    const gap = Math.ceil(1000 / perSecond);
    frames.forEach((frame, i) => {
      const send = () => {
        if (this.socket.current === ws && ws.readyState === WebSocket.OPEN) {
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
}

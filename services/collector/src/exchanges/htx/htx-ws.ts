import type { TimerHandle } from '@pricelevel/platform';
import WebSocket from 'ws';
import { ReconnectingSocket, type VenueSocketOptions } from '../reconnecting-socket.js';

/** HTX: one pull request (REQ) per 100 ms per connection; SUBs are paced the same way. */
export const MIN_REQUEST_GAP_MS = 100;
/** Topics per SUB frame: 1 is the form every HTX endpoint accepts (arrays are a newer addition). */
export const DEFAULT_TOPICS_PER_SUB = 1;

export interface HtxWsOptions extends VenueSocketOptions {
  /** Full endpoint URL, e.g. wss://api.huobi.pro/ws or wss://api.huobi.pro/feed. */
  url: string;
  topics: string[];
  /** No frame for this long ⇒ the socket is replaced (server pings arrive every 5 s). */
  staleMs?: number;
  topicsPerSub?: number;
  minRequestGapMs?: number;
  onFrame(data: Buffer, receivedTs: number): void;
  onOpen(info: { reconnect: boolean }): void;
}

/**
 * One HTX market-data connection kept alive forever: SUB frames paced after open, client requests
 * (REQ) queued at the venue's rate, pongs sent at once, capped jittered reconnects, and a watchdog
 * that replaces a silent socket. Frames are handed over as bytes: gunzip and parsing are the caller's.
 */
export class HtxWsConnection {
  private readonly socket: ReconnectingSocket;
  private queue: string[] = [];
  private queueTimer: TimerHandle | undefined;
  private lastSendAt = -Infinity;
  private readonly gapMs: number;
  readonly stats = { opens: 0, closes: 0, frames: 0, stale: 0, subscribeFrames: 0, requests: 0, pongs: 0, errors: 0, handlerErrors: 0 };

  constructor(private readonly options: HtxWsOptions) {
    if (options.topics.length === 0) throw new Error('a connection needs at least one topic');
    this.gapMs = options.minRequestGapMs ?? MIN_REQUEST_GAP_MS;
    this.socket = new ReconnectingSocket(
      { ...options, staleMs: options.staleMs ?? 15_000, stats: this.stats },
      {
        connecting: () => options.url,
        onOpen: (_ws, { reconnect }) => {
          for (const f of this.subscribeFrames()) {
            this.stats.subscribeFrames++;
            this.enqueue(f);
          }
          options.onOpen({ reconnect });
        },
        onMessage: (data, _isBinary, now) => options.onFrame(data, now),
        resetConnection: () => this.clearQueue(),
      },
    );
  }

  get connected(): boolean {
    return this.socket.connected;
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
    this.socket.start();
  }

  stop(): Promise<void> {
    return this.socket.stop();
  }

  reconnect(reason: string): void {
    this.socket.reconnect(reason);
  }

  /** Heartbeat answer: `{"pong":<the ping's integer, verbatim>}`, sent at once (never queued). */
  pong(ping: string): void {
    const ws = this.socket.current;
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
    const ws = this.socket.current;
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
}

import type { TimerHandle } from '@pricelevel/platform';
import WebSocket from 'ws';
import { ReconnectingSocket, type VenueSocketOptions } from '../reconnecting-socket.js';

/** Topics (dataTypes) one BingX connection may hold (error 80403 beyond it). */
export const BINGX_MAX_TOPICS_PER_CONNECTION = 200;
/**
 * Client → server messages per second. BingX documents no inbound limit for the swap market socket;
 * this keeps a full 200-topic subscription to about 4 s without bursting.
 */
export const BINGX_DEFAULT_MESSAGES_PER_SECOND = 50;

export interface BingxWsOptions extends VenueSocketOptions {
  /** Full URL, e.g. wss://open-api-swap.bingx.com/swap-market. */
  wsUrl: string;
  topics: string[];
  /** No frame (data or Ping) for this long ⇒ the socket is replaced. The venue pings every ~5 s. */
  staleMs?: number;
  maxMessagesPerSecond?: number;
  /** Binary frames are gzip (the parser gunzips); text frames are passed as strings. */
  onFrame(data: Buffer | string, receivedTs: number): void;
  onOpen(info: { reconnect: boolean; attempt: number }): void;
}

/**
 * One BingX market connection kept alive forever: subscribes its topics after open (paced), answers
 * the venue's `Ping` when told to (`pong()`), resubscribes single topics on request (a book gap),
 * reconnects with capped, jittered exponential backoff and replaces a socket that has gone silent.
 */
export class BingxWsConnection {
  private readonly socket: ReconnectingSocket;
  private drainTimer: TimerHandle | undefined;
  private outbox: string[] = [];
  private nextId = 1;
  private readonly requests = new Map<string, string>();
  private readonly gapMs: number;
  readonly stats = { opens: 0, closes: 0, frames: 0, stale: 0, subscribes: 0, unsubscribes: 0, pongs: 0, errors: 0, handlerErrors: 0 };

  constructor(private readonly options: BingxWsOptions) {
    if (options.topics.length === 0) throw new Error('a connection needs at least one topic');
    if (options.topics.length > BINGX_MAX_TOPICS_PER_CONNECTION) {
      throw new Error(`${options.topics.length} topics exceed ${BINGX_MAX_TOPICS_PER_CONNECTION} per connection`);
    }
    this.gapMs = Math.ceil(1000 / Math.max(1, options.maxMessagesPerSecond ?? BINGX_DEFAULT_MESSAGES_PER_SECOND));
    this.socket = new ReconnectingSocket(
      { ...options, staleMs: options.staleMs ?? 30_000, stats: this.stats },
      {
        connecting: () => options.wsUrl,
        openLogFields: () => ({ topics: options.topics.length }),
        onOpen: (_ws, info) => {
          this.clearOutbox();
          for (const t of options.topics) this.outbox.push(this.request('sub', t));
          this.drain();
          options.onOpen(info);
        },
        onMessage: (data, isBinary, now) => options.onFrame(isBinary ? data : data.toString('utf8'), now),
        resetConnection: () => this.clearOutbox(),
      },
    );
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** The dataType a request id was sent for (to report a refused subscription precisely). */
  dataTypeOf(id: string): string | undefined {
    return this.requests.get(id);
  }

  start(): void {
    this.socket.start();
  }

  stop(): Promise<void> {
    return this.socket.stop();
  }

  /** Drops the socket now and reconnects. */
  reconnect(reason: string): void {
    this.socket.reconnect(reason);
  }

  /** Answers the venue's heartbeat right away (not paced: a late Pong costs the connection). */
  pong(): void {
    this.sendNow('Pong');
    this.stats.pongs++;
  }

  /** Sends a raw text frame right away (e.g. a spot-style JSON pong). */
  sendNow(text: string): void {
    const ws = this.socket.current;
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
    const ws = this.socket.current;
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
}

import type { TimerHandle } from '@pricelevel/platform';
import WebSocket from 'ws';
import { ReconnectingSocket, type VenueSocketOptions } from '../reconnecting-socket.js';

/** Venue limits: args per subscribe request (spot; used for every category) and args characters per connection. */
export const MAX_ARGS_PER_REQUEST = 10;
export const MAX_ARGS_CHARS_PER_CONNECTION = 21_000;
/** Bybit recommends a client ping every 20 s. */
export const DEFAULT_PING_INTERVAL_MS = 20_000;

export interface BybitWsOptions extends VenueSocketOptions {
  /** Full stream URL, e.g. wss://stream.bybit.com/v5/public/linear. */
  url: string;
  topics: string[];
  /** No frame for this long ⇒ the socket is replaced. Default 30 s. */
  staleMs?: number;
  pingIntervalMs?: number;
  /** No pong this long after a ping ⇒ the socket is replaced. Default 10 s. */
  pongTimeoutMs?: number;
  onFrame(data: Buffer, receivedTs: number): void;
  onOpen(info: { reconnect: boolean }): void;
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
  private readonly socket: ReconnectingSocket;
  private pingSentAt = 0;
  private reqSeq = 1;
  private pinger: TimerHandle | undefined;
  private readonly pingMs: number;
  private readonly pongTimeoutMs: number;
  readonly stats = { opens: 0, closes: 0, frames: 0, stale: 0, missedPongs: 0, pings: 0, pongs: 0, requests: 0, errors: 0, handlerErrors: 0 };

  constructor(private readonly options: BybitWsOptions) {
    if (options.topics.length === 0) throw new Error('a connection needs at least one topic');
    const chars = options.topics.reduce((s, t) => s + t.length, 0);
    if (chars > MAX_ARGS_CHARS_PER_CONNECTION) throw new Error(`${chars} args characters exceed ${MAX_ARGS_CHARS_PER_CONNECTION} per connection`);
    const staleMs = options.staleMs ?? 30_000;
    this.pingMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
    // The watchdog also times pongs, so it runs often enough for the shorter of both windows.
    const checkEveryMs = Math.max(20, Math.min(1000, Math.floor(Math.min(staleMs, this.pongTimeoutMs) / 4)));
    this.socket = new ReconnectingSocket(
      { ...options, staleMs, checkEveryMs, stats: this.stats },
      {
        connecting: () => {
          this.pingSentAt = 0;
          return options.url;
        },
        openLogFields: () => ({ topics: options.topics.length }),
        onOpen: (ws, { reconnect }) => {
          options.onOpen({ reconnect });
          for (const req of subscribeRequests('subscribe', options.topics, () => `sub-${this.reqSeq++}`)) this.send(ws, req);
        },
        onMessage: (data, _isBinary, now) => options.onFrame(data, now),
        onCheck: (ws, now) => this.checkPong(ws, now),
        onStart: () => {
          this.pinger = options.clock.setInterval(() => this.ping(), this.pingMs);
        },
        onStop: () => this.pinger?.cancel(),
      },
    );
  }

  get connected(): boolean {
    return this.socket.connected;
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

  /** A heartbeat reply arrived (the adapter's parser recognised it). */
  onPong(): void {
    this.stats.pongs++;
    this.pingSentAt = 0;
  }

  /** Unsubscribe then subscribe: the venue answers with a fresh snapshot. False when not connected. */
  resubscribe(topics: string[]): boolean {
    const ws = this.socket.current;
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

  private ping(): void {
    const ws = this.socket.current;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (this.pingSentAt === 0) this.pingSentAt = this.options.clock.now();
    this.send(ws, JSON.stringify({ req_id: `ping-${this.reqSeq++}`, op: 'ping' }));
    this.stats.pings++;
  }

  /** Replaces the socket when a ping went unanswered for `pongTimeoutMs`. */
  private checkPong(ws: WebSocket, now: number): boolean {
    if (this.pingSentAt === 0 || now - this.pingSentAt <= this.pongTimeoutMs) return false;
    const waited = now - this.pingSentAt;
    this.stats.missedPongs++;
    this.pingSentAt = 0;
    this.options.logger.warn({ waitedMs: waited }, 'no pong: replacing the connection');
    this.options.onMissedPong?.(waited);
    ws.terminate();
    return true;
  }
}

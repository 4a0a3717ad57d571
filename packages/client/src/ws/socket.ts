import { WebSocket, type ClientOptions } from 'ws';
import { PricelevelError } from '../errors.js';
import { backoffDelay, checkBackoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { Channel, ChannelKind } from './channels.js';
import { EventQueue } from './event-queue.js';
import { parseServerMessage, type ClientRequest } from './messages.js';
import { ResumeState, type ChannelEvent } from './resume-state.js';

export interface SocketOptions {
  /** The gateway's WebSocket URL, e.g. "ws://127.0.0.1:8080/ws". */
  url: string;
  /** The gateway's GATEWAY_TOKEN, sent as `Authorization: Bearer <token>` on the upgrade. */
  token?: string;
  /** Reconnect backoff; false = do not reconnect (the socket closes for good with the connection). */
  reconnect?: Partial<BackoffOptions> | false;
  /**
   * Reconnect when nothing (message or ping) arrived for this long, in ms: a dead network never closes the
   * socket by itself. Set it above the gateway's ping period (GATEWAY_WS_PING_INTERVAL_MS, 15 s by default).
   */
  idleTimeoutMs?: number;
  /** Extra options of the `ws` client (TLS settings, headers, …). */
  wsOptions?: ClientOptions;
  /** Source of the backoff jitter; default Math.random. */
  random?: () => number;
}

export type SocketState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export type SocketEvent =
  | { type: 'open' }
  | { type: 'close'; code: number; reason: string }
  | { type: 'reconnecting'; attempt: number; delayMs: number }
  /**
   * A failed connection attempt, a frame that is not a known message, or a channel listener that threw;
   * PricelevelError UNAUTHENTICATED for a refused token.
   */
  | { type: 'error'; error: Error };

/** Upgrade refusals that no retry will fix. */
const FATAL_STATUS: Record<number, PricelevelError['code']> = { 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND' };

/**
 * A client of the gateway's /ws protocol: typed channel subscriptions (callbacks or async iteration),
 * automatic reconnect with backoff, and resume: after a reconnect each channel is subscribed again with
 * `since` = the last seq received when the numbering (epoch) is the same, so exactly the missed updates
 * arrive, or a `gap` event says which could not be replayed. The protocol logic lives in ResumeState.
 */
export class PricelevelSocket {
  private readonly state = new ResumeState();
  private readonly listeners = new Map<string, Set<(e: ChannelEvent) => void>>();
  private readonly socketListeners = new Set<(e: SocketEvent) => void>();
  private readonly backoff: BackoffOptions | undefined;
  private readonly random: () => number;
  private ws: WebSocket | undefined;
  private current: SocketState = 'connecting';
  private attempt = 0;
  private retry: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;
  private openWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly closeWaiters: (() => void)[] = [];

  constructor(private readonly options: SocketOptions) {
    if (!/^wss?:\/\//.test(options.url)) throw new Error(`PricelevelSocket: url must start with ws:// or wss://, got ${JSON.stringify(options.url)}`);
    this.backoff = options.reconnect === false ? undefined : { ...DEFAULT_BACKOFF, ...options.reconnect };
    if (this.backoff) checkBackoff(this.backoff);
    this.random = options.random ?? Math.random;
    this.open();
  }

  get readyState(): SocketState {
    return this.current;
  }

  /** Listens to connection events; returns the function that stops listening. */
  on(listener: (e: SocketEvent) => void): () => void {
    this.socketListeners.add(listener);
    return () => this.socketListeners.delete(listener);
  }

  /** Resolves once the socket is open (at once when it is); rejects when it closes for good first. */
  opened(): Promise<void> {
    if (this.current === 'open') return Promise.resolve();
    if (this.current === 'closed') return Promise.reject(new PricelevelError('UNAVAILABLE', 'the socket is closed'));
    return new Promise((resolve, reject) => this.openWaiters.push({ resolve, reject }));
  }

  /** Calls `listener` with every event of the channel until the returned function is called. */
  subscribe<K extends ChannelKind>(channel: Channel<K>, listener: (e: ChannelEvent<K>) => void): () => void {
    if (this.current === 'closed') throw new PricelevelError('FAILED_PRECONDITION', 'the socket is closed');
    const l = listener as (e: ChannelEvent) => void;
    let set = this.listeners.get(channel.name);
    if (!set) {
      this.listeners.set(channel.name, (set = new Set()));
      this.sendAll(this.state.add(channel));
    }
    set.add(l);
    return () => {
      if (!set.delete(l) || set.size > 0 || this.listeners.get(channel.name) !== set) return;
      this.listeners.delete(channel.name);
      this.sendAll(this.state.remove(channel.name));
    };
  }

  /**
   * The channel's events as an AsyncIterable: subscribes when iteration starts; ends when the loop is
   * left, when `signal` aborts, or when the socket closes for good.
   */
  updates<K extends ChannelKind>(channel: Channel<K>, options: { signal?: AbortSignal } = {}): AsyncIterable<ChannelEvent<K>> {
    return {
      [Symbol.asyncIterator]: () => {
        const { signal } = options;
        let unsubscribe = () => {};
        const onAbort = () => queue.end();
        const queue = new EventQueue<ChannelEvent<K>>(() => {
          unsubscribe();
          signal?.removeEventListener('abort', onAbort);
          const waiting = this.closeWaiters.indexOf(onAbort);
          if (waiting >= 0) this.closeWaiters.splice(waiting, 1);
        });
        if (signal?.aborted || this.current === 'closed') {
          queue.end();
          return queue;
        }
        unsubscribe = this.subscribe(channel, (e) => queue.push(e));
        signal?.addEventListener('abort', onAbort, { once: true });
        this.closeWaiters.push(onAbort);
        return queue;
      },
    };
  }

  /** Closes for good: no reconnect, iterations end. */
  close(): Promise<void> {
    if (this.current === 'closed') return Promise.resolve();
    const ws = this.ws;
    this.finish(new PricelevelError('CANCELLED', 'the socket was closed'));
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'client closing');
    });
  }

  private open(): void {
    const headers = { ...this.options.wsOptions?.headers, ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) };
    const ws = new WebSocket(this.options.url, { ...this.options.wsOptions, headers });
    this.ws = ws;
    let fatal: PricelevelError | undefined;
    ws.on('open', () => {
      this.current = 'open';
      this.attempt = 0;
      this.touch();
      this.emit({ type: 'open' });
      for (const w of this.openWaiters.splice(0)) w.resolve();
      this.sendAll(this.state.opened());
    });
    ws.on('message', (data, isBinary) => {
      this.touch();
      if (isBinary) return;
      const msg = parseServerMessage(String(data));
      if (!msg) return this.emit({ type: 'error', error: new Error(`unexpected message from the gateway: ${String(data).slice(0, 200)}`) });
      const { events, send } = this.state.receive(msg);
      this.sendAll(send);
      for (const e of events) for (const l of [...(this.listeners.get(e.channel) ?? [])]) this.deliver(l, e);
    });
    ws.on('ping', () => this.touch());
    ws.on('error', (err) => {
      const status = /Unexpected server response: (\d+)/.exec(err.message)?.[1];
      const code = status === undefined ? undefined : FATAL_STATUS[Number(status)];
      if (code) fatal = new PricelevelError(code, `the gateway refused the WebSocket upgrade (HTTP ${status})`, { cause: err });
      this.emit({ type: 'error', error: fatal ?? err });
    });
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      clearTimeout(this.idle);
      this.state.closed();
      this.emit({ type: 'close', code, reason: reason.toString() });
      if (this.current === 'closed') return;
      if (fatal || !this.backoff) return this.finish(fatal ?? new PricelevelError('UNAVAILABLE', `the connection closed (${code})`));
      const delayMs = backoffDelay(this.attempt++, this.backoff, this.random());
      this.current = 'reconnecting';
      this.emit({ type: 'reconnecting', attempt: this.attempt, delayMs });
      this.retry = setTimeout(() => this.open(), delayMs);
    });
  }

  /** No traffic for idleTimeoutMs: the connection is dead without having closed; drop it (and reconnect). */
  private touch(): void {
    const ms = this.options.idleTimeoutMs;
    if (ms === undefined) return;
    clearTimeout(this.idle);
    const ws = this.ws;
    this.idle = setTimeout(() => ws?.terminate(), ms);
  }

  private finish(reason: PricelevelError): void {
    this.current = 'closed';
    clearTimeout(this.retry);
    clearTimeout(this.idle);
    for (const w of this.openWaiters.splice(0)) w.reject(reason);
    for (const end of this.closeWaiters.splice(0)) end();
  }

  private sendAll(requests: ClientRequest[]): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    for (const r of requests) ws.send(JSON.stringify(r));
  }

  /** A listener that throws must not break the connection's message handling (nor skip the other listeners). */
  private deliver(listener: (e: ChannelEvent) => void, e: ChannelEvent): void {
    try {
      listener(e);
    } catch (err) {
      this.emit({ type: 'error', error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  private emit(e: SocketEvent): void {
    for (const l of [...this.socketListeners]) l(e);
  }
}

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Cache, Logger } from '@pricelevel/platform';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { InstrumentCatalog } from '../instruments.js';
import type { GatewayLimits } from '../limits.js';
import type { LiveFeeds } from '../live-feeds.js';
import type { GatewayMetrics } from '../metrics.js';
import { CHANNEL_TYPES, parseNumberedUpdate, WS_EPOCH_KEY, wsLatestKey, wsUpdatesChannel } from './ws-cache-keys.js';
import {
  channelName, errorMessage, gapMessage, levelsData, parseChannel, parseClientMessage, PONG_MESSAGE, subscribedMessage, unsubscribedMessage,
  updateMessage, type Channel,
} from './ws-protocol.js';
import { ChannelLog } from './ws-replay.js';
import { checkUpgrade, refusalResponse } from './ws-upgrade-check.js';

export const WS_PATH = '/ws';
/** RFC 6455 "Try Again Later": the server will not keep buffering for this client. */
export const WS_CLOSE_TRY_AGAIN_LATER = 1013;
export const WS_CLOSE_GOING_AWAY = 1001;
/** The numbering restarted (the cache lost its counters): reconnect and subscribe without `since`. */
export const WS_CLOSE_SERVICE_RESTART = 1012;
/** Unanswered pings after which a connection is considered dead. */
export const WS_MISSED_PONGS_LIMIT = 2;

export interface WsGatewayOptions {
  /** Period of the WebSocket ping each connection must answer, in ms. */
  pingIntervalMs: number;
  /** Update messages kept per channel for clients resuming with `since`. */
  replayCapacity: number;
  /** How long a channel nobody watches any more keeps being recorded, so a quick reconnect can resume, in ms. */
  replayRetainMs: number;
  /** Browser origins allowed to connect (exact `Origin` values); empty = any. */
  allowedOrigins: readonly string[];
  /** When set, an upgrade must carry `Authorization: Bearer <token>` or `?token=<token>`. */
  token: string | undefined;
}

export const DEFAULT_WS_OPTIONS: WsGatewayOptions = {
  pingIntervalMs: 15_000,
  replayCapacity: 512,
  replayRetainMs: 60_000,
  allowedOrigins: [],
  token: undefined,
};

export function resolveWsOptions(partial: Partial<WsGatewayOptions> | undefined): WsGatewayOptions {
  const options = { ...DEFAULT_WS_OPTIONS, ...partial };
  for (const name of ['pingIntervalMs', 'replayCapacity'] as const) {
    if (!Number.isSafeInteger(options[name]) || options[name] <= 0) throw new Error(`ws option ${name} must be a positive integer, got ${options[name]}`);
  }
  if (!Number.isSafeInteger(options.replayRetainMs) || options.replayRetainMs < 0) {
    throw new Error(`ws option replayRetainMs must be a non-negative integer, got ${options.replayRetainMs}`);
  }
  if (options.token === '') options.token = undefined;
  return options;
}

export interface WsGatewayDeps {
  /** Level sets for the level channels' snapshot (kept even while unwatched). */
  feeds: LiveFeeds;
  /** Where the numbered channel updates arrive (published by WsChannelPublisher, in whichever process). */
  cache: Cache;
  catalog: InstrumentCatalog;
  limits: GatewayLimits;
  logger: Logger;
  metrics: GatewayMetrics;
  options?: Partial<WsGatewayOptions>;
}

/** A watched channel: one cache subscription, one message text per update for every client. */
interface ChannelFeed {
  clients: Set<WebSocket>;
  /** Subscribed to the cache, and the log seeded from the latest updates there. */
  ready: Promise<void>;
  subscription: Promise<{ close(): Promise<void> }>;
  /** Clients waiting for `ready`: while there are any the channel is not let go. */
  joining: number;
  /** Set while nobody watches: when it fires the channel stops being recorded. */
  retain: NodeJS.Timeout | undefined;
}

interface ClientState {
  channels: Set<string>;
  missedPongs: number;
  /** The client's requests, handled one after another (a subscribe may wait for the cache). */
  queue: Promise<void>;
}

type SentCounter = 'wsCandlesSent' | 'wsTradesSent' | 'wsFeaturesSent' | 'wsLevelSetsSent' | 'wsQualityEventsSent';
const SENT_COUNTER: Record<Channel['kind'], SentCounter> = {
  candles: 'wsCandlesSent', trades: 'wsTradesSent', features: 'wsFeaturesSent', flow: 'wsFeaturesSent', levels: 'wsLevelSetsSent', quality: 'wsQualityEventsSent',
};

/**
 * WebSocket side of the gateway: JSON subscribe/unsubscribe to candle, feature and level channels (see
 * ws-protocol.ts), fed from the shared cache where every update is published once, numbered, for all
 * gateway processes: any process serves any channel with the same numbers, so a reconnecting client can
 * resume on any of them. Bad input gets an error message and the socket stays open; oversized frames are refused by ws
 * (`maxPayload`, close 1009); a client that does not read is closed with 1013; one that stops answering
 * pings is terminated.
 */
export class WsGateway {
  /** Names the sequence numbers (shared through the cache, see `init`): a client seeing another epoch must not resume with `since`. */
  epoch: string = randomUUID();
  private readonly options: WsGatewayOptions;
  private readonly wss: WebSocketServer;
  private readonly feeds = new Map<string, ChannelFeed>();
  /** Kept for every channel ever subscribed (bounded by the catalog), so numbers never restart. */
  private readonly logs = new Map<string, ChannelLog>();
  /** Every connected client (its channels emptied, not removed, while a slow client closes). */
  private readonly clients = new Map<WebSocket, ClientState>();
  private heartbeat: NodeJS.Timeout | undefined;
  private renumbering: Promise<void> | undefined;

  constructor(private readonly deps: WsGatewayDeps) {
    this.options = resolveWsOptions(deps.options);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.wsMaxPayloadBytes, clientTracking: false });
  }

  /** Takes the epoch shared by every process on the cache (the first process to start names it). */
  async init(): Promise<void> {
    const { cache } = this.deps;
    if (!cache.setIfAbsent) return;
    await cache.setIfAbsent(WS_EPOCH_KEY, this.epoch);
    this.epoch = (await cache.get(WS_EPOCH_KEY)) ?? this.epoch;
  }

  /**
   * The shared numbering restarted: what clients hold no longer matches. A new epoch is named (unless
   * another process already did), every history is dropped, and every client is closed with 1012 so it
   * reconnects and subscribes afresh.
   */
  private renumbered(channel: string): Promise<void> {
    this.renumbering ??= (async () => {
      const { cache, logger, metrics } = this.deps;
      metrics.wsRenumberings++;
      logger.warn({ channel, epoch: this.epoch }, 'ws sequence numbers restarted in the cache; new epoch, clients must resubscribe');
      for (const [name, feed] of [...this.feeds]) this.detach(name, feed);
      this.logs.clear();
      for (const ws of [...this.clients.keys()]) ws.close(WS_CLOSE_SERVICE_RESTART, 'stream renumbered: subscribe again without since');
      try {
        const held = await cache.get(WS_EPOCH_KEY);
        if (held === undefined || held === this.epoch) await cache.set(WS_EPOCH_KEY, randomUUID());
        this.epoch = (await cache.get(WS_EPOCH_KEY)) ?? randomUUID();
      } catch (err) {
        // Still a new epoch here: a client must not resume into the new numbering.
        this.epoch = randomUUID();
        logger.warn({ err }, 'could not share the new ws epoch through the cache');
      }
    })().finally(() => {
      this.renumbering = undefined;
    });
    return this.renumbering;
  }

  /** For the http server's 'upgrade' event: takes /ws (when origin and token pass), refuses anything else. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const refusal = checkUpgrade(req, url, this.options);
    if (refusal) {
      this.deps.logger.debug({ status: refusal.status, origin: req.headers.origin, peer: req.socket.remoteAddress }, `ws upgrade refused: ${refusal.reason}`);
      socket.end(refusalResponse(refusal));
      return;
    }
    socket.on('error', (err) => this.deps.logger.debug({ err }, 'ws upgrade socket error'));
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
  }

  /** Closes every client (1001), stops recording and stops accepting. */
  closeAll(): void {
    this.stopHeartbeat();
    for (const ws of [...this.clients.keys()]) ws.close(WS_CLOSE_GOING_AWAY, 'server shutting down');
    for (const [channel, feed] of [...this.feeds]) {
      clearTimeout(feed.retain);
      this.detach(channel, feed);
    }
    this.wss.close();
  }

  /** Forcibly drops clients that did not finish the close handshake. */
  terminateAll(): void {
    for (const ws of [...this.clients.keys()]) ws.terminate();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const { logger, metrics } = this.deps;
    const state: ClientState = { channels: new Set(), missedPongs: 0, queue: Promise.resolve() };
    this.clients.set(ws, state);
    metrics.wsClients++;
    this.startHeartbeat();
    const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    ws.on('message', (data, isBinary) => {
      state.queue = state.queue.then(() => this.onMessage(ws, data, isBinary)).catch((err: unknown) => logger.error({ err }, 'ws request failed'));
    });
    ws.on('pong', () => (state.missedPongs = 0));
    // ws reports protocol violations (e.g. a frame over maxPayload) here, then closes the socket itself.
    ws.on('error', (err) => logger.warn({ err: err.message, peer }, 'ws client error; closing'));
    ws.on('close', (code) => {
      this.leaveAll(ws);
      this.clients.delete(ws);
      metrics.wsClients--;
      if (this.clients.size === 0) this.stopHeartbeat();
      logger.debug({ peer, code }, 'ws client closed');
    });
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => this.beat(), this.options.pingIntervalMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Pings every open client; one that left the last pings unanswered is gone (no close handshake to wait for). */
  private beat(): void {
    for (const [ws, state] of this.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (state.missedPongs >= WS_MISSED_PONGS_LIMIT) {
        this.deps.logger.warn({ missedPongs: state.missedPongs }, 'ws client stopped answering pings; terminating');
        this.leaveAll(ws);
        ws.terminate();
        continue;
      }
      state.missedPongs++;
      ws.ping();
    }
  }

  private async onMessage(ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (isBinary) return this.refuse(ws, 'binary messages are not supported; send JSON text');
    const parsed = parseClientMessage(rawToString(data));
    if (!parsed.ok) return this.refuse(ws, parsed.problem.message);
    const request = parsed.value;
    const subs = this.clients.get(ws)?.channels;
    if (!subs || ws.readyState !== WebSocket.OPEN) return;
    if (request.op === 'ping') {
      this.send(ws, PONG_MESSAGE);
      return;
    }
    const { channel } = request;
    if (request.op === 'unsubscribe') {
      if (subs.delete(channel)) this.leave(channel, ws);
      this.send(ws, unsubscribedMessage(channel));
      return;
    }
    const target = parseChannel(channel, this.deps.catalog);
    if (!target.ok) return this.refuse(ws, target.problem.message, channel);
    const name = channelName(target.value);
    // Runs as the client joins, before the next update can be recorded: nothing is missed or sent twice.
    const greet = () => this.greet(ws, name, target.value, request.since);
    if (subs.has(name)) return greet();
    if (subs.size >= this.deps.limits.wsMaxSubscriptions) {
      return this.refuse(ws, `too many subscriptions: at most ${this.deps.limits.wsMaxSubscriptions} per connection`, channel);
    }
    subs.add(name);
    try {
      await this.join(name, target.value, ws, greet);
    } catch (err) {
      subs.delete(name);
      this.deps.logger.warn({ err, channel: name }, 'ws channel unavailable');
      this.send(ws, errorMessage('channel temporarily unavailable; subscribe again', name));
    }
  }

  /** "subscribed", then the missed updates or a gap, then the snapshot. */
  private greet(ws: WebSocket, name: string, target: Channel, since: number | undefined): void {
    const log = this.logOf(name);
    this.send(ws, subscribedMessage(name, this.epoch, log.seq));
    const counter = SENT_COUNTER[target.kind];
    if (since !== undefined) {
      const resume = log.resume(since);
      if (resume.kind === 'replay') {
        for (const text of resume.messages) if (this.send(ws, text)) this.deps.metrics[counter]++;
        return;
      }
      if (!this.send(ws, gapMessage(name, resume.from, resume.to))) return;
    }
    for (const text of this.snapshots(target, log)) if (this.send(ws, text)) this.deps.metrics[counter]++;
  }

  /** A level channel starts from the current set (kept even while unwatched); the others from the latest updates. */
  private snapshots(target: Channel, log: ChannelLog): string[] {
    if (target.kind !== 'levels') return log.snapshots();
    const current = this.deps.feeds.levels.get(target);
    return current ? [updateMessage('levels', log.channel, log.seq, levelsData(current), true)] : log.snapshots();
  }

  private logOf(channel: string): ChannelLog {
    let log = this.logs.get(channel);
    if (!log) this.logs.set(channel, (log = new ChannelLog(channel, this.options.replayCapacity)));
    return log;
  }

  /** Adds the client to the channel's feed once it is ready and calls `joined` at once (same tick as the add). */
  private async join(channel: string, target: Channel, ws: WebSocket, joined: () => void): Promise<void> {
    const feed = this.feedOf(channel, target);
    clearTimeout(feed.retain);
    feed.retain = undefined;
    feed.joining++;
    try {
      await feed.ready;
    } finally {
      feed.joining--;
    }
    // The client left (or closed) meanwhile, or the gateway is closing.
    if (!this.clients.get(ws)?.channels.has(channel) || this.feeds.get(channel) !== feed) {
      this.letGoIfIdle(channel, feed);
      return;
    }
    feed.clients.add(ws);
    joined();
  }

  private feedOf(channel: string, target: Channel): ChannelFeed {
    const held = this.feeds.get(channel);
    if (held) return held;
    const { cache, logger, metrics } = this.deps;
    const clients = new Set<WebSocket>();
    const log = this.logOf(channel);
    const counter = SENT_COUNTER[target.kind];
    const onUpdate = (text: string) => {
      const update = parseNumberedUpdate(text);
      if (!update) return logger.warn({ channel }, 'ignoring a malformed ws update from the cache');
      // Numbers only grow; a 1 after more means the cache lost its counters (flushed, or a new Redis).
      if (update.seq === 1 && log.seq > 1) return void this.renumbered(channel);
      const message = log.record(update.type, update.data, update.seq);
      if (message === undefined) return;
      for (const client of [...clients]) if (this.send(client, message)) metrics[counter]++;
    };
    const subscription = cache.subscribe(wsUpdatesChannel(channel), onUpdate);
    // Seeded after subscribing: an update published meanwhile is recorded, and the seed never goes back before it.
    const ready = subscription.then(() => this.seed(channel, target, log));
    const feed: ChannelFeed = { clients, subscription, ready, joining: 0, retain: undefined };
    ready.catch(() => {
      if (this.feeds.get(channel) === feed) this.detach(channel, feed);
    });
    this.feeds.set(channel, feed);
    return feed;
  }

  /** The latest update of each type the channel carries, from the cache: the snapshot and current number. */
  private async seed(channel: string, target: Channel, log: ChannelLog): Promise<void> {
    const types = CHANNEL_TYPES[target.kind];
    const latest = await Promise.all(types.map((type) => this.deps.cache.get(wsLatestKey(channel, type))));
    const updates = latest.map((text) => (text === undefined ? undefined : parseNumberedUpdate(text)));
    // Oldest first, so the snapshot lists types in the order they were last updated.
    for (const u of updates.filter((x) => x !== undefined).sort((a, b) => a.seq - b.seq)) log.seed(u.type, u.data, u.seq);
  }

  private leave(channel: string, ws: WebSocket): void {
    const feed = this.feeds.get(channel);
    if (!feed) return;
    feed.clients.delete(ws);
    this.letGoIfIdle(channel, feed);
  }

  private letGoIfIdle(channel: string, feed: ChannelFeed): void {
    if (feed.clients.size > 0 || feed.joining > 0 || feed.retain || this.feeds.get(channel) !== feed) return;
    // Keep recording a while: the client may be reconnecting and resume with `since`.
    feed.retain = setTimeout(() => this.detach(channel, feed), this.options.replayRetainMs);
    feed.retain.unref();
  }

  private detach(channel: string, feed: ChannelFeed): void {
    this.feeds.delete(channel);
    this.logs.get(channel)?.forget();
    feed.subscription.then((s) => s.close()).catch((err: unknown) => this.deps.logger.debug({ err, channel }, 'closing a ws cache subscription failed'));
  }

  private leaveAll(ws: WebSocket): void {
    const subs = this.clients.get(ws)?.channels;
    if (!subs) return;
    for (const channel of subs) this.leave(channel, ws);
    subs.clear();
  }

  private refuse(ws: WebSocket, message: string, channel?: string): void {
    this.deps.metrics.wsBadMessages++;
    this.deps.logger.debug({ message, channel }, 'ws message refused');
    this.send(ws, errorMessage(message, channel));
  }

  /** Sends unless the client is already too far behind, in which case it is closed (1013). */
  private send(ws: WebSocket, text: string): boolean {
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount > this.deps.limits.wsMaxBufferedBytes) {
      this.deps.metrics.wsSlowClientsClosed++;
      this.deps.logger.warn({ bufferedAmount: ws.bufferedAmount }, 'ws client too slow; closing with 1013');
      // Stop feeding it now; the socket is gone for good once the close handshake ends.
      this.leaveAll(ws);
      ws.close(WS_CLOSE_TRY_AGAIN_LATER, 'client too slow');
      return false;
    }
    ws.send(text);
    return true;
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

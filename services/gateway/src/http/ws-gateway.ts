import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@pricelevel/platform';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { SECOND_FLOW } from '../feature-query.js';
import type { InstrumentCatalog } from '../instruments.js';
import type { GatewayLimits } from '../limits.js';
import type { LiveFeeds } from '../live-feeds.js';
import type { GatewayMetrics } from '../metrics.js';
import {
  candleData, channelName, errorMessage, featuresData, flowData, gapMessage, levelsData, parseChannel, parseClientMessage, PONG_MESSAGE,
  subscribedMessage, unsubscribedMessage, updateMessage, type Channel, type UpdateType,
} from './ws-protocol.js';
import { ChannelLog } from './ws-replay.js';
import { checkUpgrade, refusalResponse } from './ws-upgrade-check.js';

export const WS_PATH = '/ws';
/** RFC 6455 "Try Again Later": the server will not keep buffering for this client. */
export const WS_CLOSE_TRY_AGAIN_LATER = 1013;
export const WS_CLOSE_GOING_AWAY = 1001;
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
  feeds: LiveFeeds;
  catalog: InstrumentCatalog;
  limits: GatewayLimits;
  logger: Logger;
  metrics: GatewayMetrics;
  options?: Partial<WsGatewayOptions>;
}

/** A watched channel: one listener per fan-out it needs, one JSON encoding per update. */
interface ChannelFeed {
  clients: Set<WebSocket>;
  unsubscribe: () => void;
  /** Set while nobody watches: when it fires the channel stops being recorded. */
  retain: NodeJS.Timeout | undefined;
}

interface ClientState {
  channels: Set<string>;
  missedPongs: number;
}

type SentCounter = 'wsCandlesSent' | 'wsFeaturesSent' | 'wsLevelSetsSent';
const SENT_COUNTER: Record<Channel['kind'], SentCounter> = {
  candles: 'wsCandlesSent', features: 'wsFeaturesSent', flow: 'wsFeaturesSent', levels: 'wsLevelSetsSent',
};

/**
 * WebSocket side of the gateway: JSON subscribe/unsubscribe to candle, feature and level channels (see
 * ws-protocol.ts), fed from the same fan-outs as gRPC, numbered per channel so a reconnecting client can
 * resume. Bad input gets an error message and the socket stays open; oversized frames are refused by ws
 * (`maxPayload`, close 1009); a client that does not read is closed with 1013; one that stops answering
 * pings is terminated.
 */
export class WsGateway {
  /** Names this process's sequence numbers: a client seeing another epoch must not resume with `since`. */
  readonly epoch = randomUUID();
  private readonly options: WsGatewayOptions;
  private readonly wss: WebSocketServer;
  private readonly feeds = new Map<string, ChannelFeed>();
  /** Kept for every channel ever subscribed (bounded by the catalog), so numbers never restart. */
  private readonly logs = new Map<string, ChannelLog>();
  /** Every connected client (its channels emptied, not removed, while a slow client closes). */
  private readonly clients = new Map<WebSocket, ClientState>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly deps: WsGatewayDeps) {
    this.options = resolveWsOptions(deps.options);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.wsMaxPayloadBytes, clientTracking: false });
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
    const state: ClientState = { channels: new Set(), missedPongs: 0 };
    this.clients.set(ws, state);
    metrics.wsClients++;
    this.startHeartbeat();
    const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    ws.on('message', (data, isBinary) => this.onMessage(ws, data, isBinary));
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

  private onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
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
    if (!subs.has(name)) {
      if (subs.size >= this.deps.limits.wsMaxSubscriptions) {
        return this.refuse(ws, `too many subscriptions: at most ${this.deps.limits.wsMaxSubscriptions} per connection`, channel);
      }
      subs.add(name);
      this.join(name, target.value, ws);
    }
    // All of this runs before the next update can be recorded: nothing is missed or sent twice.
    const log = this.logOf(name);
    this.send(ws, subscribedMessage(name, this.epoch, log.seq));
    const counter = SENT_COUNTER[target.value.kind];
    if (request.since !== undefined) {
      const resume = log.resume(request.since);
      if (resume.kind === 'replay') {
        for (const text of resume.messages) if (this.send(ws, text)) this.deps.metrics[counter]++;
        return;
      }
      if (!this.send(ws, gapMessage(name, resume.from, resume.to))) return;
    }
    for (const text of this.snapshots(target.value, log)) if (this.send(ws, text)) this.deps.metrics[counter]++;
  }

  /** A level channel starts from the current set (kept even while unwatched); the others from what the log saw. */
  private snapshots(target: Channel, log: ChannelLog): string[] {
    if (target.kind !== 'levels') return log.snapshots();
    const current = this.deps.feeds.levels.get(target);
    return current ? [updateMessage('levels', log.channel, log.seq, levelsData(current), true)] : [];
  }

  private logOf(channel: string): ChannelLog {
    let log = this.logs.get(channel);
    if (!log) this.logs.set(channel, (log = new ChannelLog(channel, this.options.replayCapacity)));
    return log;
  }

  private join(channel: string, target: Channel, ws: WebSocket): void {
    let feed = this.feeds.get(channel);
    if (!feed) {
      const clients = new Set<WebSocket>();
      const log = this.logOf(channel);
      const counter = SENT_COUNTER[target.kind];
      const broadcast = (type: UpdateType, data: string) => {
        const text = log.record(type, data);
        for (const client of [...clients]) if (this.send(client, text)) this.deps.metrics[counter]++;
      };
      const detach = this.attach(target, broadcast);
      feed = { clients, unsubscribe: () => detach.forEach((unsubscribe) => unsubscribe()), retain: undefined };
      this.feeds.set(channel, feed);
    }
    clearTimeout(feed.retain);
    feed.retain = undefined;
    feed.clients.add(ws);
  }

  /** Listens to the fan-outs a channel is made of; returns the unsubscribe functions. */
  private attach(c: Channel, broadcast: (type: UpdateType, data: string) => void): (() => void)[] {
    const { feeds } = this.deps;
    const flow = (interval: string) => feeds.onOrderFlow({ ...c, interval }, (f) => broadcast('flow', flowData(f)));
    switch (c.kind) {
      case 'candles':
        return [feeds.onCandle(c, (candle) => broadcast('candle', candleData(candle)))];
      case 'features':
        return [feeds.onBookFeatures(c, (f) => broadcast('features', featuresData(f))), flow(SECOND_FLOW)];
      case 'flow':
        return [flow(c.interval)];
      case 'levels':
        return [feeds.levels.onNewer(c, (set) => broadcast('levels', levelsData(set)))];
    }
  }

  private leave(channel: string, ws: WebSocket): void {
    const feed = this.feeds.get(channel);
    if (!feed) return;
    feed.clients.delete(ws);
    if (feed.clients.size > 0 || feed.retain) return;
    // Keep recording a while: the client may be reconnecting and resume with `since`.
    feed.retain = setTimeout(() => this.detach(channel, feed), this.options.replayRetainMs);
    feed.retain.unref();
  }

  private detach(channel: string, feed: ChannelFeed): void {
    feed.unsubscribe();
    this.feeds.delete(channel);
    this.logs.get(channel)?.breakContinuity();
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

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
  ackMessage, candleMessage, channelName, errorMessage, featuresMessage, flowMessage, levelsMessage, parseChannel, parseClientMessage,
  type Channel,
} from './ws-protocol.js';

export const WS_PATH = '/ws';
/** RFC 6455 "Try Again Later": the server will not keep buffering for this client. */
export const WS_CLOSE_TRY_AGAIN_LATER = 1013;
export const WS_CLOSE_GOING_AWAY = 1001;

export interface WsGatewayDeps {
  feeds: LiveFeeds;
  catalog: InstrumentCatalog;
  limits: GatewayLimits;
  logger: Logger;
  metrics: GatewayMetrics;
}

/** A channel with at least one subscriber: one listener per fan-out it needs, one JSON encoding per update. */
interface ChannelFeed {
  clients: Set<WebSocket>;
  unsubscribe: () => void;
}

/** Sends one encoded update to a channel's clients, counting what was sent. */
type Broadcast = (text: string, counter: SentCounter) => void;
type SentCounter = 'wsCandlesSent' | 'wsFeaturesSent' | 'wsLevelSetsSent';

/**
 * WebSocket side of the gateway: JSON subscribe/unsubscribe to candle, feature and level channels (see
 * ws-protocol.ts), fed from the same fan-outs as gRPC. Bad input gets an error message and the socket stays open; oversized frames are
 * refused by ws (`maxPayload`, close 1009); a client that does not read is closed with 1013.
 */
export class WsGateway {
  private readonly wss: WebSocketServer;
  private readonly feeds = new Map<string, ChannelFeed>();
  /** Every connected client and its channels (emptied, not removed, while a slow client closes). */
  private readonly clients = new Map<WebSocket, Set<string>>();

  constructor(private readonly deps: WsGatewayDeps) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.wsMaxPayloadBytes, clientTracking: false });
  }

  /** For the http server's 'upgrade' event: takes /ws, refuses anything else. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (path !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.on('error', (err) => this.deps.logger.debug({ err }, 'ws upgrade socket error'));
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
  }

  /** Closes every client (1001) and stops accepting. */
  closeAll(): void {
    for (const ws of [...this.clients.keys()]) ws.close(WS_CLOSE_GOING_AWAY, 'server shutting down');
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
    this.clients.set(ws, new Set());
    metrics.wsClients++;
    const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    ws.on('message', (data, isBinary) => this.onMessage(ws, data, isBinary));
    // ws reports protocol violations (e.g. a frame over maxPayload) here, then closes the socket itself.
    ws.on('error', (err) => logger.warn({ err: err.message, peer }, 'ws client error; closing'));
    ws.on('close', (code) => {
      this.leaveAll(ws);
      this.clients.delete(ws);
      metrics.wsClients--;
      logger.debug({ peer, code }, 'ws client closed');
    });
  }

  private onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (isBinary) return this.refuse(ws, 'binary messages are not supported; send JSON text');
    const parsed = parseClientMessage(rawToString(data));
    if (!parsed.ok) return this.refuse(ws, parsed.problem.message);
    const { op, channel } = parsed.value;
    const subs = this.clients.get(ws);
    if (!subs || ws.readyState !== WebSocket.OPEN) return;
    if (op === 'unsubscribe') {
      if (subs.delete(channel)) this.leave(channel, ws);
      this.send(ws, ackMessage('unsubscribed', channel));
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
    this.send(ws, ackMessage('subscribed', name));
    // A level channel starts with the current set (on every subscribe: a client may ask again to resync).
    const current = target.value.kind === 'levels' ? this.deps.feeds.levels.get(target.value) : undefined;
    if (current && this.send(ws, levelsMessage(name, current))) this.deps.metrics.wsLevelSetsSent++;
  }

  private join(channel: string, target: Channel, ws: WebSocket): void {
    let feed = this.feeds.get(channel);
    if (!feed) {
      const clients = new Set<WebSocket>();
      const broadcast: Broadcast = (text, counter) => {
        for (const client of [...clients]) if (this.send(client, text)) this.deps.metrics[counter]++;
      };
      const detach = this.attach(channel, target, broadcast);
      this.feeds.set(channel, (feed = { clients, unsubscribe: () => detach.forEach((unsubscribe) => unsubscribe()) }));
    }
    feed.clients.add(ws);
  }

  /** Listens to the fan-outs a channel is made of; returns the unsubscribe functions. */
  private attach(channel: string, c: Channel, broadcast: Broadcast): (() => void)[] {
    const { feeds } = this.deps;
    const flow = (interval: string) => feeds.onOrderFlow({ ...c, interval }, (f) => broadcast(flowMessage(channel, f), 'wsFeaturesSent'));
    switch (c.kind) {
      case 'candles':
        return [feeds.onCandle(c, (candle) => broadcast(candleMessage(channel, candle), 'wsCandlesSent'))];
      case 'features':
        return [feeds.onBookFeatures(c, (f) => broadcast(featuresMessage(channel, f), 'wsFeaturesSent')), flow(SECOND_FLOW)];
      case 'flow':
        return [flow(c.interval)];
      case 'levels':
        return [feeds.levels.onNewer(c, (set) => broadcast(levelsMessage(channel, set), 'wsLevelSetsSent'))];
    }
  }

  private leave(channel: string, ws: WebSocket): void {
    const feed = this.feeds.get(channel);
    if (!feed) return;
    feed.clients.delete(ws);
    if (feed.clients.size === 0) {
      feed.unsubscribe();
      this.feeds.delete(channel);
    }
  }

  private leaveAll(ws: WebSocket): void {
    const subs = this.clients.get(ws);
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

import { instrumentKey, type TopicMessage, type TopicName } from '@pricelevel/contracts';
import type { Bus, Cache, Logger, NumberedMessage, Subscription } from '@pricelevel/platform';
import { SECOND_FLOW } from './feature-query.js';
import { WS_SOURCE_MARKS_KEY, wsCounterKey, wsLatestKey, wsUpdatesChannel } from './http/ws-cache-keys.js';
import { candleData, channelName, featuresData, flowData, levelsData, qualityData, tradeData, type UpdateType } from './http/ws-protocol.js';
import type { InstrumentRef } from './instruments.js';
import { BOOK_FEATURES_TOPIC, CANDLE_TOPIC, isLiveCandle, LEVELS_TOPIC, ORDER_FLOW_TOPIC, QUALITY_TOPIC, TRADE_TOPIC } from './live-feeds.js';
import type { GatewayMetrics } from './metrics.js';

/** One consumer group for every gateway process: the bus hands each message to ONE of them. */
export const WS_PUBLISHER_GROUP = 'gateway-ws';

type NumberedCache = Cache & Required<Pick<Cache, 'publishNumbered'>>;

/**
 * Turns bus messages into WebSocket channel updates, once for all gateway processes: it follows the bus
 * in a shared consumer group and publishes each update, numbered by the cache, on the channel's cache
 * topic (see ws-cache-keys.ts), where every process's WsGateway picks it up. So every process sends the
 * same messages with the same numbers, in the same order; one process alone works the same way over the
 * in-memory cache.
 */
export class WsChannelPublisher {
  private readonly cache: NumberedCache;
  /** Newest level-set version published per instrument: a redelivered older one is not news. */
  private readonly levelVersions = new Map<string, number>();

  /** The symbols of each `exchange:market`: a connection's quality event (no symbol) concerns all of them. */
  private readonly symbolsOf = new Map<string, string[]>();

  constructor(
    cache: Cache,
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
    instruments: readonly InstrumentRef[] = [],
  ) {
    for (const ref of instruments) {
      const venue = `${ref.exchange}:${ref.market}`;
      this.symbolsOf.set(venue, [...(this.symbolsOf.get(venue) ?? []), ref.symbol]);
    }
    if (!cache.publishNumbered) throw new Error('the gateway needs a cache with publishNumbered (MemoryCache or RedisCache)');
    this.cache = cache as NumberedCache;
  }

  /** Subscribes to the live topics; `opened` receives each subscription as soon as it exists. */
  async subscribe(bus: Bus, opened: (s: Subscription) => void, group = WS_PUBLISHER_GROUP): Promise<void> {
    opened(await this.follow(bus, CANDLE_TOPIC, group, (c, out) => {
      if (isLiveCandle(c)) out(channelName({ kind: 'candles', ...c }), 'candle', candleData(c));
    }));
    opened(await this.follow(bus, TRADE_TOPIC, group, (t, out) => out(channelName({ kind: 'trades', ...t }), 'trade', tradeData(t))));
    opened(await this.follow(bus, BOOK_FEATURES_TOPIC, group, (f, out) => out(channelName({ kind: 'features', ...f }), 'features', featuresData(f))));
    opened(await this.follow(bus, ORDER_FLOW_TOPIC, group, (f, out) => {
      const data = flowData(f);
      out(channelName({ kind: 'flow', ...f }), 'flow', data);
      // The features channel carries the per-second flow after each second's book features.
      if (f.interval === SECOND_FLOW) out(channelName({ kind: 'features', ...f }), 'flow', data);
    }));
    opened(await this.follow(bus, LEVELS_TOPIC, group, (set, out) => {
      const key = instrumentKey(set);
      const held = this.levelVersions.get(key);
      if (held !== undefined && held >= set.version) return;
      this.levelVersions.set(key, set.version);
      out(channelName({ kind: 'levels', ...set }), 'levels', levelsData(set));
    }));
    opened(await this.follow(bus, QUALITY_TOPIC, group, (event, out) => {
      const data = qualityData(event);
      const symbols = event.symbol !== '' ? [event.symbol] : (this.symbolsOf.get(`${event.exchange}:${event.market}`) ?? []);
      for (const symbol of symbols) out(channelName({ kind: 'quality', exchange: event.exchange, market: event.market, symbol }), 'quality', data);
    }));
  }

  private follow<T extends TopicName>(
    bus: Bus,
    topic: T,
    group: string,
    toUpdates: (value: TopicMessage<T>, out: (channel: string, type: UpdateType, data: string) => void) => void,
  ): Promise<Subscription> {
    return bus.subscribe({ topic, group }, async (batch) => {
      const messages: NumberedMessage[] = [];
      for (const delivery of batch) {
        // Each update carries its place in the bus partition: a redelivered batch (after a failed publish,
        // or on another replica after a rebalance) publishes nothing twice.
        let index = 0;
        const stream = `${bus.logName ?? 'bus'}:${topic}:${delivery.partition}`;
        toUpdates(delivery.value, (channel, type, data) => {
          messages.push({
            channel: wsUpdatesChannel(channel), counterKey: wsCounterKey(channel), message: `${type} ${data}`, latestKey: wsLatestKey(channel, type),
            source: { marksKey: WS_SOURCE_MARKS_KEY, stream, offset: delivery.offset, index: index++ },
          });
        });
      }
      try {
        // One atomic call for the batch: all of it is published, or none and the bus delivers it again.
        const numbers = await this.cache.publishNumbered(messages);
        const published = numbers.filter((n) => n > 0).length;
        this.metrics.wsUpdatesPublished += published;
        this.metrics.wsUpdatesRepeated += numbers.length - published;
      } catch (err) {
        // Thrown on: the bus delivers the batch again rather than losing it.
        this.logger.warn({ err, topic }, 'publishing ws updates to the cache failed');
        throw err;
      }
    });
  }
}

import { instrumentKey, type BookFeatures, type BookSnapshot, type Candle, type OrderFlow, type TopicMessage, type TopicName } from '@pricelevel/contracts';
import type { Bus, Logger, Subscription } from '@pricelevel/platform';
import { KeyedFanout, type Listener } from './fanout.js';
import type { InstrumentRef } from './instruments.js';
import { LatestLevels } from './latest-levels.js';
import type { GatewayMetrics } from './metrics.js';

export const CANDLE_TOPIC = 'agg.candle.v1';
export const BOOK_FEATURES_TOPIC = 'feat.book.v1';
export const BOOK_SNAPSHOT_TOPIC = 'feat.snapshot.v1';
export const ORDER_FLOW_TOPIC = 'feat.flow.v1';
export const LEVELS_TOPIC = 'levels.v1';
export const QUALITY_TOPIC = 'md.quality.v1';
export const TRADE_TOPIC = 'md.trade.v1';

/** An instrument on one interval: a candle series or an order-flow series. */
export interface SeriesRef extends InstrumentRef {
  interval: string;
}

/** The fan-out key of a series. */
export function seriesKey(s: SeriesRef): string {
  return `${s.exchange}:${s.market}:${s.symbol}:${s.interval}`;
}

/** Live feeds carry candles built from trades; venue klines ("exchange") are history, served by GetCandles. */
export function isLiveCandle(c: Candle): boolean {
  return c.source === '' || c.source === 'trades';
}

/**
 * The gateway's live data: ONE bus subscription per topic (its own consumer group, so every replica
 * sees every message), each fanned out in memory by the key a watcher asks for. The `on…` methods
 * return the unsubscribe function. Level sets are also kept: the latest version of each instrument;
 * so are book snapshots (the newest of each instrument, for GetOrderBook) and which instruments have
 * had book features.
 */
export class LiveFeeds {
  private readonly candles: KeyedFanout<Candle>;
  private readonly book: KeyedFanout<BookFeatures>;
  private readonly flow: KeyedFanout<OrderFlow>;
  readonly levels: LatestLevels;
  private readonly books = new Map<string, BookSnapshot>();
  private readonly featured = new Set<string>();

  constructor(
    logger: Logger,
    private readonly metrics: GatewayMetrics,
  ) {
    const onListenerError = () => metrics.listenerErrors++;
    this.candles = new KeyedFanout<Candle>('candle', seriesKey, logger, onListenerError);
    this.book = new KeyedFanout<BookFeatures>('book features', instrumentKey, logger, onListenerError);
    this.flow = new KeyedFanout<OrderFlow>('order flow', seriesKey, logger, onListenerError);
    this.levels = new LatestLevels(logger, onListenerError);
  }

  onCandle(series: SeriesRef, listener: Listener<Candle>): () => void {
    return this.candles.add(seriesKey(series), listener);
  }

  onBookFeatures(instrument: InstrumentRef, listener: Listener<BookFeatures>): () => void {
    return this.book.add(instrumentKey(instrument), listener);
  }

  /** The newest book snapshot seen for the instrument. */
  latestBook(instrument: InstrumentRef): BookSnapshot | undefined {
    return this.books.get(instrumentKey(instrument));
  }

  /** Has the instrument had book features since this gateway started? */
  hasFeatures(instrument: InstrumentRef): boolean {
    return this.featured.has(instrumentKey(instrument));
  }

  onOrderFlow(series: SeriesRef, listener: Listener<OrderFlow>): () => void {
    return this.flow.add(seriesKey(series), listener);
  }

  /**
   * Subscribes to every topic; `opened` receives each subscription as soon as it exists, so a caller
   * that fails half-way can still close the ones already open.
   */
  async subscribe(bus: Bus, group: string, opened: (s: Subscription) => void): Promise<void> {
    const { metrics } = this;
    opened(await follow(bus, CANDLE_TOPIC, group, (c) => {
      metrics.busCandles++;
      if (isLiveCandle(c)) this.candles.dispatch(c);
    }));
    opened(await follow(bus, BOOK_FEATURES_TOPIC, group, (f) => {
      metrics.busBookFeatures++;
      this.featured.add(instrumentKey(f));
      this.book.dispatch(f);
    }));
    opened(await follow(bus, BOOK_SNAPSHOT_TOPIC, group, (s) => {
      metrics.busBookSnapshots++;
      const key = instrumentKey(s);
      // A redelivered or replayed older snapshot must not replace a newer one.
      const held = this.books.get(key);
      if (!held || held.ts <= s.ts) this.books.set(key, s);
    }));
    opened(await follow(bus, ORDER_FLOW_TOPIC, group, (f) => {
      metrics.busOrderFlows++;
      this.flow.dispatch(f);
    }));
    opened(await follow(bus, LEVELS_TOPIC, group, (set) => {
      metrics.busLevelSets++;
      if (!this.levels.offer(set)) metrics.staleLevelSets++;
    }));
  }
}

function follow<T extends TopicName>(bus: Bus, topic: T, group: string, onValue: (value: TopicMessage<T>) => void): Promise<Subscription> {
  return bus.subscribe({ topic, group }, async (batch) => {
    for (const delivery of batch) onValue(delivery.value);
  });
}

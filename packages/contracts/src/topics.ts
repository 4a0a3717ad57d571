import { BookUpdate } from './gen/pricelevel/marketdata/v1/book.js';
import { Candle } from './gen/pricelevel/marketdata/v1/candle.js';
import { BookFeatures, BookSnapshot, OrderFlow } from './gen/pricelevel/marketdata/v1/features.js';
import { LevelSet } from './gen/pricelevel/marketdata/v1/levels.js';
import { Liquidation } from './gen/pricelevel/marketdata/v1/liquidation.js';
import { QualityEvent, QualityMinute } from './gen/pricelevel/marketdata/v1/quality.js';
import { Ticker } from './gen/pricelevel/marketdata/v1/ticker.js';
import { Trade } from './gen/pricelevel/marketdata/v1/trade.js';

/** The codec of one bus message type: protobuf bytes on the wire. */
export interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromPartial(object: Partial<T>): T;
}

/** Every bus topic and the message type it carries. The one hand-written piece of this package. */
export const TOPICS = {
  'md.trade.v1': Trade as Codec<Trade>,
  'md.book.v1': BookUpdate as Codec<BookUpdate>,
  'md.ticker.v1': Ticker as Codec<Ticker>,
  'md.liquidation.v1': Liquidation as Codec<Liquidation>,
  'md.quality.v1': QualityEvent as Codec<QualityEvent>,
  // The per-minute quality ledger. Its own topic, not a oneof on md.quality.v1: one message type per
  // topic keeps TopicMessage exact, the collectors keep publishing bare QualityEvents, and the ledger
  // (a consumer of md.quality.v1) never reads its own output back.
  'md.quality.minute.v1': QualityMinute as Codec<QualityMinute>,
  'agg.candle.v1': Candle as Codec<Candle>,
  'feat.snapshot.v1': BookSnapshot as Codec<BookSnapshot>,
  'feat.book.v1': BookFeatures as Codec<BookFeatures>,
  'feat.flow.v1': OrderFlow as Codec<OrderFlow>,
  'levels.v1': LevelSet as Codec<LevelSet>,
} as const;

export type TopicName = keyof typeof TOPICS;
export type TopicMessage<T extends TopicName> = (typeof TOPICS)[T] extends Codec<infer M> ? M : never;
export const TOPIC_NAMES = Object.keys(TOPICS) as TopicName[];

/** Schema version carried in a bus header so consumers can refuse what they do not understand. */
export const SCHEMA_VERSION_HEADER = 'pl-schema';
export function schemaVersionOf(topic: TopicName): string {
  return topic.slice(topic.lastIndexOf('.') + 1);
}

export function isTopicName(name: string): name is TopicName {
  return Object.prototype.hasOwnProperty.call(TOPICS, name);
}

export function encodeMessage<T extends TopicName>(topic: T, message: TopicMessage<T>): Uint8Array {
  return (TOPICS[topic] as unknown as Codec<TopicMessage<T>>).encode(message).finish();
}

export function decodeMessage<T extends TopicName>(topic: T, bytes: Uint8Array): TopicMessage<T> {
  return (TOPICS[topic] as unknown as Codec<TopicMessage<T>>).decode(bytes);
}

/** Bus partition key: per-instrument order is kept. */
export function instrumentKey(m: { exchange: string; market: string; symbol: string }): string {
  return `${m.exchange}:${m.market}:${m.symbol}`;
}

export type Market = 'spot' | 'perp';
export const MARKETS: readonly Market[] = ['spot', 'perp'];

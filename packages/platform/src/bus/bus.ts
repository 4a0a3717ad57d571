import type { TopicMessage, TopicName } from '@pricelevel/contracts';

/** One message as a consumer sees it. */
export interface Delivery<T extends TopicName> {
  topic: T;
  key: string;
  value: TopicMessage<T>;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

export interface OutgoingMessage<T extends TopicName> {
  key: string;
  value: TopicMessage<T>;
  headers?: Record<string, string>;
}

export interface SubscribeOptions<T extends TopicName> {
  topic: T;
  /**
   * Consumer group: each message goes to one member of a group; every group gets every message. Groups
   * are per topic: the same name on two topics is two independent groups.
   */
  group: string;
  /** Start from the oldest retained message when the group has no committed offset. */
  fromBeginning?: boolean;
}

/**
 * Handler of a batch of messages of one partition, in order. Offsets are committed only after it
 * resolves; if it throws, the batch is delivered again (at-least-once).
 */
export type BatchHandler<T extends TopicName> = (batch: Delivery<T>[]) => Promise<void>;

export interface Subscription {
  close(): Promise<void>;
}

/**
 * Event bus port. Keyed by `exchange:market:symbol`: messages with one key keep their order.
 * Adapters: in-memory (one process) and Kafka.
 */
export interface Bus {
  publish<T extends TopicName>(topic: T, messages: OutgoingMessage<T>[]): Promise<void>;
  subscribe<T extends TopicName>(options: SubscribeOptions<T>, handler: BatchHandler<T>): Promise<Subscription>;
  /** Waits until everything published so far has been handed to the broker (or to local queues). */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Resolves when the broker answers (readiness checks); absent = nothing to reach (in-memory). */
  ping?(): Promise<void>;
  /**
   * Names the message log the offsets belong to: an offset means the same message only under the same
   * name. The in-memory bus names each instance (its offsets restart with the process); Kafka keeps its
   * offsets for as long as a topic lives.
   */
  readonly logName?: string;
  /** Counters for monitoring (the adapters in this package implement it). */
  stats?(): BusStats;
}

/** Running totals of one bus instance. */
export interface BusStats {
  /** Messages accepted by the broker (Kafka: acked; memory: appended). */
  published: number;
  /** Messages handed to handlers whose batch then succeeded. */
  consumed: number;
  /** Messages skipped because they could not be decoded (or carried an unknown schema version). */
  decodeErrors: number;
  /** Batches whose handler threw (each is redelivered). */
  handlerErrors: number;
}

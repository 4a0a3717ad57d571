import { encodeMessage, schemaVersionOf, SCHEMA_VERSION_HEADER, type TopicName } from '@pricelevel/contracts';
import { Kafka, logLevel, Partitioners, type Admin, type Message, type Producer } from 'kafkajs';
import { systemClock, type Clock } from '../clock/clock.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { BatchHandler, Bus, BusStats, OutgoingMessage, SubscribeOptions, Subscription } from './bus.js';
import { kafkaLogCreator } from './kafka-logger.js';
import { KafkaSubscription, type KafkaConsumerSettings } from './kafka-subscription.js';
import { SendBatcher } from './send-batcher.js';
import { assertOutgoing, assertTopic } from './topic-check.js';

export interface KafkaBusConfig {
  brokers: string[];
  clientId: string;
  logger?: Logger;
  clock?: Clock;
  /** Producer batching per topic (defaults: lingerMs 5, maxMessages 1000). */
  batch?: { lingerMs?: number; maxMessages?: number };
  consumer?: {
    /** Defaults 30 000 / 3 000 as in kafkajs; tests against the mock use ~4 000 / ~300. */
    sessionTimeout?: number;
    heartbeatInterval?: number;
    /** Longest a fetch waits for data (default 500). */
    maxWaitTimeInMs?: number;
    /** How long `subscribe` waits for the group join (default 60 000). */
    joinTimeoutMs?: number;
    /** First redelivery delay after a handler throws; doubles per failure (defaults 100 and 5 000). */
    retryBackoffMs?: number;
    maxRetryBackoffMs?: number;
  };
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** kafkajs client retries (defaults: 5 retries from 300 ms up to 30 s). */
  retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number };
}

/**
 * Bus over Kafka (kafkajs). Values are protobuf (`encodeMessage`), the key is the message key, headers
 * carry the schema version plus the caller's. Producer batches per topic; one consumer per subscribe.
 */
export class KafkaBus implements Bus {
  readonly logName = 'kafka';
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly batcher: SendBatcher<Message>;
  private readonly subscriptions = new Set<KafkaSubscription<TopicName>>();
  private readonly counters: BusStats = { published: 0, consumed: 0, decodeErrors: 0, handlerErrors: 0 };
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly consumerSettings: KafkaConsumerSettings;
  private producerReady: Promise<void> | undefined;
  /** Kept connected for readiness pings once the first one ran. */
  private pingAdmin: Promise<Admin> | undefined;
  private closing: Promise<void> | undefined;

  constructor(config: KafkaBusConfig) {
    if (!Array.isArray(config.brokers) || config.brokers.length === 0)
      throw new Error('KafkaBus: brokers must be a non-empty list');
    this.logger = (config.logger ?? silentLogger).child({ component: 'kafka-bus' });
    this.clock = config.clock ?? systemClock;
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      logLevel: logLevel.INFO,
      logCreator: kafkaLogCreator(this.logger),
      connectionTimeout: config.connectionTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      retry: config.retry,
    });
    // Not idempotent on purpose: that needs a real controller (the test mock has none); per-topic sends
    // are serialized by the batcher, which keeps per-key order.
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.batcher = new SendBatcher<Message>((topic, messages) => this.send(topic, messages), {
      lingerMs: config.batch?.lingerMs ?? 5,
      maxMessages: config.batch?.maxMessages ?? 1000,
      clock: this.clock,
    });
    const c = config.consumer ?? {};
    this.consumerSettings = {
      sessionTimeout: c.sessionTimeout ?? 30_000,
      heartbeatInterval: c.heartbeatInterval ?? 3_000,
      maxWaitTimeInMs: c.maxWaitTimeInMs ?? 500,
      joinTimeoutMs: c.joinTimeoutMs ?? 60_000,
      retryBackoffMs: c.retryBackoffMs ?? 100,
      maxRetryBackoffMs: c.maxRetryBackoffMs ?? 5_000,
    };
  }

  /**
   * Best-effort provisioning: CreateTopics where the cluster supports it, then verify the topics exist
   * (a cluster without CreateTopics, like librdkafka's mock, must have them pre-created).
   */
  async ensureTopics(topics: readonly TopicName[], partitions = 6): Promise<void> {
    topics.forEach((t) => assertTopic(t));
    const admin = this.kafka.admin({ retry: { retries: 1 } });
    await admin.connect();
    try {
      try {
        await admin.createTopics({
          topics: topics.map((topic) => ({ topic, numPartitions: partitions })),
          waitForLeaders: true,
        });
      } catch (err) {
        this.logger.info(
          { err: (err as Error).message },
          'createTopics unavailable; verifying the topics exist instead',
        );
      }
      let metadata;
      try {
        metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      } catch (err) {
        throw new Error(
          `kafka topics missing or unreadable (${topics.join(', ')}): ${(err as Error).message}`,
        );
      }
      const found = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
      const missing = topics.filter((t) => !found.has(t));
      if (missing.length > 0) throw new Error(`kafka topics missing: ${missing.join(', ')}`);
      for (const [name, count] of found) {
        if (count !== partitions)
          this.logger.warn(
            { topic: name, partitions: count, wanted: partitions },
            'topic has a different partition count',
          );
      }
    } finally {
      await admin.disconnect();
    }
  }

  async publish<T extends TopicName>(topic: T, messages: OutgoingMessage<T>[]): Promise<void> {
    this.assertOpen();
    assertTopic(topic);
    assertOutgoing(topic, messages);
    const version = schemaVersionOf(topic);
    const encoded: Message[] = messages.map((m) => {
      let bytes: Uint8Array;
      try {
        bytes = encodeMessage(topic, m.value);
      } catch (err) {
        throw new Error(
          `publish(${topic}): cannot encode message with key '${m.key}': ${(err as Error).message}`,
        );
      }
      return {
        key: m.key,
        value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        headers: { ...m.headers, [SCHEMA_VERSION_HEADER]: version },
      };
    });
    return this.batcher.add(topic, encoded);
  }

  async subscribe<T extends TopicName>(
    options: SubscribeOptions<T>,
    handler: BatchHandler<T>,
  ): Promise<Subscription> {
    this.assertOpen();
    assertTopic(options.topic);
    if (typeof options.group !== 'string' || options.group === '')
      throw new Error('subscribe: group must be a non-empty string');
    if (typeof handler !== 'function') throw new TypeError('subscribe: handler must be a function');
    const logger = this.logger.child({ topic: options.topic, group: options.group });
    const sub = new KafkaSubscription<T>(
      this.kafka,
      options,
      handler,
      this.consumerSettings,
      this.counters,
      this.clock,
      logger,
      (s) => this.subscriptions.delete(s as unknown as KafkaSubscription<TopicName>),
    );
    this.subscriptions.add(sub as unknown as KafkaSubscription<TopicName>);
    await sub.start();
    return sub;
  }

  /** Resolves when every message published so far has been acked by the broker (or failed its publish). */
  flush(): Promise<void> {
    return this.batcher.flush();
  }

  /** A cluster metadata round trip: the brokers answer. */
  async ping(): Promise<void> {
    if (this.closing) throw new Error('the bus is closed');
    this.pingAdmin ??= (async () => {
      const admin = this.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      return admin;
    })();
    const admin = await this.pingAdmin.catch((err: unknown) => {
      this.pingAdmin = undefined;
      throw err;
    });
    await admin.describeCluster();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.batcher.flush();
      await Promise.all([...this.subscriptions].map((s) => s.close()));
      const admin = await this.pingAdmin?.catch(() => undefined);
      await admin?.disconnect().catch((err: unknown) => this.logger.warn({ err }, 'admin disconnect failed'));
      if (this.producerReady)
        await this.producer
          .disconnect()
          .catch((err: unknown) => this.logger.warn({ err }, 'producer disconnect failed'));
    })();
    return this.closing;
  }

  stats(): BusStats {
    return { ...this.counters };
  }

  private async send(topic: string, messages: Message[]): Promise<void> {
    this.producerReady ??= this.producer.connect().catch((err: unknown) => {
      this.producerReady = undefined; // let a later publish try again
      throw err;
    });
    await this.producerReady;
    await this.producer.sendBatch({ topicMessages: [{ topic, messages }] });
    this.counters.published += messages.length;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('KafkaBus is closed');
  }
}

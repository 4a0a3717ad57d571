import { decodeMessage, schemaVersionOf, SCHEMA_VERSION_HEADER, type TopicName } from '@pricelevel/contracts';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Clock } from '../clock/clock.js';
import type { Logger } from '../logging/logger.js';
import type { BatchHandler, BusStats, Delivery, SubscribeOptions, Subscription } from './bus.js';
import { retryDelayMs } from './retry-backoff.js';

/** Joins tried when kafkajs gives up on the consumer while it joins (see `start`). */
const START_ATTEMPTS = 3;

/** The consumer crashed and kafkajs will not restart it (a non-retriable protocol error). */
class ConsumerGaveUp extends Error {}

export interface KafkaConsumerSettings {
  sessionTimeout: number;
  heartbeatInterval: number;
  maxWaitTimeInMs: number;
  joinTimeoutMs: number;
  retryBackoffMs: number;
  maxRetryBackoffMs: number;
}

/**
 * One kafkajs consumer for one `subscribe`: manual commits after the handler resolves; when it
 * throws, the batch's offsets are neither resolved nor committed, so kafkajs' next fetch starts at the
 * same offset again (after a backoff that keeps heartbeating) and the batch is redelivered.
 */
export class KafkaSubscription<T extends TopicName> implements Subscription {
  /** The current consumer: one per join, replaced when kafkajs gives up on it. */
  private consumer: Consumer | undefined;
  private readonly schemaVersion: string;
  private readonly failures = new Map<number, number>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: SubscribeOptions<T>,
    private readonly handler: BatchHandler<T>,
    private readonly settings: KafkaConsumerSettings,
    private readonly counters: BusStats,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onClosed: (s: KafkaSubscription<T>) => void,
  ) {
    this.schemaVersion = schemaVersionOf(options.topic);
  }

  /**
   * Resolves once the consumer has joined its group and fetched once (so its start offsets are fixed).
   * kafkajs does not restart a consumer after a non-retriable error; librdkafka's mock answers
   * INVALID_REQUEST to a follower whose SyncGroup comes after the leader's, so any join or rebalance
   * with two members can end that way. Such a consumer is replaced by a new one (a new group member):
   * up to START_ATTEMPTS times while starting, then for as long as the subscription is open.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startOnce();
        return;
      } catch (err) {
        if (!(err instanceof ConsumerGaveUp) || attempt >= START_ATTEMPTS || this.closing) {
          await this.close();
          throw err;
        }
        this.logger.warn({ err: err.cause, attempt }, 'kafka consumer gave up while joining; joining again');
        await this.backoff(attempt);
      }
    }
  }

  close(): Promise<void> {
    this.closing ??= (this.consumer?.disconnect() ?? Promise.resolve())
      .catch((err: unknown) => this.logger.warn({ err }, 'kafka consumer disconnect failed'))
      .finally(() => this.onClosed(this));
    return this.closing;
  }

  private newConsumer(): Consumer {
    return this.kafka.consumer({
      groupId: kafkaGroupId(this.options.group, this.options.topic),
      sessionTimeout: this.settings.sessionTimeout,
      heartbeatInterval: this.settings.heartbeatInterval,
      maxWaitTimeInMs: this.settings.maxWaitTimeInMs,
      allowAutoTopicCreation: false,
    });
  }

  /** One consumer, from connect to its first fetch; afterwards a crash kafkajs gives up on replaces it. */
  private async startOnce(): Promise<void> {
    if (this.closing) throw new Error('kafka subscription closed');
    const consumer = (this.consumer = this.newConsumer());
    const ready = this.waitUntilReady(consumer);
    ready.catch(() => undefined); // observed below; avoid an unhandled rejection if connect throws first
    await consumer.connect();
    await consumer.subscribe({
      topics: [this.options.topic],
      fromBeginning: this.options.fromBeginning ?? false,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    await ready;
    consumer.on(consumer.events.CRASH, (e) => {
      if (e.payload.restart || this.closing || this.consumer !== consumer) return;
      this.logger.error({ err: e.payload.error }, 'kafka consumer gave up; replacing it');
      // Its connections stay open after a crash kafkajs does not restart from.
      void consumer.disconnect().catch(() => undefined);
      void this.replace();
    });
  }

  /** Starts new consumers, backing off, until one runs or the subscription closes. */
  private async replace(): Promise<void> {
    for (let attempt = 1; !this.closing; attempt++) {
      await this.backoff(attempt);
      try {
        await this.startOnce();
        return;
      } catch (err) {
        if (this.closing) return;
        this.logger.warn({ err, attempt }, 'replacing the kafka consumer failed; trying again');
        await this.consumer?.disconnect().catch(() => undefined);
      }
    }
  }

  private backoff(attempt: number): Promise<void> {
    const delay = retryDelayMs(attempt, this.settings.retryBackoffMs, this.settings.maxRetryBackoffMs);
    return new Promise<void>((resolve) => this.clock.setTimeout(resolve, delay));
  }

  private waitUntilReady(consumer: Consumer): Promise<void> {
    const { events } = consumer;
    return new Promise<void>((resolve, reject) => {
      let joined = false;
      const offs: (() => void)[] = [];
      const done = (err?: Error) => {
        timer.cancel();
        offs.forEach((off) => off());
        if (err) reject(err);
        else resolve();
      };
      const timer = this.clock.setTimeout(
        () =>
          done(
            new Error(
              `kafka: group '${this.options.group}' did not join topic ${this.options.topic} within ${this.settings.joinTimeoutMs} ms`,
            ),
          ),
        this.settings.joinTimeoutMs,
      );
      offs.push(
        consumer.on(events.GROUP_JOIN, (e) => {
          joined = true;
          this.logger.info(
            { memberId: e.payload.memberId, assignment: e.payload.memberAssignment },
            'kafka consumer joined group',
          );
        }),
        consumer.on(events.FETCH, () => {
          if (joined) done();
        }),
        consumer.on(events.CRASH, (e) => {
          this.logger.error({ err: e.payload.error, restart: e.payload.restart }, 'kafka consumer crashed');
          if (!e.payload.restart) done(new ConsumerGaveUp(`kafka consumer crashed: ${e.payload.error.message}`, { cause: e.payload.error }));
        }),
      );
    });
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const { partition } = batch;
    const deliveries: Delivery<T>[] = [];
    for (const m of batch.messages) {
      const d = this.decode(partition, m);
      if (d) deliveries.push(d);
    }
    if (deliveries.length > 0) {
      try {
        await this.handler(deliveries);
      } catch (err) {
        this.counters.handlerErrors++;
        const attempt = (this.failures.get(partition) ?? 0) + 1;
        this.failures.set(partition, attempt);
        const delay = retryDelayMs(attempt, this.settings.retryBackoffMs, this.settings.maxRetryBackoffMs);
        this.logger.warn(
          {
            err,
            group: this.options.group,
            partition,
            offset: batch.firstOffset(),
            count: deliveries.length,
            attempt,
            retryInMs: delay,
          },
          'bus handler failed; batch will be redelivered',
        );
        await this.pause(delay, heartbeat, isRunning);
        return; // nothing resolved: the next fetch starts at this batch again
      }
    }
    this.failures.delete(partition);
    const last = batch.messages[batch.messages.length - 1]!.offset;
    resolveOffset(last);
    this.counters.consumed += deliveries.length;
    const next = (BigInt(last) + 1n).toString();
    await commitOffsetsIfNecessary({
      topics: [{ topic: this.options.topic, partitions: [{ partition, offset: next }] }],
    });
    await heartbeat();
  }

  /** Waits before a redelivery while heartbeating, so the group does not evict this member. */
  private async pause(ms: number, heartbeat: () => Promise<void>, isRunning: () => boolean): Promise<void> {
    const until = this.clock.now() + ms;
    while (isRunning()) {
      const left = until - this.clock.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) =>
        this.clock.setTimeout(resolve, Math.min(left, this.settings.heartbeatInterval)),
      );
      await heartbeat();
    }
  }

  private decode(partition: number, m: KafkaMessage): Delivery<T> | undefined {
    const topic = this.options.topic;
    const headers = headersToStrings(m.headers);
    const version = headers[SCHEMA_VERSION_HEADER];
    let problem: string | undefined;
    let value: Delivery<T>['value'] | undefined;
    if (version !== undefined && version !== this.schemaVersion)
      problem = `schema version '${version}', expected '${this.schemaVersion}'`;
    else if (!m.value) problem = 'empty value';
    else {
      try {
        value = decodeMessage(topic, m.value);
      } catch (err) {
        problem = err instanceof Error ? err.message : String(err);
      }
    }
    if (problem !== undefined || value === undefined) {
      const n = ++this.counters.decodeErrors;
      // Counted always; logged for the first few and then every 1000th so garbage cannot flood the log.
      if (n <= 10 || n % 1000 === 0) {
        this.logger.warn(
          { topic, group: this.options.group, partition, offset: m.offset, problem, decodeErrors: n },
          'skipping undecodable bus message',
        );
      }
      return undefined;
    }
    return { topic, key: m.key ? m.key.toString('utf8') : '', value, partition, offset: m.offset, headers };
  }
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [k, v] of Object.entries(headers)) {
    const one = Array.isArray(v) ? v[v.length - 1] : v;
    if (one !== undefined) out[k] = one.toString();
  }
  return out;
}

/**
 * The Kafka consumer group of a bus subscription. A bus group is per topic: one service may follow several
 * topics under one group name, each with its own consumer. Kafka members of one group must subscribe to the
 * same topics (the assignors hand every member partitions of every topic), so each topic gets its own group.
 */
export function kafkaGroupId(group: string, topic: string): string {
  return `${group}.${topic}`;
}

import { randomUUID } from 'node:crypto';
import { schemaVersionOf, SCHEMA_VERSION_HEADER, type TopicName } from '@pricelevel/contracts';
import { systemClock, type Clock, type TimerHandle } from '../clock/clock.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type {
  BatchHandler,
  Bus,
  BusStats,
  Delivery,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
} from './bus.js';
import { PartitionLog } from './partition-log.js';
import { partitionForKey } from './partitioner.js';
import { retryDelayMs } from './retry-backoff.js';
import { assertOutgoing, assertTopic } from './topic-check.js';

export interface MemoryBusOptions {
  /** Partitions per topic (default 6, as on Kafka). */
  partitions?: number;
  /** Per-topic override of `partitions`. */
  topicPartitions?: Partial<Record<TopicName, number>>;
  /** Most messages handed to a handler at once (default 500). */
  maxBatch?: number;
  /** Unconsumed messages a partition may hold for its slowest active group before publish waits (default 10 000). */
  maxBacklog?: number;
  /** Consumed messages kept per partition for `fromBeginning` (default 10 000). */
  retention?: number;
  /** First redelivery delay after a handler throws; doubles per failure up to maxRetryBackoffMs (defaults 100, 5000). */
  retryBackoffMs?: number;
  maxRetryBackoffMs?: number;
  clock?: Clock;
  logger?: Logger;
}

interface Member {
  handler: BatchHandler<TopicName>;
  closed: boolean;
  running: boolean;
  /** Round-robin start so one busy partition cannot starve the member's others. */
  cursor: number;
  idle?: () => void;
}

interface Group {
  name: string;
  topic: TopicState;
  /** Next offset to deliver, per partition (the "committed" offset). */
  committed: number[];
  inFlight: boolean[];
  failures: number[];
  retryTimers: (TimerHandle | undefined)[];
  members: Member[];
}

interface TopicState {
  name: TopicName;
  logs: PartitionLog[];
  groups: Map<string, Group>;
  /** Publishes to a topic run one after another, so a waiting publish cannot be overtaken. */
  publishTail: Promise<void>;
}

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * In-process bus with Kafka's semantics: keyed partitions (same hash as Kafka's default partitioner),
 * consumer groups with partitions split between members, one batch per partition in order,
 * commit only after the handler resolves, redelivery with backoff after it throws, bounded memory
 * via backpressure on publish. Values are passed by reference (no serialization): do not mutate them.
 */
export class MemoryBus implements Bus {
  readonly logName = `memory-${randomUUID()}`;
  private readonly topics = new Map<TopicName, TopicState>();
  private readonly waiters: (() => boolean)[] = [];
  private readonly counters: BusStats = { published: 0, consumed: 0, decodeErrors: 0, handlerErrors: 0 };
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxBatch: number;
  private readonly maxBacklog: number;
  private readonly retention: number;
  private readonly retryBackoffMs: number;
  private readonly maxRetryBackoffMs: number;
  private closed = false;

  constructor(private readonly options: MemoryBusOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ component: 'memory-bus' });
    this.maxBatch = positive(options.maxBatch ?? 500, 'maxBatch');
    this.maxBacklog = positive(options.maxBacklog ?? 10_000, 'maxBacklog');
    this.retention = Math.max(0, options.retention ?? 10_000);
    this.retryBackoffMs = Math.max(0, options.retryBackoffMs ?? 100);
    this.maxRetryBackoffMs = Math.max(this.retryBackoffMs, options.maxRetryBackoffMs ?? 5_000);
    positive(options.partitions ?? 6, 'partitions');
  }

  /** Creates topics that do not exist yet with `partitions` partitions (existing ones are kept). */
  async ensureTopics(topics: readonly TopicName[], partitions?: number): Promise<void> {
    for (const name of topics) {
      assertTopic(name);
      if (!this.topics.has(name)) this.createTopic(name, partitions);
    }
  }

  async publish<T extends TopicName>(topic: T, messages: OutgoingMessage<T>[]): Promise<void> {
    this.assertOpen();
    assertTopic(topic);
    assertOutgoing(topic, messages);
    const state = this.topic(topic);
    const run = state.publishTail.then(() => this.append(state, messages));
    state.publishTail = run.catch(() => undefined);
    return run;
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
    const state = this.topic(options.topic);
    let group = state.groups.get(options.group);
    if (!group) {
      // A new group starts at the oldest retained message or at the end; an existing one resumes where it committed.
      const committed = state.logs.map((log) => (options.fromBeginning ? log.start : log.end));
      group = {
        name: options.group,
        topic: state,
        committed,
        inFlight: committed.map(() => false),
        failures: committed.map(() => 0),
        retryTimers: committed.map(() => undefined),
        members: [],
      };
      state.groups.set(options.group, group);
    }
    const member: Member = {
      handler: handler as unknown as BatchHandler<TopicName>,
      closed: false,
      running: false,
      cursor: 0,
    };
    group.members.push(member);
    this.kickGroup(group);
    this.notify();
    const joined = group;
    return { close: () => this.leave(joined, member) };
  }

  /** Resolves when everything published before the call has been handled by every current subscription. */
  async flush(): Promise<void> {
    await Promise.all([...this.topics.values()].map((t) => t.publishTail));
    const targets: { group: Group; partition: number; end: number }[] = [];
    for (const state of this.topics.values()) {
      for (const group of state.groups.values()) {
        if (group.members.length === 0) continue;
        state.logs.forEach((log, partition) => targets.push({ group, partition, end: log.end }));
      }
    }
    await this.until(
      () =>
        this.closed ||
        targets.every((x) => x.group.members.length === 0 || x.group.committed[x.partition]! >= x.end),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const leaving: Promise<void>[] = [];
    for (const state of this.topics.values()) {
      for (const group of state.groups.values()) {
        group.retryTimers.forEach((t) => t?.cancel());
        group.retryTimers.fill(undefined);
        for (const member of [...group.members]) leaving.push(this.leave(group, member));
      }
    }
    this.notify();
    await Promise.all(leaving);
  }

  stats(): BusStats {
    return { ...this.counters };
  }

  private async append(state: TopicState, messages: readonly OutgoingMessage<TopicName>[]): Promise<void> {
    for (const m of messages) {
      this.assertOpen();
      const partition = partitionForKey(m.key, state.logs.length);
      if (this.backlog(state, partition) >= this.maxBacklog) {
        // Backpressure: wait for the slowest active group instead of growing without bound or dropping.
        await this.until(() => this.closed || this.backlog(state, partition) < this.maxBacklog);
        this.assertOpen();
      }
      // Same headers a Kafka consumer would see.
      state.logs[partition]!.append(m.key, m.value, {
        ...m.headers,
        [SCHEMA_VERSION_HEADER]: schemaVersionOf(state.name),
      });
      this.counters.published++;
      this.trim(state, partition);
      for (const group of state.groups.values()) this.kickGroup(group);
    }
  }

  private async leave(group: Group, member: Member): Promise<void> {
    if (!member.closed) {
      member.closed = true;
      group.members = group.members.filter((m) => m !== member);
      this.kickGroup(group); // its partitions move to the remaining members
      this.notify();
    }
    if (member.running) await new Promise<void>((resolve) => (member.idle = resolve));
  }

  private kickGroup(group: Group): void {
    for (const member of group.members) this.kick(group, member);
  }

  private kick(group: Group, member: Member): void {
    if (member.running || member.closed || this.closed) return;
    member.running = true;
    void this.run(group, member);
  }

  /** One batch at a time per member (like a kafkajs consumer), partitions taken round-robin. */
  private async run(group: Group, member: Member): Promise<void> {
    try {
      for (;;) {
        await yieldToIo(); // lets a publish finish appending so batches fill up, and keeps I/O flowing
        if (member.closed || this.closed) break;
        const partition = this.nextPartition(group, member);
        if (partition === undefined) break;
        await this.deliver(group, member, partition);
      }
    } finally {
      member.running = false;
      member.idle?.();
    }
  }

  private nextPartition(group: Group, member: Member): number | undefined {
    const logs = group.topic.logs;
    const count = logs.length;
    for (let i = 0; i < count; i++) {
      const p = (member.cursor + i) % count;
      if (group.members[p % group.members.length] !== member) continue;
      if (group.inFlight[p] || group.retryTimers[p] || group.committed[p]! >= logs[p]!.end) continue;
      member.cursor = p + 1;
      return p;
    }
    return undefined;
  }

  private async deliver(group: Group, member: Member, partition: number): Promise<void> {
    const state = group.topic;
    const log = state.logs[partition]!;
    let from = group.committed[partition]!;
    if (from < log.start) {
      // Only possible for a group that had no members while retention moved on: say so, loudly.
      this.logger.warn(
        { topic: state.name, group: group.name, partition, lost: log.start - from },
        'messages expired before this group consumed them',
      );
      from = log.start;
      group.committed[partition] = from;
    }
    const entries = log.read(from, this.maxBatch);
    if (entries.length === 0) return;
    const batch: Delivery<TopicName>[] = entries.map((e) => ({
      topic: state.name,
      key: e.key,
      value: e.value as Delivery<TopicName>['value'],
      partition,
      offset: String(e.offset),
      headers: { ...e.headers },
    }));
    group.inFlight[partition] = true;
    try {
      await member.handler(batch);
      group.committed[partition] = Math.max(group.committed[partition]!, from + entries.length);
      group.failures[partition] = 0;
      this.counters.consumed += entries.length;
      this.trim(state, partition);
    } catch (err) {
      this.counters.handlerErrors++;
      const attempt = ++group.failures[partition]!;
      const delay = retryDelayMs(attempt, this.retryBackoffMs, this.maxRetryBackoffMs);
      this.logger.warn(
        {
          err,
          topic: state.name,
          group: group.name,
          partition,
          offset: from,
          count: entries.length,
          attempt,
          retryInMs: delay,
        },
        'bus handler failed; batch will be redelivered',
      );
      if (!this.closed) {
        group.retryTimers[partition] = this.clock.setTimeout(() => {
          group.retryTimers[partition] = undefined;
          this.kickGroup(group);
        }, delay);
      }
    } finally {
      group.inFlight[partition] = false;
      this.kickGroup(group); // after a rebalance the partition may belong to another member now
      this.notify();
    }
  }

  /** Unconsumed messages of a partition for its slowest group that has members. */
  private backlog(state: TopicState, partition: number): number {
    const floor = this.activeFloor(state, partition);
    return floor === undefined ? 0 : state.logs[partition]!.end - floor;
  }

  private activeFloor(state: TopicState, partition: number): number | undefined {
    let floor: number | undefined;
    for (const group of state.groups.values()) {
      if (group.members.length === 0) continue;
      const c = group.committed[partition]!;
      if (floor === undefined || c < floor) floor = c;
    }
    return floor;
  }

  /** Keeps at most `retention` messages that every active group has consumed. */
  private trim(state: TopicState, partition: number): void {
    const log = state.logs[partition]!;
    if (log.size <= this.retention) return;
    const floor = this.activeFloor(state, partition) ?? log.end;
    log.trimTo(Math.min(floor, log.end - this.retention));
  }

  private until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(() => {
        if (!done()) return false;
        resolve();
        return true;
      });
    });
  }

  private notify(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!()) this.waiters.splice(i, 1);
    }
  }

  private topic(name: TopicName): TopicState {
    return this.topics.get(name) ?? this.createTopic(name);
  }

  private createTopic(name: TopicName, partitions?: number): TopicState {
    const count = positive(
      partitions ?? this.options.topicPartitions?.[name] ?? this.options.partitions ?? 6,
      'partitions',
    );
    const state: TopicState = {
      name,
      logs: Array.from({ length: count }, () => new PartitionLog()),
      groups: new Map(),
      publishTail: Promise.resolve(),
    };
    this.topics.set(name, state);
    return state;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MemoryBus is closed');
  }
}

function positive(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`MemoryBus: ${what} must be a positive integer, got ${n}`);
  return n;
}

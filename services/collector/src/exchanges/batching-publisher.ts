import type { TopicMessage, TopicName } from '@pricelevel/contracts';
import type { Bus, Logger, OutgoingMessage } from '@pricelevel/platform';
import type { Counters } from './counters.js';

/**
 * Collects messages produced while handling frames and hands them to the bus in one publish per
 * topic, one batch after another: per-key order is kept (publishes never overlap) and a busy
 * socket costs one bus call per batch, not per event. Bounded: beyond `maxPending` messages the
 * newest are dropped, counted and logged, never buffered without limit.
 */
export class BatchingPublisher {
  private pending = new Map<TopicName, OutgoingMessage<TopicName>[]>();
  /** Pushed but not yet handed to the bus (pending + in the publish chain). */
  private queued = 0;
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private lastDropLog = 0;

  constructor(
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly counters: Counters,
    private readonly maxPending = 200_000,
  ) {}

  push<T extends TopicName>(topic: T, key: string, value: TopicMessage<T>): void {
    if (this.queued >= this.maxPending) {
      this.counters.inc('publishDropped');
      const dropped = this.counters.get('publishDropped');
      if (dropped - this.lastDropLog >= 1000 || this.lastDropLog === 0) {
        this.lastDropLog = dropped;
        this.logger.error({ topic, dropped }, 'bus is not keeping up: dropping messages');
      }
      return;
    }
    let list = this.pending.get(topic);
    if (!list) {
      list = [];
      this.pending.set(topic, list);
    }
    list.push({ key, value } as OutgoingMessage<TopicName>);
    this.queued++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flushPending());
    }
  }

  /** Resolves when everything pushed so far has been published (or has failed and been counted). */
  async flush(): Promise<void> {
    if (this.scheduled) this.flushPending();
    await this.chain;
  }

  private flushPending(): void {
    if (!this.scheduled) return;
    this.scheduled = false;
    const batches = this.pending;
    this.pending = new Map();
    this.chain = this.chain.then(async () => {
      for (const [topic, messages] of batches) {
        try {
          await this.bus.publish(topic, messages);
          this.counters.inc('published', messages.length);
        } catch (err) {
          this.counters.inc('publishErrors', messages.length);
          this.logger.error({ topic, count: messages.length, err: String(err) }, 'bus publish failed');
        }
        this.queued -= messages.length;
      }
    });
  }
}

import type { TopicName } from '@pricelevel/contracts';
import type { BatchHandler, Bus, OutgoingMessage, SubscribeOptions, Subscription } from '@pricelevel/platform';

/**
 * Minimal Bus double: every group gets every message; `publish` resolves after the handlers ran, so a
 * test knows the gateway has fanned the message out once it returns.
 */
export class TestBus implements Bus {
  readonly subscriptions: { topic: TopicName; group: string; handler: BatchHandler<TopicName>; open: boolean }[] = [];
  readonly logName = `test-${Math.random().toString(36).slice(2)}`;
  /** One partition per topic, its offsets growing like a log's. */
  private readonly next = new Map<TopicName, number>();

  async publish<T extends TopicName>(topic: T, messages: OutgoingMessage<T>[]): Promise<void> {
    const first = this.next.get(topic) ?? 0;
    this.next.set(topic, first + messages.length);
    for (const sub of this.subscriptions) {
      if (!sub.open || sub.topic !== topic) continue;
      const batch = messages.map((m, i) => ({ topic, key: m.key, value: m.value, partition: 0, offset: String(first + i), headers: m.headers ?? {} }));
      await (sub.handler as BatchHandler<T>)(batch);
    }
  }

  /** Delivers `messages` again at the log positions from `first` on (a redelivery after a failure or a rebalance). */
  async redeliver<T extends TopicName>(topic: T, first: number, messages: OutgoingMessage<T>[]): Promise<void> {
    for (const sub of this.subscriptions) {
      if (!sub.open || sub.topic !== topic) continue;
      const batch = messages.map((m, i) => ({ topic, key: m.key, value: m.value, partition: 0, offset: String(first + i), headers: m.headers ?? {} }));
      await (sub.handler as BatchHandler<T>)(batch);
    }
  }

  async subscribe<T extends TopicName>(options: SubscribeOptions<T>, handler: BatchHandler<T>): Promise<Subscription> {
    const sub = { topic: options.topic as TopicName, group: options.group, handler: handler as unknown as BatchHandler<TopicName>, open: true };
    this.subscriptions.push(sub);
    return {
      close: async () => {
        sub.open = false;
      },
    };
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

import type { TopicName } from '@pricelevel/contracts';
import type { BatchHandler, Bus, OutgoingMessage, SubscribeOptions, Subscription } from '@pricelevel/platform';

/**
 * Minimal Bus double: every group gets every message; `publish` resolves after the handlers ran, so a
 * test knows the gateway has fanned the message out once it returns.
 */
export class TestBus implements Bus {
  readonly subscriptions: { topic: TopicName; group: string; handler: BatchHandler<TopicName>; open: boolean }[] = [];

  async publish<T extends TopicName>(topic: T, messages: OutgoingMessage<T>[]): Promise<void> {
    for (const sub of this.subscriptions) {
      if (!sub.open || sub.topic !== topic) continue;
      const batch = messages.map((m, i) => ({ topic, key: m.key, value: m.value, partition: 0, offset: String(i), headers: m.headers ?? {} }));
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

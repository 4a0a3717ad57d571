import type { TopicMessage, TopicName } from '@pricelevel/contracts';
import type { Bus, OutgoingMessage, Subscription } from '@pricelevel/platform';

/** Unit-test Bus double: records every published message in order. */
export class RecordingBus implements Bus {
  readonly published: { topic: TopicName; key: string; value: unknown }[] = [];
  publishCalls = 0;
  failNext = 0;

  async publish<T extends TopicName>(topic: T, messages: OutgoingMessage<T>[]): Promise<void> {
    this.publishCalls++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('bus unavailable');
    }
    for (const m of messages) this.published.push({ topic, key: m.key, value: m.value });
  }

  of<T extends TopicName>(topic: T): { key: string; value: TopicMessage<T> }[] {
    return this.published.filter((p) => p.topic === topic) as { key: string; value: TopicMessage<T> }[];
  }

  async subscribe(): Promise<Subscription> {
    throw new Error('RecordingBus does not deliver');
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

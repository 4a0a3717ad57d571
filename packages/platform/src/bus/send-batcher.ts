import type { Clock, TimerHandle } from '../clock/clock.js';

interface Pending<M> {
  messages: M[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface TopicQueue<M> {
  pending: Pending<M>[];
  count: number;
  timer: TimerHandle | undefined;
  /** A drain loop is running: one send in flight per topic keeps per-key order. Cleared synchronously
   * when the loop sees an empty queue, so a message added right after is never stranded. */
  active: boolean;
  draining: Promise<void>;
}

export interface SendBatcherOptions {
  /** How long a lone message waits for company before it is sent. */
  lingerMs: number;
  /** Send as soon as this many messages are queued for a topic. */
  maxMessages: number;
  clock: Clock;
}

/**
 * Producer-side batching, free of Kafka: queues messages per topic and calls `send` with up to
 * `maxMessages` of them after `lingerMs` (or at once when full). Each `add` resolves when the send that
 * carried its messages succeeded, or rejects with its error. While a send is in flight the next batch
 * accumulates, so a busy topic sends back-to-back without waiting for the linger timer.
 */
export class SendBatcher<M> {
  private readonly queues = new Map<string, TopicQueue<M>>();

  constructor(
    private readonly send: (topic: string, messages: M[]) => Promise<void>,
    private readonly options: SendBatcherOptions,
  ) {}

  add(topic: string, messages: M[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const q = this.queue(topic);
    return new Promise<void>((resolve, reject) => {
      q.pending.push({ messages, resolve, reject });
      q.count += messages.length;
      if (q.active) return; // the running loop picks it up
      if (q.count >= this.options.maxMessages) this.start(topic, q);
      else q.timer ??= this.options.clock.setTimeout(() => this.start(topic, q), this.options.lingerMs);
    });
  }

  /** Sends everything queued now and resolves when all of it has settled. */
  async flush(): Promise<void> {
    const running: Promise<void>[] = [];
    for (const [topic, q] of this.queues) {
      if (q.pending.length > 0) this.start(topic, q);
      if (q.active) running.push(q.draining);
    }
    await Promise.all(running);
  }

  /** Messages waiting or in flight. */
  get queued(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.count;
    return n;
  }

  private queue(topic: string): TopicQueue<M> {
    let q = this.queues.get(topic);
    if (!q) {
      q = { pending: [], count: 0, timer: undefined, active: false, draining: Promise.resolve() };
      this.queues.set(topic, q);
    }
    return q;
  }

  private start(topic: string, q: TopicQueue<M>): void {
    q.timer?.cancel();
    q.timer = undefined;
    if (q.active) return;
    q.active = true;
    q.draining = this.drain(topic, q);
  }

  private async drain(topic: string, q: TopicQueue<M>): Promise<void> {
    await Promise.resolve(); // q.draining is assigned before the loop can finish
    for (;;) {
      if (q.pending.length === 0) {
        q.active = false; // synchronously with the emptiness check: nothing can slip in between
        return;
      }
      const taken: Pending<M>[] = [];
      const messages: M[] = [];
      while (q.pending.length > 0 && messages.length < this.options.maxMessages) {
        const p = q.pending.shift()!;
        taken.push(p);
        for (const m of p.messages) messages.push(m);
      }
      let error: unknown;
      let failed = false;
      try {
        await this.send(topic, messages);
      } catch (err) {
        failed = true;
        error = err;
      }
      q.count -= messages.length;
      for (const p of taken) {
        if (failed) p.reject(error);
        else p.resolve();
      }
    }
  }
}

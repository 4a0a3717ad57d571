import { systemClock, type Clock } from '../clock/clock.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { Cache, NumberedMessage } from './cache.js';
import { checkKey, checkNumbered, checkTtl, checkValue, isPastMark } from './cache-checks.js';

export interface MemoryCacheOptions {
  clock?: Clock;
  logger?: Logger;
}

type Listener = (message: string) => void;

/**
 * In-process cache with Redis-like behaviour: TTL measured on the injected clock (expired keys vanish
 * on read and in periodic sweeps), `set` without a TTL clears an earlier one, and pub/sub delivers
 * asynchronously, in publish order, to every subscriber of the channel.
 */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, { value: string; expiresAt: number | undefined }>();
  /** publishNumbered's source marks: marks key → stream → "<offset>:<index>" (Redis: a hash). */
  private readonly marks = new Map<string, Map<string, string>>();
  private readonly channels = new Map<string, Set<Listener>>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private sweepAt = 1024;
  private closed = false;
  private listenerErrors = 0;

  constructor(options: MemoryCacheOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ component: 'memory-cache' });
  }

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    checkKey('get', key);
    return this.read(key);
  }

  private read(key: string): string | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt !== undefined && e.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.assertOpen();
    checkKey('set', key);
    checkValue('set', value);
    checkTtl(ttlMs);
    this.entries.set(key, { value, expiresAt: ttlMs === undefined ? undefined : this.clock.now() + ttlMs });
    if (this.entries.size >= this.sweepAt) this.sweep();
  }

  async del(key: string): Promise<void> {
    this.assertOpen();
    checkKey('del', key);
    this.entries.delete(key);
  }

  async publish(channel: string, message: string): Promise<void> {
    this.assertOpen();
    checkKey('publish', channel);
    checkValue('publish', message);
    const listeners = this.channels.get(channel);
    if (!listeners || listeners.size === 0) return;
    const targets = [...listeners];
    queueMicrotask(() => {
      for (const l of targets) if (listeners.has(l)) this.deliver(channel, l, message);
    });
  }

  async publishNumbered(messages: readonly NumberedMessage[]): Promise<number[]> {
    this.assertOpen();
    for (const m of messages) checkNumbered(m);
    for (const { counterKey } of messages) {
      const held = this.read(counterKey);
      if (held !== undefined && !Number.isSafeInteger(Number(held))) throw new Error(`cache publishNumbered: ${counterKey} does not hold an integer`);
    }
    // Synchronous from read to publish: concurrent calls cannot share a number or reach subscribers out of order.
    return messages.map(({ channel, counterKey, message, latestKey, source }) => {
      if (source !== undefined) {
        const marks = this.marks.get(source.marksKey) ?? new Map<string, string>();
        if (!isPastMark(marks.get(source.stream), source.offset, source.index)) return 0;
        marks.set(source.stream, `${source.offset}:${source.index}`);
        this.marks.set(source.marksKey, marks);
      }
      const n = Number(this.read(counterKey) ?? 0) + 1;
      const text = `${n} ${message}`;
      this.entries.set(counterKey, { value: String(n), expiresAt: undefined });
      if (latestKey !== undefined) this.entries.set(latestKey, { value: text, expiresAt: undefined });
      void this.publish(channel, text);
      return n;
    });
  }

  async setIfAbsent(key: string, value: string): Promise<boolean> {
    this.assertOpen();
    checkKey('setIfAbsent', key);
    checkValue('setIfAbsent', value);
    if (this.read(key) !== undefined) return false;
    this.entries.set(key, { value, expiresAt: undefined });
    return true;
  }

  async subscribe(channel: string, onMessage: Listener): Promise<{ close(): Promise<void> }> {
    this.assertOpen();
    checkKey('subscribe', channel);
    if (typeof onMessage !== 'function') throw new TypeError('cache subscribe: onMessage must be a function');
    let listeners = this.channels.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.channels.set(channel, listeners);
    }
    // A wrapper per subscription, so subscribing the same function twice gives two independent subscriptions.
    const listener: Listener = (m) => onMessage(m);
    listeners.add(listener);
    return {
      close: async () => {
        listeners.delete(listener);
        if (listeners.size === 0 && this.channels.get(channel) === listeners) this.channels.delete(channel);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
    this.entries.clear();
  }

  /** Entries held, including expired ones not swept yet. */
  get size(): number {
    return this.entries.size;
  }

  /** Listener exceptions caught so far (each is logged). */
  get errors(): number {
    return this.listenerErrors;
  }

  private deliver(channel: string, listener: Listener, message: string): void {
    try {
      listener(message);
    } catch (err) {
      this.listenerErrors++;
      this.logger.warn({ err, channel }, 'cache subscriber threw; message skipped for it');
    }
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries)
      if (e.expiresAt !== undefined && e.expiresAt <= now) this.entries.delete(k);
    this.sweepAt = Math.max(1024, this.entries.size * 2);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MemoryCache is closed');
  }
}

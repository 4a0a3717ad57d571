import { Redis, type RedisOptions } from 'ioredis';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { Cache, NumberedMessage } from './cache.js';
import { checkKey, checkNumbered, checkTtl, checkValue } from './cache-checks.js';

export interface RedisCacheConfig {
  /** e.g. redis://127.0.0.1:6379/0 */
  url: string;
  logger?: Logger;
  /** Extra ioredis options (timeouts, TLS, retry strategy). */
  options?: RedisOptions;
}

type Listener = (message: string) => void;

/** KEYS: counter[, latest]; ARGV: channel, message. One script, so no other client runs in between. */
// Per message m (from 0): KEYS[3m+1..3m+3] = counter, latest, source marks; ARGV[6m+1..6m+6] = channel,
// text, '1' to store the latest, stream ('' for no source), offset, index. One script: all or none.
// Offsets are compared as numbers: exact up to 2^53, far beyond any partition's.
const PUBLISH_NUMBERED = `
local out = {}
for m = 0, #KEYS / 3 - 1 do
  local k, a = m * 3, m * 6
  local skip = false
  if ARGV[a + 4] ~= '' then
    local held = redis.call('HGET', KEYS[k + 3], ARGV[a + 4])
    local offset, index = tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6])
    if held then
      local o, i = string.match(held, '^(%d+):(%d+)$')
      o, i = tonumber(o), tonumber(i)
      skip = offset < o or (offset == o and index <= i)
    end
    if not skip then
      redis.call('HSET', KEYS[k + 3], ARGV[a + 4], ARGV[a + 5] .. ':' .. ARGV[a + 6])
      -- Streams that stopped (an in-memory bus's earlier runs) leave marks: the hash lives a day past its last write.
      redis.call('PEXPIRE', KEYS[k + 3], 86400000)
    end
  end
  if skip then
    out[m + 1] = 0
  else
    local n = redis.call('INCR', KEYS[k + 1])
    local text = n .. ' ' .. ARGV[a + 2]
    if ARGV[a + 3] == '1' then redis.call('SET', KEYS[k + 2], text) end
    redis.call('PUBLISH', ARGV[a + 1], text)
    out[m + 1] = n
  end
end
return out`;

/**
 * Cache over Redis (ioredis). Commands use one connection; pub/sub a second one (a subscribed Redis
 * connection can do nothing else), opened on the first subscribe. A channel is SUBSCRIBEd once however
 * many local listeners it has, and UNSUBSCRIBEd when the last one closes.
 */
export class RedisCache implements Cache {
  private readonly client: Redis;
  private subscriber: Redis | undefined;
  private readonly channels = new Map<string, Set<Listener>>();
  private readonly logger: Logger;
  private closing: Promise<void> | undefined;
  private listenerErrors = 0;

  constructor(config: RedisCacheConfig) {
    this.logger = (config.logger ?? silentLogger).child({ component: 'redis-cache' });
    this.client = new Redis(config.url, { maxRetriesPerRequest: 3, ...config.options });
    this.watch(this.client, 'commands');
  }

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    checkKey('get', key);
    return (await this.client.get(key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.assertOpen();
    checkKey('set', key);
    checkValue('set', value);
    checkTtl(ttlMs);
    if (ttlMs === undefined) await this.client.set(key, value);
    else await this.client.set(key, value, 'PX', ttlMs);
  }

  async del(key: string): Promise<void> {
    this.assertOpen();
    checkKey('del', key);
    await this.client.del(key);
  }

  async publish(channel: string, message: string): Promise<void> {
    this.assertOpen();
    checkKey('publish', channel);
    checkValue('publish', message);
    await this.client.publish(channel, message);
  }

  async publishNumbered(messages: readonly NumberedMessage[]): Promise<number[]> {
    this.assertOpen();
    if (messages.length === 0) return [];
    const keys: string[] = [];
    const args: string[] = [];
    for (const m of messages) {
      checkNumbered(m);
      const { channel, counterKey, message, latestKey, source } = m;
      keys.push(counterKey, latestKey ?? counterKey, source?.marksKey ?? counterKey);
      args.push(channel, message, latestKey === undefined ? '0' : '1', source?.stream ?? '', source?.offset ?? '0', String(source?.index ?? 0));
    }
    const out = (await this.client.eval(PUBLISH_NUMBERED, keys.length, ...keys, ...args)) as unknown[];
    return out.map(Number);
  }

  async setIfAbsent(key: string, value: string): Promise<boolean> {
    this.assertOpen();
    checkKey('setIfAbsent', key);
    checkValue('setIfAbsent', value);
    return (await this.client.set(key, value, 'NX')) === 'OK';
  }

  async subscribe(channel: string, onMessage: Listener): Promise<{ close(): Promise<void> }> {
    this.assertOpen();
    checkKey('subscribe', channel);
    if (typeof onMessage !== 'function') throw new TypeError('cache subscribe: onMessage must be a function');
    const sub = this.subscriberConnection();
    let listeners = this.channels.get(channel);
    const first = !listeners;
    if (!listeners) {
      listeners = new Set();
      this.channels.set(channel, listeners);
    }
    const listener: Listener = (m) => onMessage(m);
    listeners.add(listener);
    try {
      // Later subscribers to the same channel also wait for the SUBSCRIBE reply: commands on one connection run in order.
      if (first) await sub.subscribe(channel);
      else await sub.ping();
    } catch (err) {
      this.removeListener(channel, listeners, listener);
      throw err;
    }
    const set = listeners;
    return { close: async () => this.removeListener(channel, set, listener) };
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.channels.clear();
      const conns = [this.client, this.subscriber].filter((c): c is Redis => c !== undefined);
      await Promise.all(conns.map((c) => c.quit().catch(() => c.disconnect())));
    })();
    return this.closing;
  }

  /** Listener exceptions caught so far (each is logged). */
  get errors(): number {
    return this.listenerErrors;
  }

  private subscriberConnection(): Redis {
    if (!this.subscriber) {
      const sub = this.client.duplicate();
      this.watch(sub, 'subscriber');
      sub.on('message', (channel: string, message: string) => {
        const listeners = this.channels.get(channel);
        if (!listeners) return;
        for (const l of [...listeners]) {
          try {
            l(message);
          } catch (err) {
            this.listenerErrors++;
            this.logger.warn({ err, channel }, 'cache subscriber threw; message skipped for it');
          }
        }
      });
      this.subscriber = sub;
    }
    return this.subscriber;
  }

  private async removeListener(channel: string, listeners: Set<Listener>, listener: Listener): Promise<void> {
    if (!listeners.delete(listener) || listeners.size > 0) return;
    if (this.channels.get(channel) !== listeners) return;
    this.channels.delete(channel);
    // Issued synchronously, so a re-subscribe right after queues its SUBSCRIBE behind this UNSUBSCRIBE.
    if (!this.closing) await this.subscriber?.unsubscribe(channel);
  }

  private watch(conn: Redis, role: string): void {
    // ioredis reconnects by itself; without an 'error' listener it would print to the console instead.
    conn.on('error', (err: Error) => this.logger.warn({ err: err.message, role }, 'redis connection error'));
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('RedisCache is closed');
  }
}

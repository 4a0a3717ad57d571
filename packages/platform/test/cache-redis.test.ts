import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisTestServer, type RedisTestServer } from '../../../infra/redis-test-server/index.mjs';
import { RedisCache } from '../src/cache/redis-cache.js';
import { runCacheContract } from './cache.contract.js';

let server: RedisTestServer;
beforeAll(async () => {
  server = await startRedisTestServer();
});
afterAll(async () => {
  await server?.stop();
});

runCacheContract(
  'RedisCache on redis-server',
  async () => ({
    cache: new RedisCache({ url: server.url }),
    peer: async () => new RedisCache({ url: server.url }),
    dispose: async () => {},
  }),
  { crossClient: true },
);

describe('RedisCache specifics', () => {
  it('answers a readiness ping while Redis answers, and fails it when Redis is unreachable', async () => {
    const cache = new RedisCache({ url: server.url });
    await cache.ping();
    await cache.close();
    // Nothing listens on port 1: no retries, so the ping fails promptly.
    const nowhere = new RedisCache({ url: 'redis://127.0.0.1:1', options: { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true } });
    await expect(nowhere.ping()).rejects.toThrow();
    await nowhere.close();
  });

  it('stores with a millisecond ttl that Redis reports', async () => {
    const cache = new RedisCache({ url: server.url });
    await cache.set('ttl:key', 'v', 60_000);
    const { Redis } = await import('ioredis');
    const raw = new Redis(server.url);
    const pttl = await raw.pttl('ttl:key');
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
    await raw.quit();
    await cache.close();
  });

  it('unsubscribes a channel in Redis when its last local listener closes', async () => {
    const cache = new RedisCache({ url: server.url });
    const { Redis } = await import('ioredis');
    const raw = new Redis(server.url);
    const s1 = await cache.subscribe('fan:x', () => {});
    const s2 = await cache.subscribe('fan:x', () => {});
    expect(await raw.pubsub('NUMSUB', 'fan:x')).toEqual(['fan:x', 1]); // one SUBSCRIBE for two listeners
    await s1.close();
    expect(await raw.pubsub('NUMSUB', 'fan:x')).toEqual(['fan:x', 1]);
    await s2.close();
    expect(await raw.pubsub('NUMSUB', 'fan:x')).toEqual(['fan:x', 0]);
    await raw.quit();
    await cache.close();
  });
});

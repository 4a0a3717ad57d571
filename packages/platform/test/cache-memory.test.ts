import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../src/cache/memory-cache.js';
import { ManualClock } from '../src/clock/clock.js';
import { runCacheContract } from './cache.contract.js';

runCacheContract('MemoryCache', async () => ({ cache: new MemoryCache(), dispose: async () => {} }));

describe('MemoryCache specifics', () => {
  it('measures ttl on the injected clock', async () => {
    const clock = new ManualClock(1_000);
    const cache = new MemoryCache({ clock });
    await cache.set('k', 'v', 500);
    clock.advance(499);
    expect(await cache.get('k')).toBe('v');
    clock.advance(1);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('sweeps expired keys that are never read again', async () => {
    const clock = new ManualClock();
    const cache = new MemoryCache({ clock });
    for (let i = 0; i < 1_000; i++) await cache.set(`old${i}`, 'v', 10);
    clock.advance(10);
    for (let i = 0; i < 2_000; i++) await cache.set(`new${i}`, 'v');
    expect(cache.size).toBe(2_000); // the 1 000 expired ones are gone without being read
  });

  it('counts a throwing subscriber', async () => {
    const cache = new MemoryCache();
    await cache.subscribe('c', () => {
      throw new Error('bug');
    });
    await cache.publish('c', 'm');
    await new Promise((r) => setImmediate(r));
    expect(cache.errors).toBe(1);
  });
});

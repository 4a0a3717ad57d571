// One behavioural contract for every Cache adapter (memory, Redis).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cache } from '../src/cache/cache.js';

export interface CacheFixture {
  cache: Cache;
  /** A second client of the same backend (fan-out across processes), where the adapter has one. */
  peer?: () => Promise<Cache>;
  dispose(): Promise<void>;
}

async function waitFor(what: string, done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function runCacheContract(
  name: string,
  makeCache: () => Promise<CacheFixture>,
  options: { crossClient?: boolean } = {},
): void {
  describe(`Cache contract: ${name}`, () => {
    let fixture: CacheFixture;
    let cache: Cache;
    let n = 0;
    const key = (k: string) => `contract:${process.pid}:${++n}:${k}`;

    beforeEach(async () => {
      fixture = await makeCache();
      cache = fixture.cache;
    });
    afterEach(async () => {
      await cache.close();
      await fixture.dispose();
    });

    it('gets what was set, overwrites, deletes, and misses as undefined', async () => {
      const k = key('latest');
      expect(await cache.get(k)).toBeUndefined();
      await cache.set(k, '{"price":1}');
      expect(await cache.get(k)).toBe('{"price":1}');
      await cache.set(k, 'ünïcode ✓ and\nnewlines');
      expect(await cache.get(k)).toBe('ünïcode ✓ and\nnewlines');
      await cache.set(k, '');
      expect(await cache.get(k)).toBe('');
      await cache.del(k);
      expect(await cache.get(k)).toBeUndefined();
      await cache.del(k); // deleting a missing key is fine
    });

    it('expires a key after its ttl; a later set without ttl keeps it', async () => {
      const short = key('short');
      const long = key('long');
      const cleared = key('cleared');
      await cache.set(short, 'x', 30);
      await cache.set(long, 'y', 60_000);
      await cache.set(cleared, 'z', 30);
      await cache.set(cleared, 'z2');
      // Polls until the key is gone; the 5 s cap only stops a broken adapter from hanging the run.
      let gone = false;
      for (const deadline = Date.now() + 5_000; !gone && Date.now() < deadline;) {
        gone = (await cache.get(short)) === undefined;
        if (!gone) await new Promise((r) => setTimeout(r, 10));
      }
      expect(gone).toBe(true);
      expect(await cache.get(long)).toBe('y');
      expect(await cache.get(cleared)).toBe('z2');
    });

    it('fans a published message out to every subscriber of the channel, in order', async () => {
      const ch = key('chan');
      const otherCh = key('other');
      const a: string[] = [];
      const b: string[] = [];
      const other: string[] = [];
      await cache.subscribe(ch, (m) => a.push(m));
      const subB = await cache.subscribe(ch, (m) => b.push(m));
      await cache.subscribe(otherCh, (m) => other.push(m));
      for (let i = 0; i < 20; i++) await cache.publish(ch, `m${i}`);
      await waitFor('both subscribers', () => a.length >= 20 && b.length >= 20);
      const expected = Array.from({ length: 20 }, (_, i) => `m${i}`);
      expect(a).toEqual(expected);
      expect(b).toEqual(expected);

      await subB.close();
      await cache.publish(ch, 'after');
      await waitFor('the remaining subscriber', () => a.length >= 21);
      await cache.publish(otherCh, 'marker'); // published after 'after'; when it lands, 'after' has too
      await waitFor('marker', () => other.length >= 1);
      expect(b).toHaveLength(20);
      expect(a[20]).toBe('after');
    });

    it('keeps delivering to others when one subscriber throws', async () => {
      const ch = key('throwing');
      const got: string[] = [];
      await cache.subscribe(ch, () => {
        throw new Error('subscriber bug');
      });
      await cache.subscribe(ch, (m) => got.push(m));
      await cache.publish(ch, 'one');
      await cache.publish(ch, 'two');
      await waitFor('the healthy subscriber', () => got.length >= 2);
      expect(got).toEqual(['one', 'two']);
    });

    it('publishing to a channel nobody listens to is fine; resubscribing works', async () => {
      const ch = key('resub');
      await cache.publish(ch, 'into the void');
      const s1 = await cache.subscribe(ch, () => {});
      await s1.close();
      const got: string[] = [];
      await cache.subscribe(ch, (m) => got.push(m));
      await cache.publish(ch, 'back');
      await waitFor('resubscribed', () => got.length >= 1);
      expect(got).toEqual(['back']);
    });

    // Only for adapters with a shared backend (the in-memory cache is one process by definition).
    if (options.crossClient)
      it('reaches subscribers of another client of the same backend', async () => {
        if (!fixture.peer) throw new Error('crossClient needs fixture.peer');
        const peer = await fixture.peer();
        try {
          const ch = key('peer');
          const got: string[] = [];
          await peer.subscribe(ch, (m) => got.push(m));
          await cache.publish(ch, 'hello replica');
          await waitFor('the peer', () => got.length >= 1);
          expect(got).toEqual(['hello replica']);
          const k = key('shared');
          await cache.set(k, 'v');
          expect(await peer.get(k)).toBe('v');
        } finally {
          await peer.close();
        }
      });

    it('numbers published messages, stores the latest, and delivers them in number order', async () => {
      if (!cache.publishNumbered) throw new Error('adapter lacks publishNumbered');
      const ch = key('numbered');
      const counter = key('counter');
      const latest = key('latest');
      const got: string[] = [];
      await cache.subscribe(ch, (m) => got.push(m));
      // Concurrent calls: each gets its own number and subscribers see them ascending.
      const numbers = await Promise.all(['a', 'b c', 'd'].map((message) => cache.publishNumbered!([{ channel: ch, counterKey: counter, message, latestKey: latest }])));
      expect(numbers.flat().sort()).toEqual([1, 2, 3]);
      await waitFor('numbered messages', () => got.length >= 3);
      expect(got.map((m) => Number(m.split(' ')[0]))).toEqual([1, 2, 3]);
      expect(got.map((m) => m.slice(m.indexOf(' ') + 1)).sort()).toEqual(['a', 'b c', 'd']);
      expect(await cache.get(latest)).toBe(got[2]);
      expect(await cache.get(counter)).toBe('3');
      expect(await cache.publishNumbered([{ channel: ch, counterKey: counter, message: 'e' }])).toEqual([4]);
      expect(await cache.get(latest)).toBe(got[2]); // no latestKey: left alone
      // A list goes all or none: one bad message and nothing is published.
      await expect(cache.publishNumbered([{ channel: ch, counterKey: counter, message: 'f' }, { channel: '', counterKey: counter, message: 'g' }])).rejects.toThrow(/key/);
      expect(await cache.get(counter)).toBe('4');
      expect(await cache.publishNumbered([])).toEqual([]);
    });

    it('publishes a numbered message once per source position, whichever client retries it', async () => {
      if (!cache.publishNumbered) throw new Error('adapter lacks publishNumbered');
      const ch = key('sourced');
      const counter = key('sourced-counter');
      const marksKey = key('marks');
      const got: string[] = [];
      await cache.subscribe(ch, (m) => got.push(m));
      const at = (stream: string, offset: string, index: number) => ({ marksKey, stream, offset, index });
      const m = (message: string, source: ReturnType<typeof at>) => ({ channel: ch, counterKey: counter, message, source });
      const publish = (...list: ReturnType<typeof m>[]) => cache.publishNumbered!(list);
      expect(await publish(m('a', at('t:0', '7', 0)), m('b', at('t:0', '7', 1)))).toEqual([1, 2]);
      // A redelivery of the same positions, and an older one: nothing is published, 0 returned.
      expect(await publish(m('a', at('t:0', '7', 0)), m('b', at('t:0', '7', 1)), m('x', at('t:0', '6', 9)))).toEqual([0, 0, 0]);
      // Streams are independent; offsets compare as numbers (10 > 9), not as text.
      expect(await publish(m('c', at('t:1', '3', 0)), m('d', at('t:0', '9', 0)))).toEqual([3, 4]);
      expect(await publish(m('b', at('t:0', '7', 1)), m('e', at('t:0', '10', 0)))).toEqual([0, 5]);
      await waitFor('sourced messages', () => got.length >= 5);
      await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual(['1 a', '2 b', '3 c', '4 d', '5 e']);
      await expect(publish(m('f', at('t:0', '-1', 0)))).rejects.toThrow(/offset/);
      await expect(publish(m('f', at('', '1', 0)))).rejects.toThrow(/stream/);
    });

    it('sets a key only when it is absent', async () => {
      if (!cache.setIfAbsent) throw new Error('adapter lacks setIfAbsent');
      const k = key('once');
      expect(await cache.setIfAbsent(k, 'first')).toBe(true);
      expect(await cache.setIfAbsent(k, 'second')).toBe(false);
      expect(await cache.get(k)).toBe('first');
    });

    it('rejects bad arguments clearly and refuses work once closed', async () => {
      await expect(cache.set(key('ttl'), 'v', -5)).rejects.toThrow(/ttlMs/);
      await expect(cache.set(key('ttl'), 'v', 1.5)).rejects.toThrow(/ttlMs/);
      await expect(cache.set('', 'v')).rejects.toThrow(/key/);
      await expect(cache.set(key('val'), 42 as unknown as string)).rejects.toThrow(/value/);
      await cache.close();
      await cache.close(); // idempotent
      await expect(cache.get(key('x'))).rejects.toThrow(/closed/);
      await expect(cache.publish(key('x'), 'm')).rejects.toThrow(/closed/);
    });
  });
}

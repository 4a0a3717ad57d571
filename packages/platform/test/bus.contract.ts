// One behavioural contract for every Bus adapter (memory, Kafka). Each test gets a fresh bus (and,
// for Kafka, a fresh broker), so tests never see each other's messages.
import { SCHEMA_VERSION_HEADER, Side, Trade, type TopicName } from '@pricelevel/contracts';
import { describe, it, type ExpectStatic } from 'vitest';
import type { Bus, BusStats, Delivery, OutgoingMessage } from '../src/bus/bus.js';
import { partitionForKey } from '../src/bus/partitioner.js';

export interface BusFixture {
  bus: Bus & { stats?(): BusStats };
  dispose(): Promise<void>;
}

const TOPIC = 'md.trade.v1' as const;
type TradeDelivery = Delivery<typeof TOPIC>;

export function trade(key: string, seq: number): OutgoingMessage<typeof TOPIC> {
  return {
    key,
    value: Trade.fromPartial({
      exchange: 'test',
      market: 'spot',
      symbol: key,
      tradeId: String(seq),
      price: 100 + seq,
      size: 1,
      side: seq % 2 ? Side.SIDE_SELL : Side.SIDE_BUY,
      exchangeTs: 1_700_000_000_000 + seq,
      receivedTs: 1_700_000_000_001 + seq,
      tradeCount: 1,
    }),
  };
}

/** Records what a handler saw; `failWhen` makes the handler throw for a batch (before recording it). */
export class Recorder {
  readonly items: TradeDelivery[] = [];
  /** Every batch handed over, including those whose handler threw. */
  readonly seen: TradeDelivery[][] = [];
  failWhen: ((batch: TradeDelivery[]) => boolean) | undefined;

  readonly handler = async (batch: TradeDelivery[]): Promise<void> => {
    this.seen.push(batch);
    if (this.failWhen?.(batch)) throw new Error('handler failure injected by the test');
    this.items.push(...batch);
  };

  ids(): string[] {
    return this.items.map((d) => `${d.key}#${d.value.tradeId}`);
  }
}

export async function waitFor(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function bySeq(items: TradeDelivery[], key: string): number[] {
  return items.filter((d) => d.key === key).map((d) => Number(d.value.tradeId));
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export interface BusContractOptions {
  /** Run the cases in parallel (each has its own bus): the Kafka mock spends ~3 s idle per group join. */
  concurrent?: boolean;
}

export function runBusContract(
  name: string,
  makeBus: () => Promise<BusFixture>,
  options: BusContractOptions = {},
): void {
  describe(`Bus contract: ${name}`, () => {
    /** A case with a fresh bus, closed and disposed when the case ends (pass or fail). */
    const test = (title: string, body: (bus: BusFixture['bus'], expect: ExpectStatic) => Promise<void>) =>
      (options.concurrent ? it.concurrent : it)(title, async ({ expect, onTestFinished }) => {
        const fixture = await makeBus();
        onTestFinished(async () => {
          await fixture.bus.close();
          await fixture.dispose();
        });
        await body(fixture.bus, expect);
      });

    test('keeps the order of each key across many keys and concurrent publishes', async (bus, expect) => {
      const rec = new Recorder();
      await bus.subscribe({ topic: TOPIC, group: 'order', fromBeginning: true }, rec.handler);
      const keys = range(30).map((i) => `test:spot:K${i}`);
      const perKey = 40;
      // 8 publish calls in flight at once, each carrying a slice of every key's sequence.
      const calls = range(8).map((c) =>
        bus.publish(
          TOPIC,
          range(perKey / 8).flatMap((j) => keys.map((k) => trade(k, c * (perKey / 8) + j))),
        ),
      );
      await Promise.all(calls);
      await waitFor('all messages', () => rec.items.length >= keys.length * perKey);
      expect(rec.items).toHaveLength(keys.length * perKey);
      for (const k of keys) {
        expect(bySeq(rec.items, k)).toEqual(range(perKey));
        // Kafka's default partitioner, in both adapters (the fixtures use 6 partitions).
        expect(new Set(rec.items.filter((d) => d.key === k).map((d) => d.partition))).toEqual(
          new Set([partitionForKey(k, 6)]),
        );
      }
      expect(new Set(rec.items.map((d) => d.partition)).size).toBeGreaterThan(1);
      // Each batch is one partition, in offset order.
      for (const batch of rec.seen) {
        expect(new Set(batch.map((d) => d.partition)).size).toBe(1);
        const offsets = batch.map((d) => BigInt(d.offset));
        for (let i = 1; i < offsets.length; i++) expect(offsets[i]! > offsets[i - 1]!).toBe(true);
      }
      expect(rec.items[0]!.value).toEqual(trade(rec.items[0]!.key, 0).value);
    });

    test('gives every consumer group every message', async (bus, expect) => {
      const a = new Recorder();
      const b = new Recorder();
      await Promise.all([
        bus.subscribe({ topic: TOPIC, group: 'group-a', fromBeginning: true }, a.handler),
        bus.subscribe({ topic: TOPIC, group: 'group-b', fromBeginning: true }, b.handler),
      ]);
      const msgs = range(100).map((i) => trade(`test:spot:G${i % 10}`, i));
      await bus.publish(TOPIC, msgs);
      await waitFor('both groups', () => a.items.length >= 100 && b.items.length >= 100);
      const expected = msgs.map((m) => `${m.key}#${m.value.tradeId}`).sort();
      expect(a.ids().sort()).toEqual(expected);
      expect(b.ids().sort()).toEqual(expected);
    });

    test('splits partitions between the members of one group, each message once', async (bus, expect) => {
      const m1 = new Recorder();
      const m2 = new Recorder();
      await bus.subscribe({ topic: TOPIC, group: 'shared', fromBeginning: true }, m1.handler);
      await bus.subscribe({ topic: TOPIC, group: 'shared', fromBeginning: true }, m2.handler);
      const msgs = range(240).map((i) => trade(`test:spot:S${i % 40}`, i));
      // Several rounds, so every partition is handed out more than once and must go to the same member.
      for (let round = 0; round < 4; round++) {
        await bus.publish(TOPIC, msgs.slice(round * 60, (round + 1) * 60));
        await waitFor(`round ${round}`, () => m1.items.length + m2.items.length >= (round + 1) * 60);
      }
      const all = [...m1.ids(), ...m2.ids()];
      expect(all.sort()).toEqual(msgs.map((m) => `${m.key}#${m.value.tradeId}`).sort()); // once each
      expect(m1.items.length).toBeGreaterThan(0);
      expect(m2.items.length).toBeGreaterThan(0);
      const p1 = new Set(m1.items.map((d) => d.partition));
      const p2 = new Set(m2.items.map((d) => d.partition));
      expect([...p1].filter((p) => p2.has(p))).toEqual([]);
    });

    test('commits only what the handler finished, and a group resumes from its commit', async (bus, expect) => {
      const keys = range(6).map((i) => `test:spot:C${i}`);
      const first = new Recorder();
      const sub = await bus.subscribe({ topic: TOPIC, group: 'resume', fromBeginning: true }, first.handler);
      await bus.publish(
        TOPIC,
        range(5).flatMap((s) => keys.map((k) => trade(k, s))),
      );
      await waitFor('first round', () => first.items.length >= 30);
      await sub.close();

      await bus.publish(
        TOPIC,
        range(5).flatMap((s) => keys.map((k) => trade(k, 5 + s))),
      );
      const second = new Recorder();
      await bus.subscribe({ topic: TOPIC, group: 'resume', fromBeginning: true }, second.handler);
      await waitFor('second round', () => second.items.length >= 30);
      // Same keys, same partitions: had the first round been uncommitted it would have come first.
      for (const k of keys) expect(bySeq(second.items, k)).toEqual([5, 6, 7, 8, 9]);
      expect(second.items).toHaveLength(30);
    });

    test('redelivers a batch whose handler threw, keeping per-key order', async (bus, expect) => {
      const rec = new Recorder();
      let failures = 0;
      rec.failWhen = () => failures++ < 2; // the first two deliveries fail
      await bus.subscribe({ topic: TOPIC, group: 'retry', fromBeginning: true }, rec.handler);
      const keys = range(5).map((i) => `test:spot:R${i}`);
      await bus.publish(
        TOPIC,
        range(10).flatMap((s) => keys.map((k) => trade(k, s))),
      );
      await waitFor('all messages after redelivery', () => rec.items.length >= 50);
      for (const k of keys) expect(bySeq(rec.items, k)).toEqual(range(10));
      expect(rec.items).toHaveLength(50);
      // The failed batches' messages were handed over again.
      const failed = rec.seen
        .slice(0, 2)
        .flat()
        .map((d) => `${d.key}#${d.value.tradeId}`);
      expect(failed.length).toBeGreaterThan(0);
      expect(rec.ids()).toEqual(expect.arrayContaining(failed));
      if (bus.stats) expect(bus.stats().handlerErrors).toBe(2);
    });

    test('replays retained messages with fromBeginning; a new group without it starts at the end', async (bus, expect) => {
      const key = 'test:spot:FB';
      await bus.publish(
        TOPIC,
        range(10).map((s) => trade(key, s)),
      );
      await bus.flush();
      const replay = new Recorder();
      const live = new Recorder();
      await Promise.all([
        bus.subscribe({ topic: TOPIC, group: 'replay', fromBeginning: true }, replay.handler),
        bus.subscribe({ topic: TOPIC, group: 'live' }, live.handler),
      ]);
      await bus.publish(
        TOPIC,
        range(5).map((s) => trade(key, 10 + s)),
      );
      await waitFor('replay and live', () => replay.items.length >= 15 && live.items.length >= 5);
      expect(bySeq(replay.items, key)).toEqual(range(15));
      // One key, one partition: old messages would have arrived before the new ones.
      expect(bySeq(live.items, key)).toEqual([10, 11, 12, 13, 14]);
    });

    test('carries key, value and headers, plus the schema version header', async (bus, expect) => {
      const rec = new Recorder();
      await bus.subscribe({ topic: TOPIC, group: 'headers', fromBeginning: true }, rec.handler);
      const msg = {
        ...trade('test:spot:H', 7),
        headers: { traceparent: '00-abc-def-01', 'x-note': 'ünïcode' },
      };
      await bus.publish(TOPIC, [msg]);
      await waitFor('the message', () => rec.items.length >= 1);
      const d = rec.items[0]!;
      expect(d.topic).toBe(TOPIC);
      expect(d.key).toBe('test:spot:H');
      expect(d.value).toEqual(msg.value);
      expect(d.headers).toMatchObject({
        traceparent: '00-abc-def-01',
        'x-note': 'ünïcode',
        [SCHEMA_VERSION_HEADER]: 'v1',
      });
      expect(typeof d.offset).toBe('string');
    });

    test('flush settles every publish made before it', async (bus, expect) => {
      const settled: boolean[] = [];
      const pending = range(20).map((i) => {
        const p = bus.publish(TOPIC, [trade(`test:spot:F${i % 3}`, i)]);
        settled[i] = false;
        void p.then(() => (settled[i] = true));
        return p;
      });
      await bus.flush();
      await Promise.resolve(); // let the .then callbacks above run
      expect(settled.every(Boolean)).toBe(true);
      await Promise.all(pending);
      if (bus.stats) expect(bus.stats().published).toBe(20);
    });

    test('stops a closed subscription, and a closed bus refuses new work', async (bus, expect) => {
      const closed = new Recorder();
      const open = new Recorder();
      const [sub] = await Promise.all([
        bus.subscribe({ topic: TOPIC, group: 'to-close', fromBeginning: true }, closed.handler),
        bus.subscribe({ topic: TOPIC, group: 'stays', fromBeginning: true }, open.handler),
      ]);
      await sub.close();
      await bus.publish(TOPIC, [trade('test:spot:X', 1)]);
      await waitFor('the open subscription', () => open.items.length >= 1);
      await bus.flush();
      expect(closed.seen).toEqual([]);

      await bus.close();
      await bus.close(); // idempotent
      await expect(bus.publish(TOPIC, [trade('test:spot:X', 2)])).rejects.toThrow(/closed/);
      await expect(bus.subscribe({ topic: TOPIC, group: 'late' }, async () => {})).rejects.toThrow(/closed/);
    });

    test('rejects an unknown topic and a non-string key with a clear error', async (bus, expect) => {
      await expect(bus.publish('no.such.v1' as TopicName, [])).rejects.toThrow(/unknown bus topic/);
      const bad = { key: 42, value: trade('k', 1).value } as unknown as OutgoingMessage<typeof TOPIC>;
      await expect(bus.publish(TOPIC, [bad])).rejects.toThrow(/key must be a string/);
      await expect(
        bus.subscribe({ topic: 'no.such.v1' as TopicName, group: 'g' }, async () => {}),
      ).rejects.toThrow(/unknown bus topic/);
    });
  });
}

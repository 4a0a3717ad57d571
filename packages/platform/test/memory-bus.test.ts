import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { ManualClock } from '../src/clock/clock.js';
import { Recorder, runBusContract, trade, waitFor } from './bus.contract.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

runBusContract('MemoryBus', async () => ({ bus: new MemoryBus(), dispose: async () => {} }));

describe('MemoryBus specifics', () => {
  const TOPIC = 'md.trade.v1' as const;
  const ticks = async (n = 5) => {
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };

  it('makes publish wait while the slowest active group is maxBacklog behind, then delivers everything in order', async () => {
    const bus = new MemoryBus({ maxBacklog: 10, maxBatch: 4 });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const rec = new Recorder();
    await bus.subscribe({ topic: TOPIC, group: 'slow' }, async (batch) => {
      await gate;
      await rec.handler(batch);
    });
    let done = false;
    const publishing = bus
      .publish(
        TOPIC,
        range(30).map((i) => trade('test:spot:BP', i)),
      )
      .then(() => (done = true));
    await ticks(10);
    expect(done).toBe(false); // the handler cannot finish, so the backlog cannot drain
    open();
    await publishing;
    await bus.flush();
    expect(rec.items.map((d) => Number(d.value.tradeId))).toEqual(range(30));
    await bus.close();
  });

  it('does not hold publishers back for a group that has no members left', async () => {
    const bus = new MemoryBus({ maxBacklog: 5 });
    const sub = await bus.subscribe({ topic: TOPIC, group: 'gone' }, async () => {});
    await sub.close();
    await bus.publish(
      TOPIC,
      range(50).map((i) => trade('test:spot:NB', i)),
    );
    expect(bus.stats().published).toBe(50);
    await bus.close();
  });

  it('keeps `retention` consumed messages per partition for fromBeginning', async () => {
    const bus = new MemoryBus({ retention: 5 });
    await bus.publish(
      TOPIC,
      range(20).map((i) => trade('test:spot:RT', i)),
    );
    const rec = new Recorder();
    await bus.subscribe({ topic: TOPIC, group: 'late', fromBeginning: true }, rec.handler);
    await bus.flush();
    expect(rec.items.map((d) => Number(d.value.tradeId))).toEqual([15, 16, 17, 18, 19]);
    await bus.close();
  });

  it('waits for the redelivery backoff on the injected clock', async () => {
    const clock = new ManualClock(0);
    const bus = new MemoryBus({ clock, retryBackoffMs: 1_000 });
    const rec = new Recorder();
    let failures = 0;
    rec.failWhen = () => failures++ === 0;
    await bus.subscribe({ topic: TOPIC, group: 'backoff' }, rec.handler);
    await bus.publish(TOPIC, [trade('test:spot:BO', 1)]);
    await waitFor('first attempt', () => rec.seen.length === 1);
    await ticks(10);
    expect(rec.seen).toHaveLength(1); // nothing before the clock moves
    clock.advance(999);
    await ticks(10);
    expect(rec.seen).toHaveLength(1);
    clock.advance(1);
    await waitFor('redelivery', () => rec.items.length === 1);
    expect(bus.stats()).toMatchObject({ handlerErrors: 1, consumed: 1 });
    await bus.close();
  });

  it('flush resolves only after the handlers have finished with what was published', async () => {
    const bus = new MemoryBus();
    const rec = new Recorder();
    await bus.subscribe({ topic: TOPIC, group: 'f' }, async (batch) => {
      await new Promise((r) => setTimeout(r, 5));
      await rec.handler(batch);
    });
    void bus.publish(
      TOPIC,
      range(10).map((i) => trade('test:spot:FL', i)),
    );
    await bus.flush();
    expect(rec.items).toHaveLength(10);
    await bus.close();
  });

  it('rejects a publish that is waiting for space when the bus closes', async () => {
    const bus = new MemoryBus({ maxBacklog: 1 });
    await bus.subscribe({ topic: TOPIC, group: 'stuck' }, () => new Promise<void>(() => {}));
    await bus.publish(TOPIC, [trade('test:spot:ST', 0)]);
    const waiting = bus.publish(TOPIC, [trade('test:spot:ST', 1)]);
    await ticks(5);
    const closing = bus.close();
    await expect(waiting).rejects.toThrow(/closed/);
    void closing; // the stuck handler never returns; close() waits for it like a Kafka consumer would
  });

  it('refuses nonsense options', () => {
    expect(() => new MemoryBus({ partitions: 0 })).toThrow(/partitions/);
    expect(() => new MemoryBus({ maxBacklog: -1 })).toThrow(/maxBacklog/);
  });
});

import { describe, expect, it } from 'vitest';
import { SendBatcher } from '../src/bus/send-batcher.js';
import { ManualClock } from '../src/clock/clock.js';

/** A send function whose calls the test settles by hand. */
function fakeSend() {
  const calls: { topic: string; messages: number[]; resolve: () => void; reject: (e: Error) => void }[] = [];
  const send = (topic: string, messages: number[]) =>
    new Promise<void>((resolve, reject) => calls.push({ topic, messages, resolve, reject }));
  return { calls, send };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('SendBatcher', () => {
  it('holds a small batch for lingerMs on the injected clock, then sends it in one call', async () => {
    const clock = new ManualClock();
    const { calls, send } = fakeSend();
    const b = new SendBatcher(send, { lingerMs: 10, maxMessages: 100, clock });
    let resolved = 0;
    void b.add('t', [1]).then(() => resolved++);
    void b.add('t', [2, 3]).then(() => resolved++);
    await settle();
    expect(calls).toHaveLength(0);
    clock.advance(10);
    await settle();
    expect(calls.map((c) => c.messages)).toEqual([[1, 2, 3]]);
    expect(resolved).toBe(0); // not before the broker acks
    calls[0]!.resolve();
    await settle();
    expect(resolved).toBe(2);
  });

  it('sends at once when maxMessages are queued, and keeps one send in flight per topic', async () => {
    const clock = new ManualClock();
    const { calls, send } = fakeSend();
    const b = new SendBatcher(send, { lingerMs: 1_000, maxMessages: 3, clock });
    void b.add('t', [1, 2, 3]);
    void b.add('u', [9]);
    await settle();
    expect(calls.map((c) => [c.topic, c.messages])).toEqual([['t', [1, 2, 3]]]);
    void b.add('t', [4]);
    void b.add('t', [5]);
    await settle();
    expect(calls).toHaveLength(1); // the next batch of 't' waits for the first ack: order per key
    calls[0]!.resolve();
    await settle();
    expect(calls.map((c) => c.messages)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]); // back to back, no linger
    expect(b.queued).toBe(3);
  });

  it('rejects only the publishes of a failed send and carries on', async () => {
    const clock = new ManualClock();
    const { calls, send } = fakeSend();
    const b = new SendBatcher(send, { lingerMs: 0, maxMessages: 1, clock });
    const first = b.add('t', [1]);
    const second = b.add('t', [2]);
    await settle();
    calls[0]!.reject(new Error('broker said no'));
    await expect(first).rejects.toThrow('broker said no');
    await settle();
    calls[1]!.resolve();
    await expect(second).resolves.toBeUndefined();
  });

  it('flush sends without waiting for the linger and resolves when everything has settled', async () => {
    const clock = new ManualClock();
    const sent: number[][] = [];
    const b = new SendBatcher<number>(async (_t, m) => void sent.push(m), {
      lingerMs: 60_000,
      maxMessages: 100,
      clock,
    });
    void b.add('t', [1]);
    void b.add('u', [2]);
    await b.flush();
    expect(sent).toEqual([[1], [2]]);
    expect(b.queued).toBe(0);
  });

  it('never strands a message added while the drain loop is finishing', async () => {
    const clock = new ManualClock();
    const sent: number[][] = [];
    const b = new SendBatcher<number>(async (_t, m) => void sent.push(m), {
      lingerMs: 0,
      maxMessages: 1,
      clock,
    });
    // Each ack immediately publishes the next message, racing the loop's exit.
    const chain = async (n: number): Promise<void> => {
      await b.add('t', [n]);
      if (n < 5) await chain(n + 1);
    };
    await chain(1);
    await b.flush();
    expect(sent).toEqual([[1], [2], [3], [4], [5]]);
  });
});

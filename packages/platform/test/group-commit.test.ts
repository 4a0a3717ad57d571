import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock/clock.js';
import { GroupCommit } from '../src/store/group-commit.js';

/** A write that waits until the test lets it finish (or fail). */
function heldWrites() {
  const calls: { rows: number[]; finish: (err?: Error) => void }[] = [];
  const write = (rows: number[]) =>
    new Promise<void>((resolve, reject) => calls.push({ rows, finish: (err) => (err ? reject(err) : resolve()) }));
  return { calls, write };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('writes at once when idle; rows added meanwhile wait and go together in the next write', async () => {
    const { calls, write } = heldWrites();
    const gc = new GroupCommit(write);
    const settled: string[] = [];
    const a = gc.add([1, 2]).then(() => settled.push('a'));
    const b = gc.add([3]).then(() => settled.push('b'));
    const c = gc.add([4, 5]).then(() => settled.push('c'));
    await tick();
    expect(calls.map((c) => c.rows)).toEqual([[1, 2]]);
    calls[0]!.finish();
    await a;
    await tick();
    expect(settled).toEqual(['a']);
    expect(calls.map((c) => c.rows)).toEqual([[1, 2], [3, 4, 5]]);
    calls[1]!.finish();
    await Promise.all([b, c]);
    expect(settled).toEqual(['a', 'b', 'c']);
  });

  it('with a linger, the first rows wait that long on the clock, gathering what comes meanwhile', async () => {
    const { calls, write } = heldWrites();
    const clock = new ManualClock(0);
    const gc = new GroupCommit(write, { ms: 200, clock });
    const a = gc.add([1]);
    const b = gc.add([2, 3]);
    await tick();
    expect(calls).toHaveLength(0);
    clock.advance(199);
    await tick();
    expect(calls).toHaveLength(0);
    clock.advance(1);
    await tick();
    expect(calls.map((c) => c.rows)).toEqual([[1, 2, 3]]);
    const c = gc.add([4]);
    calls[0]!.finish();
    await Promise.all([a, b]);
    await tick();
    // Rows that came during a write go right after it: the write itself was their wait.
    expect(calls.map((c) => c.rows)).toEqual([[1, 2, 3], [4]]);
    calls[1]!.finish();
    await c;
  });

  it("rejects exactly the callers whose rows a failed write held, and goes on with the next ones", async () => {
    const { calls, write } = heldWrites();
    const gc = new GroupCommit(write);
    const first = gc.add([1]);
    const second = gc.add([2]);
    await tick();
    calls[0]!.finish();
    await first;
    await tick();
    const third = gc.add([3]);
    calls[1]!.finish(new Error('store down'));
    await expect(second).rejects.toThrow('store down');
    await tick();
    expect(calls[2]!.rows).toEqual([3]);
    calls[2]!.finish();
    await third;
    expect(await gc.add([])).toBeUndefined();
    expect(calls).toHaveLength(3);
  });
});

import { describe, expect, it } from 'vitest';
import { BookSide } from '../src/index.js';

/** Reference: a Map sorted on read, best first. */
function levelsOf(m: Map<number, number>, isBid: boolean): [number, number][] {
  return [...m].sort((a, b) => (isBid ? b[0] - a[0] : a[0] - b[0]));
}

describe('BookSide on a deep book (inserts and deletes at every distance from the top)', () => {
  for (const isBid of [true, false]) {
    it(`${isBid ? 'bids' : 'asks'} match a reference model, near the top and deep`, () => {
      const side = new BookSide(isBid);
      const ref = new Map<number, number>();
      const dir = isBid ? -1 : 1; // worse prices are lower for bids, higher for asks
      const start: [number, number][] = [];
      for (let i = 0; i < 3000; i += 2) start.push([1000 + dir * i, 1 + (i % 7)]); // every other tick: room to insert
      side.load(start);
      for (const [p, s] of start) ref.set(p, s);
      let seed = 9;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      for (let step = 0; step < 6000; step++) {
        // Distances straddle the hand-shift limit and the gallop's powers of two; some go deep.
        const dist = step % 10 === 0 ? Math.floor(rnd() * 3200) : Math.floor(rnd() * 300);
        const price = 1000 + dir * (dist - 5); // a few beyond the best, too
        const size = rnd() < 0.35 ? 0 : 1 + Math.floor(rnd() * 9);
        side.set(price, size);
        if (size === 0) ref.delete(price);
        else ref.set(price, size);
        if (step % 500 === 0) expect(side.levels()).toEqual(levelsOf(ref, isBid));
        expect(side.get(price)).toBe(size);
      }
      expect(side.levels()).toEqual(levelsOf(ref, isBid));
      expect(side.best()).toBe(levelsOf(ref, isBid)[0]![0]);
    });
  }

  it('deletes the only level, the best level and absent levels', () => {
    const side = new BookSide(true);
    side.set(5, 1);
    side.set(5, 0);
    expect(side.length).toBe(0);
    side.load([[1, 1], [2, 2], [3, 3]]);
    side.set(3, 0);
    side.set(2.5, 0);
    side.set(0.5, 0);
    expect(side.levels()).toEqual([[2, 2], [1, 1]]);
  });
});

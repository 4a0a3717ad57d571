import { describe, expect, it } from 'vitest';
import { CompensatedSum } from '../src/candles/exact-sum.js';

/** Σ price × size in exact decimal arithmetic (BigInt), as a venue's kline holds it. */
function exactDecimal(pairs: [string, string][]): string {
  const scale = (s: string) => {
    const [i, f = ''] = s.split('.');
    return { v: BigInt(i! + f), d: f.length };
  };
  let total = 0n;
  const D = 20;
  for (const [p, q] of pairs) {
    const a = scale(p);
    const b = scale(q);
    total += a.v * b.v * 10n ** BigInt(D - a.d - b.d);
  }
  const s = total.toString().padStart(D + 1, '0');
  return `${s.slice(0, -D)}.${s.slice(-D)}`;
}

describe('CompensatedSum', () => {
  // Prices and sizes reach us as doubles (the nearest to each decimal), so a sum of their products can
  // differ from the decimal sum by a hair; the compensated sum stays within one unit in the last place.
  it('stays within one ulp of the exact decimal sum of products, where naive summation drifts further', () => {
    const ulp = (x: number) => 2 ** (Math.floor(Math.log2(Math.abs(x))) - 52);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let naiveMisses = 0;
    for (let round = 0; round < 200; round++) {
      const pairs: [string, string][] = [];
      for (let i = 0; i < 700; i++) pairs.push([(60_000 + rnd() * 100).toFixed(2), (rnd() * 0.2).toFixed(5)]);
      const exact = Number(exactDecimal(pairs)); // Number() of a decimal string is correctly rounded
      const sum = new CompensatedSum();
      let naive = 0;
      for (const [p, q] of pairs) {
        sum.addProduct(Number(p), Number(q));
        naive += Number(p) * Number(q);
      }
      expect(Math.abs(sum.value - exact)).toBeLessThanOrEqual(ulp(exact));
      if (Math.abs(naive - exact) > ulp(exact)) naiveMisses++;
    }
    expect(naiveMisses).toBeGreaterThan(0); // the test data is hard enough to need the compensation
  });
});

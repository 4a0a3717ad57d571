import type { BookFeatures } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { BookFeatureCalculator, emptyBookSnapshot, takeBookSnapshot } from '../../src/index.js';
import { T0, expectClose, fixtureBook, meta, snap } from './book-test-helpers.js';

const SEC = 1000;

describe('BookFeatureCalculator on a real book (hand-computed)', () => {
  // Best 3 levels per side of fixtures/binance/spot_rest_depth_btcusdt.real.json.
  const book = fixtureBook('spot_rest_depth_btcusdt.real.json');
  const s = takeBookSnapshot(book, meta(T0), 3);
  // bids 60650.00 × 0.00213, 60648.08 × 0.06346, 60648.01 × 0.06430
  // asks 60650.01 × 0.61982, 60653.68 × 0.00696, 60653.69 × 0.00026
  const f = new BookFeatureCalculator().next(s);

  it('reads the snapshot the way it was taken', () => {
    expect(s.bidPrices).toEqual([60650, 60648.08, 60648.01]);
    expect(s.askSizes).toEqual([0.61982, 0.00696, 0.00026]);
    expect(f).toMatchObject({ exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', ts: T0, resyncing: false });
    expect([f.bidLevels, f.askLevels]).toEqual([3, 3]);
  });

  it('mid, spread, spread %', () => {
    expectClose(f.midPrice, 60650.005); // (60650.00 + 60650.01) / 2
    expectClose(f.spread, 0.01, 1e-6); // 60650.01 − 60650.00 (the doubles differ from 0.01 in the 12th digit)
    expectClose(f.spreadPct, 1.6488044807251e-5, 1e-6); // 0.01 / 60650.005 × 100
  });

  it('pressure', () => {
    // w_i = 1/(i+1) × (1 − |p_i − 60650.005| / 60650.005)
    // bids: |p − mid| = 0.005, 1.925, 1.995
    //   0.00213 × 1   × (1 − 0.005/60650.005) = 0.00212999982440232
    //   0.06346 × 1/2 × (1 − 1.925/60650.005) = 0.0317289929061012
    //   0.06430 × 1/3 × (1 − 1.995/60650.005) = 0.0214326283127814
    //   buy = 0.0552916210432849
    // asks: |p − mid| = 0.005, 3.675, 3.685
    //   0.61982 × 1   × (1 − 0.005/60650.005) = 0.619819948901900
    //   0.00696 × 1/2 × (1 − 3.675/60650.005) = 0.00347978913439496
    //   0.00026 × 1/3 × (1 − 3.685/60650.005) = 0.0000866614009347567
    //   sell = 0.623386399437230
    expectClose(f.buyPressure, 0.0552916210432849);
    expectClose(f.sellPressure, 0.62338639943723);
    expectClose(f.netPressure, -0.568094778393945); // buy − sell
    expectClose(f.pressureRatio, 0.0886955844612588); // buy / sell
    expectClose(f.totalPressure, 0.678678020480515); // buy + sell
  });

  it('volumes and imbalance', () => {
    expectClose(f.bidVolume, 0.12989); // 0.00213 + 0.06346 + 0.06430
    expectClose(f.askVolume, 0.62704); // 0.61982 + 0.00696 + 0.00026
    expectClose(f.volumeImbalance, -0.656797854491168); // (0.12989 − 0.62704) / (0.12989 + 0.62704) = −0.49715 / 0.75693
  });

  it('price and size mean and population std per side', () => {
    // bid prices: mean 181946.09 / 3 = 60648.696666…; deviations 1.303333, −0.616667, −0.686667;
    //   variance (1.698678 + 0.380278 + 0.471511) / 3 = 0.850155556 → std 0.922038804
    expectClose(f.bidPriceMean, 60648.6966666667);
    expectClose(f.bidPriceStd, 0.922038803714657, 1e-8);
    // ask prices: mean 181957.38 / 3 = 60652.46; deviations −2.45, 1.22, 1.23;
    //   variance (6.0025 + 1.4884 + 1.5129) / 3 = 3.00126667 → std 1.73241642
    expectClose(f.askPriceMean, 60652.46);
    expectClose(f.askPriceStd, 1.73241642415058, 1e-8);
    // bid sizes: mean 0.12989 / 3 = 0.0432966667; deviations −0.0411666667, 0.0201633333, 0.0210033333;
    //   variance (0.00169469444 + 0.000406560011 + 0.000441140011) / 3 = 0.000847464822 → std 0.0291112491
    expectClose(f.bidSizeMean, 0.0432966666666667);
    expectClose(f.bidSizeStd, 0.0291112490666791);
    // ask sizes: mean 0.62704 / 3 = 0.209013333; deviations 0.410806667, −0.202053333, −0.208753333;
    //   variance (0.168762117 + 0.0408255499 + 0.0435779541) / 3 = 0.0843885404 → std 0.290497057
    expectClose(f.askSizeMean, 0.209013333333333);
    expectClose(f.askSizeStd, 0.290497057395691);
  });

  it('top-10 concentration is 1 with fewer than 10 levels', () => {
    expect(f.bidTop10Concentration).toBe(1);
    expect(f.askTop10Concentration).toBe(1);
  });

  it('top-10 concentration on 12 real levels per side', () => {
    // Best 12 levels per side of fixtures/binance/spot_rest_depth_limit1000.real.json.
    const g = new BookFeatureCalculator().next(takeBookSnapshot(fixtureBook('spot_rest_depth_limit1000.real.json'), meta(T0), 12));
    // bids: (672 + 1144 + 3260 + 3052 + 15356 + 1059 + 26097 + 6195 + 14783 + 5674) / (77292 + 1929 + 59) = 77292 / 79280
    expectClose(g.bidTop10Concentration, 77292 / 79280);
    expectClose(g.bidTop10Concentration, 0.974924318869828);
    // asks: (3959 + 3199 + 4201 + 703 + 6718 + 9338 + 2797 + 7986 + 656 + 4068) / (43625 + 11625 + 2175) = 43625 / 57425
    expectClose(g.askTop10Concentration, 0.759686547670875);
  });

  it('no history yet: every change and volatility is NaN', () => {
    for (const k of changeKeys) expect(f[k], k).toBeNaN();
  });
});

const changeKeys = [
  'priceChange1s', 'priceChange5s', 'priceChange30s', 'priceVolatility30s',
  'spreadChange1s', 'spreadChange5s', 'spreadVolatility30s',
  'imbalanceChange1s', 'imbalanceChange5s', 'imbalanceVolatility30s',
  'buyPressureChange1s', 'sellPressureChange1s', 'netPressureChange1s',
  'buyPressureVolatility30s', 'sellPressureVolatility30s', 'netPressureVolatility30s',
] as const satisfies readonly (keyof BookFeatures)[];

// Three one-level books with dyadic values, so every change below is exact:
//   X: bid 31 × 1, ask 33 × 1 → mid 32,  spread_pct 2/32 × 100 = 6.25,   imbalance 0,
//      buy = sell = 1 × (1 − 1/32) = 0.96875, net 0
//   A: bid 63 × 3, ask 65 × 1 → mid 64,  spread_pct 2/64 × 100 = 3.125,  imbalance (3 − 1)/4 = 0.5,
//      buy = 3 × (1 − 1/64) = 2.953125, sell = 1 × 63/64 = 0.984375, net 1.96875
//   B: bid 127 × 1, ask 129 × 1 → mid 128, spread_pct 2/128 × 100 = 1.5625, imbalance 0,
//      buy = sell = 127/128 = 0.9921875, net 0
const X = (ts: number) => snap(ts, [[31, 1]], [[33, 1]]);
const A = (ts: number) => snap(ts, [[63, 3]], [[65, 1]]);
const B = (ts: number) => snap(ts, [[127, 1]], [[129, 1]]);
/** Second k of the sequence X, B, A, B, A, …: X at 0, B at odd k, A at even k ≥ 2. */
const seq = (k: number) => (k === 0 ? X : k % 2 === 1 ? B : A)(T0 + k * SEC);

function feed(calc: BookFeatureCalculator, ks: Iterable<number>, make = seq): BookFeatures[] {
  const out: BookFeatures[] = [];
  for (const k of ks) out[k] = calc.next(make(k));
  return out;
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('BookFeatureCalculator changes and volatilities (constructed sequence)', () => {
  const f = feed(new BookFeatureCalculator(), range(0, 31));

  it('1 s, 5 s and 30 s changes', () => {
    const a = f[31] as BookFeatures; // B at 31, A at 30, A at 26, B at 1
    expect(a.priceChange1s).toBe(100); // (128/64 − 1) × 100
    expect(a.priceChange5s).toBe(100); // (128/64 − 1) × 100
    expect(a.priceChange30s).toBe(0); // (128/128 − 1) × 100
    expect(a.spreadChange1s).toBe(-1.5625); // 1.5625 − 3.125
    expect(a.spreadChange5s).toBe(-1.5625);
    expect(a.imbalanceChange1s).toBe(-0.5); // 0 − 0.5
    expect(a.imbalanceChange5s).toBe(-0.5);
    expect(a.buyPressureChange1s).toBe(-1.9609375); // 0.9921875 − 2.953125
    expect(a.sellPressureChange1s).toBe(0.0078125); // 0.9921875 − 0.984375
    expect(a.netPressureChange1s).toBe(-1.96875); // 0 − 1.96875
    const b = f[30] as BookFeatures; // A at 30, B at 29 and 25, X at 0
    expect(b.priceChange1s).toBe(-50); // (64/128 − 1) × 100
    expect(b.priceChange5s).toBe(-50);
    expect(b.priceChange30s).toBe(100); // (64/32 − 1) × 100
    expect(b.spreadChange1s).toBe(1.5625);
    expect(b.imbalanceChange5s).toBe(0.5);
  });

  it('volatilities: population std of exactly the 30 one-second changes ending at t', () => {
    // At 31 the changes at 2…31 alternate: 15 × (B→A) and 15 × (A→B).
    //   price: 15 × −50, 15 × +100 → mean 25, deviations ±75 → std 75 (a sample std would be 76.28)
    const a = f[31] as BookFeatures;
    expect(a.priceVolatility30s).toBe(75);
    expect(a.spreadVolatility30s).toBe(1.5625); // ±1.5625, mean 0
    expect(a.imbalanceVolatility30s).toBe(0.5); // ±0.5
    expect(a.buyPressureVolatility30s).toBe(1.9609375); // ±1.9609375
    expect(a.sellPressureVolatility30s).toBe(0.0078125); // ±0.0078125
    expect(a.netPressureVolatility30s).toBe(1.96875); // ±1.96875
    // At 30 the window is 1…30: X→B (+300) at 1, then 15 × −50 (even 2…30) and 14 × +100 (odd 3…29).
    //   mean (300 − 750 + 1400) / 30 = 31.666…; Σx²/30 = (90000 + 37500 + 140000) / 30 = 8916.666…;
    //   variance 8916.666… − 1002.777… = 7913.888… → std 88.960041
    expectClose((f[30] as BookFeatures).priceVolatility30s, Math.sqrt(8916 + 2 / 3 - (95 / 3) ** 2));
    expectClose((f[30] as BookFeatures).priceVolatility30s, 88.9600409672, 1e-9);
  });

  it('needs 31 consecutive seconds for a volatility and t−30 s for the 30 s change', () => {
    const c = f[29] as BookFeatures; // seconds 0…29 only
    expect(c.priceChange30s).toBeNaN();
    for (const k of ['priceVolatility30s', 'spreadVolatility30s', 'imbalanceVolatility30s', 'buyPressureVolatility30s',
      'sellPressureVolatility30s', 'netPressureVolatility30s'] as const) expect(c[k], k).toBeNaN();
    expect(c.priceChange5s).toBe(100); // B at 29 vs A at 24
    expect((f[4] as BookFeatures).priceChange5s).toBeNaN(); // second −1 never existed
    expect((f[5] as BookFeatures).priceChange5s).toBe(300); // B at 5 vs X at 0: (128/32 − 1) × 100
  });

  it('compares with exactly t−5 s, not the nearest earlier row', () => {
    // A at 0…4, then C (bid 79 × 1, ask 81 × 1: mid 80, spread_pct 2.5, imbalance 0) at 5 and 6.
    const C = (ts: number) => snap(ts, [[79, 1]], [[81, 1]]);
    const g = feed(new BookFeatureCalculator(), range(0, 6), (k) => (k < 5 ? A : C)(T0 + k * SEC));
    const at5 = g[5] as BookFeatures;
    expect(at5.priceChange5s).toBe(25); // (80/64 − 1) × 100
    expect(at5.priceChange1s).toBe(25);
    expect(at5.spreadChange5s).toBe(-0.625); // 2.5 − 3.125
    expect(at5.imbalanceChange5s).toBe(-0.5); // 0 − 0.5
    const at6 = g[6] as BookFeatures;
    expect(at6.priceChange5s).toBe(25); // C at 6 vs A at 1
    expect(at6.priceChange1s).toBe(0);
  });
});

describe('BookFeatureCalculator ring horizon and missing seconds', () => {
  it('a missing second gives NaN, not the previous row', () => {
    const calc = new BookFeatureCalculator();
    const f = feed(calc, [...range(0, 10), ...range(12, 43)]); // second 11 missing
    const at12 = f[12] as BookFeatures;
    expect(at12.priceChange1s).toBeNaN(); // 11 missing, though 10 exists
    expect(at12.spreadChange1s).toBeNaN();
    expect(at12.imbalanceChange1s).toBeNaN();
    expect(at12.buyPressureChange1s).toBeNaN();
    expect(at12.priceChange5s).toBe(-50); // A at 12 vs B at 7
    expect((f[16] as BookFeatures).priceChange5s).toBeNaN(); // 11 missing
    expect((f[17] as BookFeatures).priceChange5s).toBe(100);
    expect((f[41] as BookFeatures).priceChange30s).toBeNaN(); // 11 missing
    expect((f[42] as BookFeatures).priceChange30s).toBe(0);
    // The volatility needs 31 seconds without a gap: 12…42 is the first such run.
    expect((f[41] as BookFeatures).priceVolatility30s).toBeNaN();
    expect((f[41] as BookFeatures).netPressureVolatility30s).toBeNaN();
    expect((f[42] as BookFeatures).priceVolatility30s).toBe(75);
    expect((f[43] as BookFeatures).netPressureVolatility30s).toBe(1.96875);
  });

  it('keeps 31 seconds: t−30 s is reachable, t−31 s is gone even though its slot is reused', () => {
    const calc = new BookFeatureCalculator();
    feed(calc, range(0, 30));
    const at60 = calc.next(seq(60)); // A at 60; 30 s earlier: A at 30
    expect(at60.priceChange30s).toBe(0);
    expect(at60.priceChange1s).toBeNaN();
    expect(at60.priceChange5s).toBeNaN();
    expect(at60.priceVolatility30s).toBeNaN();
    // At 61, t−30 s is 31, whose ring slot still holds second 0 (X): it must read as missing.
    const at61 = calc.next(seq(61));
    expect(at61.priceChange30s).toBeNaN();
    expect(at61.priceChange1s).toBe(100);
    const later = calc.next(seq(10_000));
    for (const k of changeKeys) expect(later[k], k).toBeNaN();
  });
});

describe('BookFeatureCalculator NaN rules', () => {
  it('an empty side: no mid, spread or pressure; volumes and the other side still count', () => {
    // Asks: the best 3 of the BTCUSDT fixture; no bids.
    const f = new BookFeatureCalculator().next(snap(T0, [], [[60650.01, 0.61982], [60653.68, 0.00696], [60653.69, 0.00026]]));
    expect([f.bidLevels, f.askLevels]).toEqual([0, 3]);
    for (const k of ['midPrice', 'spread', 'spreadPct', 'buyPressure', 'sellPressure', 'netPressure', 'pressureRatio',
      'totalPressure', 'bidPriceMean', 'bidPriceStd', 'bidSizeMean', 'bidSizeStd', 'bidTop10Concentration'] as const) {
      expect(f[k], k).toBeNaN();
    }
    expect(f.bidVolume).toBe(0);
    expectClose(f.askVolume, 0.62704);
    expect(f.volumeImbalance).toBe(-1); // (0 − 0.62704) / (0 + 0.62704)
    expectClose(f.askPriceMean, 60652.46);
    expect(f.askTop10Concentration).toBe(1);
  });

  it('no book at all: counts and volumes 0, everything else NaN', () => {
    const f = new BookFeatureCalculator().next(emptyBookSnapshot(meta(T0, true)));
    expect(f.resyncing).toBe(true);
    expect([f.bidLevels, f.askLevels, f.bidVolume, f.askVolume]).toEqual([0, 0, 0, 0]);
    const numeric = Object.entries(f).filter(([k, v]) => typeof v === 'number' && !['ts', 'bidLevels', 'askLevels', 'bidVolume', 'askVolume'].includes(k));
    expect(numeric).toHaveLength(35);
    for (const [k, v] of numeric) expect(v, k).toBeNaN();
  });

  it('an undefined mid makes the next second’s changes NaN', () => {
    const calc = new BookFeatureCalculator();
    calc.next(snap(T0, [], [[65, 1]]));
    const f = calc.next(A(T0 + SEC));
    expect(f.priceChange1s).toBeNaN();
    expect(f.spreadChange1s).toBeNaN();
    expect(f.buyPressureChange1s).toBeNaN();
    expect(f.imbalanceChange1s).toBe(1.5); // 0.5 − (−1): the imbalance was defined
  });

  it('pressure ratio is NaN, not infinite, when sell pressure is 0', () => {
    // bid 1 × 1, asks 3 × 3 and 7 × 2: mid 2; buy = 1 × (1 − 1/2) = 0.5;
    // sell = 3 × (1 − 1/2) + 2 × 1/2 × (1 − 5/2) = 1.5 − 1.5 = 0
    const f = new BookFeatureCalculator().next(snap(T0, [[1, 1]], [[3, 3], [7, 2]]));
    expect([f.buyPressure, f.sellPressure]).toEqual([0.5, 0]);
    expect(f.pressureRatio).toBeNaN();
  });

  it('a single level has std 0', () => {
    const f = new BookFeatureCalculator().next(A(T0));
    expect([f.bidPriceStd, f.bidSizeStd, f.askPriceStd, f.askSizeStd]).toEqual([0, 0, 0, 0]);
  });

  it('computes features while resyncing and copies the flag', () => {
    const f = new BookFeatureCalculator().next(snap(T0, [[63, 3]], [[65, 1]], true));
    expect(f.resyncing).toBe(true);
    expect(f.midPrice).toBe(64);
  });
});

describe('BookFeatureCalculator input checks', () => {
  it('throws RangeError unless ts increases strictly in whole seconds, and stays usable', () => {
    const calc = new BookFeatureCalculator();
    calc.next(A(T0 + 5 * SEC));
    expect(() => calc.next(A(T0 + 5 * SEC))).toThrow(RangeError); // repeated
    expect(() => calc.next(A(T0 + 4 * SEC))).toThrow(RangeError); // earlier
    expect(() => calc.next(A(T0 + 6 * SEC + 500))).toThrow(RangeError); // not a second boundary
    expect(() => calc.next(A(NaN))).toThrow(RangeError);
    expect(calc.next(B(T0 + 6 * SEC)).priceChange1s).toBe(100); // (128/64 − 1) × 100
  });

  it('rejects malformed level arrays and a second instrument', () => {
    const calc = new BookFeatureCalculator();
    const bad = A(T0);
    bad.bidSizes.push(1);
    expect(() => calc.next(bad)).toThrow(RangeError);
    const deep = snap(T0, Array.from({ length: 101 }, (_, i) => [100 - i * 0.1, 1] as [number, number]), [[101, 1]]);
    expect(() => calc.next(deep)).toThrow(RangeError);
    calc.next(A(T0));
    expect(() => calc.next({ ...A(T0 + SEC), symbol: 'ETHUSDT' })).toThrow(/binance:spot:BTCUSDT.*ETHUSDT/);
  });
});

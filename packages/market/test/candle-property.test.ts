import { INTERVALS, INTERVAL_NAMES, type Candle, type Trade } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { CandleBuilder, buildCandlesFromTrades, rollUp } from '../src/index.js';
import { MIN, T0, expectSameCandles, recorder, rng, trade } from './candle-test-helpers.js';

const DAY = INTERVALS['1d'];

interface Tape {
  trades: Trade[];
  /** Clock reading to apply before each trade (NaN: do not move the clock). */
  clock: number[];
  invalid: number;
}

/** A random tape: bursts, pauses, multi-hour gaps, late trades up to 20 min back, a few invalid ones. */
function randomTape(seed: number, count: number, lateShare: number): Tape {
  const r = rng(seed);
  let ts = T0 + Math.floor(r() * DAY); // start mid-window for every interval
  let price = 100;
  const trades: Trade[] = [];
  const clock: number[] = [];
  let invalid = 0;
  for (let i = 0; i < count; i++) {
    const u = r();
    const step =
      u < 0.8 ? Math.floor(r() * 5000) : u < 0.95 ? Math.floor(r() * 180_000) : Math.floor(r() * 7_200_000);
    ts += step;
    price = Math.max(1, price * (1 + (r() - 0.5) * 0.01));
    const at = r() < lateShare ? Math.max(0, ts - Math.floor(r() * 20 * MIN)) : ts;
    const t = trade(
      at,
      Math.round(price * 100) / 100,
      Math.round(r() * 5000) / 1000 + 0.001,
      r() < 0.5 ? 'buy' : 'sell',
      Math.floor(r() * 4),
    );
    if (r() < 0.01) {
      t.size = r() < 0.5 ? 0 : Number.NaN;
      invalid++;
    }
    trades.push(t);
    // The clock follows arrival time; it is always moved across a long pause (as a live clock would be),
    // otherwise the trade after it is rightly dropped as too far ahead of the clock.
    clock.push(step > 60_000 || r() < 0.5 ? ts + Math.floor(r() * 500) : Number.NaN);
  }
  return { trades, clock, invalid };
}

function runBuilder(tape: Tape, opts: { allowedLatenessMs: number; partialEveryMs: number }) {
  const rec = recorder();
  const b = new CandleBuilder({
    exchange: 'binance',
    market: 'spot',
    symbol: 'BTCUSDT',
    onCandle: rec.sink,
    ...opts,
  });
  tape.trades.forEach((t, i) => {
    const now = tape.clock[i]!;
    if (!Number.isNaN(now)) b.advanceTime(now);
    b.onTrade(t);
  });
  const maxTs = Math.max(...tape.trades.map((t) => t.exchangeTs).filter(Number.isFinite));
  b.advanceTime((Math.floor(maxTs / DAY) + 1) * DAY + opts.allowedLatenessMs); // close every window
  return { rec, stats: b.stats() };
}

/** Each candle's versions must be 1, 2, 3… in emission order, and once final it stays final. */
function expectVersionsRiseByOne(all: Candle[]): void {
  const seen = new Map<string, { version: number; final: boolean }>();
  for (const c of all) {
    const k = `${c.interval}@${c.openTime}`;
    const prev = seen.get(k) ?? { version: 0, final: false };
    if (c.version !== prev.version + 1) expect.fail(`${k}: version ${c.version} after ${prev.version}`);
    if (prev.final && !c.final) expect.fail(`${k}: final then open again`);
    seen.set(k, { version: c.version, final: c.final });
  }
}

function expectMatchesReference(tape: Tape, rec: ReturnType<typeof recorder>, what: string): void {
  for (const interval of INTERVAL_NAMES) {
    const expected = buildCandlesFromTrades(tape.trades, interval);
    const last = expected.at(-1)!.openTime;
    const got = rec.latest(interval);
    expectSameCandles(
      got.filter((c) => c.openTime <= last),
      expected,
      `${what} ${interval}`,
    );
    // after the last trade only flats (up to the clock), all final
    const notFlat = got.filter((c) => c.openTime > last && c.tradeCount + c.volume !== 0);
    expect(notFlat, what).toEqual([]);
    expect(
      got.filter((c) => !c.final),
      what,
    ).toEqual([]);
  }
}

describe('CandleBuilder against buildCandlesFromTrades (randomized)', () => {
  it('gives the direct fold for every interval on an in-order stream over two days', () => {
    const tape = randomTape(7, 6000, 0);
    // lateness covers the clock running up to 0.5 s ahead of event time: no trade arrives late
    const { rec, stats } = runBuilder(tape, { allowedLatenessMs: 1000, partialEveryMs: 0 });
    expectMatchesReference(tape, rec, 'in-order');
    expect(stats).toMatchObject({ lateAccepted: 0, lateDropped: 0, invalidDropped: tape.invalid });
    expectVersionsRiseByOne(rec.all);
  });

  it('converges to the reference with late trades, clock closes and partials, for many seeds', () => {
    for (let seed = 1; seed <= 16; seed++) {
      const tape = randomTape(seed, 1500, 0.1);
      const opts = { allowedLatenessMs: seed % 2 ? 0 : 2000, partialEveryMs: seed % 3 ? 1000 : 0 };
      const { rec, stats } = runBuilder(tape, opts);
      const what = `seed ${seed}`;
      expectMatchesReference(tape, rec, what);
      expectVersionsRiseByOne(rec.all);
      expect(stats.lateAccepted, what).toBeGreaterThan(0);
      expect(stats, what).toMatchObject({
        lateDropped: 0,
        futureDropped: 0,
        invalidDropped: tape.invalid,
        trades: tape.trades.length - tape.invalid,
      });
    }
  });

  it('rollUp of reference 1m candles equals the direct fold of the trades, for every interval', () => {
    for (let seed = 100; seed < 106; seed++) {
      const tape = randomTape(seed, 1500, 0.1);
      const m1 = buildCandlesFromTrades(tape.trades, '1m');
      for (const interval of INTERVAL_NAMES) {
        const direct = buildCandlesFromTrades(tape.trades, interval);
        expectSameCandles(rollUp(m1, interval), direct, `seed ${seed} ${interval}`);
      }
    }
  });

  it('rollUp marks only complete windows final and rejects non-1m input', () => {
    const m1 = buildCandlesFromTrades([trade(T0, 1, 1), trade(T0 + 6 * MIN, 2, 1)], '1m');
    expect(rollUp(m1, '5m').map((c) => c.final)).toEqual([true, false]);
    expect(() => rollUp(rollUp(m1, '5m'), '15m')).toThrow(RangeError);
  });
});

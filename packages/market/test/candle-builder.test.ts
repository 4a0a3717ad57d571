import { describe, expect, it } from 'vitest';
import { CandleBuilder, CandleBuilders, buildCandlesFromTrades, type CandleSettings } from '../src/index.js';
import { MIN, T0, recorder, trade } from './candle-test-helpers.js';

function builder(rec: ReturnType<typeof recorder>, opts: Partial<CandleSettings> = {}) {
  return new CandleBuilder({
    exchange: 'binance',
    market: 'spot',
    symbol: 'BTCUSDT',
    onCandle: rec.sink,
    partialEveryMs: 0,
    ...opts,
  });
}

describe('CandleBuilder: folding', () => {
  it('folds a hand-computed tape into the right 1m candle and closes it on a later trade', () => {
    const rec = recorder();
    const b = builder(rec);
    b.onTrade(trade(T0 + 1000, 100, 1, 'buy', 1));
    b.onTrade(trade(T0 + 2000, 102, 2, 'sell', 3));
    b.onTrade(trade(T0 + 30_000, 99, 1, 'buy', 0)); // tradeCount 0 counts as 1
    b.onTrade(trade(T0 + 59_999, 101, 0.5, 'sell', 1));
    expect(rec.all).toEqual([]);
    b.onTrade(trade(T0 + MIN, 105, 1, 'buy'));
    expect(rec.of('1m')).toEqual([
      {
        exchange: 'binance',
        market: 'spot',
        symbol: 'BTCUSDT',
        interval: '1m',
        openTime: T0,
        closeTime: T0 + MIN,
        open: 100,
        high: 102,
        low: 99,
        close: 101,
        volume: 4.5,
        quoteVolume: 100 + 204 + 99 + 50.5,
        buyVolume: 2,
        buyQuoteVolume: 199,
        tradeCount: 6,
        version: 1,
        final: true,
        source: 'trades',
      },
    ]);
    expect(rec.all.filter((c) => c.interval !== '1m')).toEqual([]); // no window ended yet
    expect(b.stats()).toMatchObject({ trades: 5, emitted: 1, lateDropped: 0, invalidDropped: 0 });
  });

  it('closes by the clock only once bucket end + allowed lateness has passed', () => {
    const rec = recorder();
    const b = builder(rec, { allowedLatenessMs: 2000 });
    b.advanceTime(T0); // a clock before any trade emits nothing
    b.onTrade(trade(T0 + 5000, 100, 1));
    b.advanceTime(T0 + MIN + 1999);
    expect(rec.all).toEqual([]);
    b.advanceTime(T0 + MIN + 2000);
    expect(rec.of('1m')).toMatchObject([{ openTime: T0, open: 100, close: 100, final: true, version: 1 }]);
    // a trade for the next minute now opens a new candle, no flat in between
    b.onTrade(trade(T0 + MIN + 2500, 101, 1));
    expect(rec.of('1m')).toHaveLength(1);
    b.advanceTime(T0 + 2 * MIN + 2000);
    expect(rec.of('1m').map((c) => [c.openTime, c.close, c.tradeCount])).toEqual([
      [T0, 100, 1],
      [T0 + MIN, 101, 1],
    ]);
  });

  it('fills empty minutes between trades and up to the clock with flat final candles', () => {
    const rec = recorder();
    const b = builder(rec, { allowedLatenessMs: 0 });
    b.onTrade(trade(T0 + 10, 100, 1));
    b.onTrade(trade(T0 + 20, 97, 1)); // close 97
    b.onTrade(trade(T0 + 3 * MIN + 5, 110, 2));
    const flats = rec.of('1m').slice(1);
    expect(flats).toHaveLength(2);
    for (const [i, f] of flats.entries()) {
      expect(f).toMatchObject({
        openTime: T0 + (i + 1) * MIN,
        open: 97,
        high: 97,
        low: 97,
        close: 97,
        volume: 0,
        quoteVolume: 0,
        buyVolume: 0,
        buyQuoteVolume: 0,
        tradeCount: 0,
        version: 1,
        final: true,
      });
    }
    rec.clear();
    b.advanceTime(T0 + 7 * MIN); // closes minute 3, flats 4, 5, 6
    expect(rec.of('1m').map((c) => [c.openTime - T0, c.close, c.tradeCount])).toEqual([
      [3 * MIN, 110, 1],
      [4 * MIN, 110, 0],
      [5 * MIN, 110, 0],
      [6 * MIN, 110, 0],
    ]);
    // minute 4 ended the first 5m window: rolled up from 1m, flats add nothing
    expect(rec.of('5m')).toMatchObject([
      {
        openTime: T0,
        open: 100,
        high: 110,
        low: 97,
        close: 110,
        volume: 4,
        tradeCount: 3,
        version: 1,
        final: true,
      },
    ]);
  });

  it('emits a flat higher-timeframe candle for a window without trades', () => {
    const rec = recorder();
    const b = builder(rec, { allowedLatenessMs: 0 });
    b.onTrade(trade(T0 + 4 * MIN, 50, 1));
    b.onTrade(trade(T0 + 11 * MIN, 60, 1));
    expect(rec.of('5m')).toMatchObject([
      { openTime: T0, open: 50, high: 50, low: 50, close: 50, tradeCount: 1, final: true },
      {
        openTime: T0 + 5 * MIN,
        open: 50,
        high: 50,
        low: 50,
        close: 50,
        volume: 0,
        tradeCount: 0,
        final: true,
      },
    ]);
  });

  it('counts invalid trades, trades far ahead of the clock and throwing sinks instead of failing', () => {
    const errors: unknown[] = [];
    let calls = 0;
    const b = new CandleBuilder({
      exchange: 'x',
      market: 'spot',
      symbol: 'S',
      partialEveryMs: 0,
      maxFutureMs: 120_000,
      onCandle: () => {
        calls++;
        throw new Error('sink down');
      },
      onSinkError: (e) => errors.push(e),
    });
    b.onTrade(trade(T0, NaN, 1));
    b.onTrade(trade(T0, 100, -1));
    b.onTrade(trade(T0, 100, 0));
    b.onTrade(trade(Number.NaN, 100, 1));
    b.onTrade(trade(T0, Infinity, 1));
    b.advanceTime(T0);
    b.onTrade(trade(T0 + 10 * MIN, 100, 1)); // ten minutes ahead of the clock
    b.onTrade(trade(T0 + 1000, 100, 1));
    b.onTrade(trade(T0 + MIN + 1000, 100, 1));
    expect(b.stats()).toMatchObject({
      invalidDropped: 5,
      futureDropped: 1,
      trades: 2,
      emitted: 1,
      sinkErrors: 1,
    });
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
    expect(() => builder(recorder(), { allowedLatenessMs: -1 })).toThrow(RangeError);
    expect(() => builder(recorder(), { lateHorizonMs: 1234 })).toThrow(RangeError);
    expect(() => b.advanceTime(Number.NaN)).toThrow(RangeError);
  });
});

describe('CandleBuilder: late trades', () => {
  it('re-emits a corrected 1m with version + 1 and every roll-up containing it', () => {
    const rec = recorder();
    const b = builder(rec, { allowedLatenessMs: 0 });
    b.onTrade(trade(T0 + 1000, 100, 1));
    b.onTrade(trade(T0 + 2 * MIN, 101, 1));
    b.onTrade(trade(T0 + 6 * MIN, 102, 1)); // closes 2..5: the first 5m window is final
    expect(rec.latest('5m')).toMatchObject([{ openTime: T0, version: 1, final: true, high: 101, volume: 2 }]);
    rec.clear();

    b.onTrade(trade(T0 + 30_000, 120, 2, 'sell', 4)); // late, for minute 0
    expect(rec.of('1m')).toMatchObject([
      {
        openTime: T0,
        open: 100,
        high: 120,
        low: 100,
        close: 120,
        volume: 3,
        tradeCount: 5,
        version: 2,
        final: true,
      },
      // the flat after it carried the old close
      { openTime: T0 + MIN, open: 120, close: 120, volume: 0, tradeCount: 0, version: 2, final: true },
    ]);
    // the 5m window is closed: re-emitted final; 15m…1d are still open and were never emitted
    expect(rec.all.filter((c) => c.interval !== '1m')).toMatchObject([
      { interval: '5m', openTime: T0, high: 120, volume: 4, tradeCount: 6, version: 2, final: true },
    ]);
    expect(b.stats()).toMatchObject({ lateAccepted: 1, lateDropped: 0 });
  });

  it('re-emits open roll-ups already published as partials, with version + 1', () => {
    const rec = recorder();
    const b = builder(rec, { allowedLatenessMs: 0, partialEveryMs: 1000 });
    b.onTrade(trade(T0 + 1000, 100, 1));
    b.onTrade(trade(T0 + MIN + 1000, 101, 1));
    b.advanceTime(T0 + MIN + 2000); // partials of the open 1m and all roll-ups
    expect(rec.latest('1h')).toMatchObject([{ version: 1, final: false, volume: 2 }]);
    rec.clear();
    b.onTrade(trade(T0 + 5000, 99, 1, 'sell')); // late, minute 0
    expect(rec.all.map((c) => [c.interval, c.version, c.final, c.low])).toEqual([
      ['1m', 2, true, 99],
      ['5m', 2, false, 99],
      ['15m', 2, false, 99],
      ['1h', 2, false, 99],
      ['4h', 2, false, 99],
      ['1d', 2, false, 99],
    ]);
  });

  it('turns a flat into a real candle and re-prices the flats after it', () => {
    const rec = recorder();
    const b = builder(rec, { allowedLatenessMs: 0 });
    b.onTrade(trade(T0 + 1000, 100, 1));
    b.onTrade(trade(T0 + 4 * MIN, 110, 1)); // flats 1, 2, 3 at 100
    rec.clear();
    b.onTrade(trade(T0 + 2 * MIN + 1, 90, 1)); // late, into flat minute 2
    expect(
      rec
        .of('1m')
        .map((c) => [(c.openTime - T0) / MIN, c.open, c.high, c.low, c.close, c.tradeCount, c.version]),
    ).toEqual([
      [2, 90, 90, 90, 90, 1, 2],
      [3, 90, 90, 90, 90, 0, 2],
    ]);
  });

  it('counts a trade older than the horizon as dropped and accepts one inside it', () => {
    const rec = recorder();
    const b = builder(rec, { allowedLatenessMs: 0, lateHorizonMs: 10 * MIN });
    b.onTrade(trade(T0 + 1000, 100, 1));
    b.onTrade(trade(T0 + 20 * MIN, 100, 1)); // nextStart = minute 20, horizon reaches back to minute 10
    rec.clear();
    b.onTrade(trade(T0 + 5 * MIN, 100, 1));
    expect(rec.all).toEqual([]);
    expect(b.stats()).toMatchObject({ lateDropped: 1, lateAccepted: 0 });
    b.onTrade(trade(T0 + 12 * MIN, 95, 1));
    expect(b.stats()).toMatchObject({ lateDropped: 1, lateAccepted: 1 });
    expect(rec.of('1m')[0]).toMatchObject({ openTime: T0 + 12 * MIN, close: 95, version: 2 });
  });

  it('extends history back for a trade before the first one seen', () => {
    const rec = recorder();
    const b = builder(rec, { allowedLatenessMs: 0 });
    b.onTrade(trade(T0 + 3 * MIN, 100, 1));
    b.onTrade(trade(T0 + 4 * MIN, 100, 1)); // closes minute 3
    b.onTrade(trade(T0 + 1 * MIN, 80, 1)); // earlier than anything seen
    expect(rec.latest('1m').map((c) => [(c.openTime - T0) / MIN, c.close, c.tradeCount, c.version])).toEqual([
      [1, 80, 1, 1],
      [2, 80, 0, 1],
      [3, 100, 1, 1],
    ]);
  });
});

describe('CandleBuilder: partial candles', () => {
  it('emits open candles at most every partialEveryMs, only when changed, with rising versions', () => {
    const rec = recorder();
    const b = builder(rec, { partialEveryMs: 1000, allowedLatenessMs: 0 });
    b.onTrade(trade(T0 + 100, 100, 1));
    b.advanceTime(T0 + 200);
    expect(rec.of('1m')).toMatchObject([{ version: 1, final: false, close: 100 }]);
    b.onTrade(trade(T0 + 300, 101, 1));
    b.advanceTime(T0 + 700); // too soon
    expect(rec.of('1m')).toHaveLength(1);
    b.advanceTime(T0 + 1200);
    expect(rec.of('1m').map((c) => [c.version, c.close, c.final])).toEqual([
      [1, 100, false],
      [2, 101, false],
    ]);
    b.advanceTime(T0 + 2500); // nothing changed
    expect(rec.of('1m')).toHaveLength(2);
    b.advanceTime(T0 + MIN);
    expect(rec.of('1m').at(-1)).toMatchObject({ version: 3, final: true, close: 101 });
    // the roll-ups were emitted at +200 and +1200; a closed minute changes them, so once more
    expect(rec.latest('1d')).toMatchObject([{ version: 3, final: false, close: 101 }]);
  });
});

describe('CandleBuilders', () => {
  it('routes trades to one builder per instrument', () => {
    const rec = recorder();
    const bs = new CandleBuilders({ onCandle: rec.sink, partialEveryMs: 0, allowedLatenessMs: 0 });
    const eth = (ts: number, p: number) => ({ ...trade(ts, p, 1), symbol: 'ETHUSDT' });
    const perp = (ts: number, p: number) => ({ ...trade(ts, p, 1), market: 'perp' });
    const tape = [
      trade(T0, 100, 1),
      eth(T0 + 1, 10),
      perp(T0 + 2, 101),
      trade(T0 + 3, 102, 1),
      eth(T0 + 4, 11),
    ];
    for (const t of tape) bs.onTrade(t);
    bs.advanceTime(T0 + MIN);
    expect(bs.builders()).toHaveLength(3);
    const closes = rec
      .of('1m')
      .map((c) => `${c.market}:${c.symbol}=${c.close}/${c.tradeCount}`)
      .sort();
    expect(closes).toEqual(['perp:BTCUSDT=101/1', 'spot:BTCUSDT=102/2', 'spot:ETHUSDT=11/2']);
    expect(bs.stats()).toMatchObject({ trades: 5, emitted: 3 });
  });
});

describe('buildCandlesFromTrades', () => {
  it('folds directly per interval and rejects unknown intervals', () => {
    const tape = [trade(T0 + 1000, 10, 1), trade(T0 + 2 * MIN, 12, 1, 'sell'), trade(T0 + 7 * MIN, 8, 2)];
    expect(
      buildCandlesFromTrades(tape, '5m').map((c) => [
        c.openTime - T0,
        c.open,
        c.high,
        c.low,
        c.close,
        c.volume,
        c.buyVolume,
      ]),
    ).toEqual([
      [0, 10, 12, 10, 12, 2, 1],
      [5 * MIN, 8, 8, 8, 8, 2, 2],
    ]);
    expect(buildCandlesFromTrades(tape, '1m')).toHaveLength(8);
    expect(buildCandlesFromTrades([], '1m')).toEqual([]);
    expect(() => buildCandlesFromTrades(tape, '2m' as '1m')).toThrow(RangeError);
  });
});

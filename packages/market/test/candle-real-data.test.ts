import { readFileSync } from 'node:fs';
import { Side, type Candle, type Trade } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { CandleBuilder, buildCandlesFromTrades } from '../src/index.js';
import { expectSameCandle, recorder } from './candle-test-helpers.js';

// Real Binance captures; provenance in fixtures/PROVENANCE.md.
const fixture = (name: string) =>
  readFileSync(new URL(`../../../fixtures/binance/${name}`, import.meta.url), 'utf8');

interface AggTrade {
  a: number;
  p: string;
  q: string;
  f: number;
  l: number;
  T: number;
  m: boolean;
  s?: string;
}
interface WsKline {
  t: number;
  T: number;
  s: string;
  f: number;
  L: number;
  o: string;
  c: string;
  h: string;
  l: string;
  v: string;
  n: number;
  x: boolean;
  q: string;
  V: string;
  Q: string;
}

/** aggTrade → Trade. m = true: the buyer was the maker, so the aggressor sold. */
function toTrade(x: AggTrade, market: string, symbol: string): Trade {
  return {
    exchange: 'binance',
    market,
    symbol,
    tradeId: String(x.a),
    price: Number(x.p),
    size: Number(x.q),
    side: x.m ? Side.SIDE_SELL : Side.SIDE_BUY,
    exchangeTs: x.T,
    receivedTs: x.T,
    tradeCount: x.l - x.f + 1,
  };
}

/** A venue kline as a Candle, to compare market fields. */
function klineCandle(k: WsKline, market: string): Candle {
  return {
    exchange: 'binance',
    market,
    symbol: k.s,
    interval: '1m',
    openTime: k.t,
    closeTime: k.T + 1,
    open: Number(k.o),
    high: Number(k.h),
    low: Number(k.l),
    close: Number(k.c),
    volume: Number(k.v),
    quoteVolume: Number(k.q),
    buyVolume: Number(k.V),
    buyQuoteVolume: Number(k.Q),
    tradeCount: k.n,
    version: 1,
    final: k.x,
    source: 'exchange',
  };
}

/** Folds trades through a fresh builder and returns the final 1m candles. */
function fold(trades: Trade[]): Candle[] {
  const rec = recorder();
  const b = new CandleBuilder({
    exchange: 'binance',
    market: trades[0]!.market,
    symbol: trades[0]!.symbol,
    onCandle: rec.sink,
    partialEveryMs: 0,
  });
  for (const t of trades) b.onTrade(t);
  b.advanceTime(Math.max(...trades.map((t) => t.exchangeTs)) + 120_000);
  return rec.latest('1m').filter((c) => c.tradeCount > 0);
}

describe('candles from real Binance trades', () => {
  it('folds spot REST aggTrades, consistent with the REST kline of the same minute', () => {
    const agg = JSON.parse(fixture('spot_rest_aggTrades.real.json')) as AggTrade[];
    const trades = agg.map((x) => toTrade(x, 'spot', 'BTCUSDT'));
    const [candle, ...rest] = fold(trades);
    expect(rest).toEqual([]);
    // hand-summed from the fixture: 7 taker buys, 3 taker sells, all single trades
    expect(candle).toMatchObject({
      openTime: 1634944080000,
      open: 60759.6,
      high: 60759.6,
      low: 60759.59,
      close: 60759.6,
      tradeCount: 10,
      final: true,
    });
    expect(candle!.volume).toBeCloseTo(0.01948, 12);
    expect(candle!.buyVolume).toBeCloseTo(0.01861, 12);
    expectSameCandle(candle, buildCandlesFromTrades(trades, '1m')[0], 'spot REST');

    // The REST klines cover this minute, but the 10 aggTrades are only 1.6 s of its 593 trades:
    // all that can be checked is that they sit inside the venue's candle.
    const klines = JSON.parse(fixture('spot_rest_klines.real.json')) as (string | number)[][];
    const k = klines.find((r) => r[0] === candle!.openTime)!;
    expect(k).toBeDefined();
    const [, , high, low, , volume, , quote, count, buyVol] = k;
    expect(candle!.high).toBeLessThanOrEqual(Number(high));
    expect(candle!.low).toBeGreaterThanOrEqual(Number(low));
    expect(candle!.volume).toBeLessThan(Number(volume));
    expect(candle!.quoteVolume).toBeLessThan(Number(quote));
    expect(candle!.tradeCount).toBeLessThan(Number(count));
    expect(candle!.buyVolume).toBeLessThan(Number(buyVol));
  });

  describe('USDⓈ-M futures WS recording: aggTrades against the kline stream of the same symbols', () => {
    const aggs = fixture('futures_ws_aggTrade.real.jsonl')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { data: AggTrade & { s: string } }).data);
    const klines = fixture('futures_ws_kline_1m.real.jsonl')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { data: { k: WsKline } }).data.k);

    /** Trades of one symbol whose venue trade ids lie in [from, to], or null if the recording has a hole there. */
    function tradesBetween(symbol: string, from: number, to: number): Trade[] | null {
      const picked = aggs.filter((x) => x.s === symbol && x.l >= from && x.f <= to);
      let next = from;
      for (const x of picked) {
        if (x.f !== next) return null; // a gap, or an aggTrade straddling the boundary
        next = x.l + 1;
      }
      return next === to + 1 ? picked.map((x) => toTrade(x, 'perp', symbol)) : null;
    }

    it('equals every kline snapshot whose whole minute was recorded (OHLC, volumes, trade count)', () => {
      let compared = 0;
      for (const k of klines) {
        const trades = tradesBetween(k.s, k.f, k.L);
        if (!trades) continue;
        const [candle, ...rest] = fold(trades);
        expect(rest).toEqual([]);
        expectSameCandle(candle, klineCandle(k, 'perp'), `${k.s} L=${k.L}`);
        compared++;
      }
      // CTKUSDT and AKROUSDT have their second minute recorded from its first trade
      expect(compared).toBeGreaterThanOrEqual(15);
    });

    it('accounts for every change between consecutive snapshots of a partly recorded minute', () => {
      let compared = 0;
      for (const [i, k] of klines.entries()) {
        const prev = klines
          .slice(0, i)
          .reverse()
          .find((p) => p.s === k.s && p.t === k.t);
        if (!prev || prev.L === k.L || prev.f !== k.f) continue;
        const trades = tradesBetween(k.s, prev.L + 1, k.L);
        if (!trades) continue;
        const [c] = fold(trades);
        const what = `${k.s} ${prev.L}→${k.L}`;
        expect(c!.tradeCount, what).toBe(k.n - prev.n);
        expect(c!.volume, what).toBeCloseTo(Number(k.v) - Number(prev.v), 6);
        expect(c!.quoteVolume, what).toBeCloseTo(Number(k.q) - Number(prev.q), 4);
        expect(c!.buyVolume, what).toBeCloseTo(Number(k.V) - Number(prev.V), 6);
        expect(c!.close, what).toBe(Number(k.c));
        expect(c!.high, what).toBeLessThanOrEqual(Number(k.h));
        expect(c!.low, what).toBeGreaterThanOrEqual(Number(k.l));
        compared++;
      }
      expect(compared).toBeGreaterThanOrEqual(30);
    });
  });
});

import { QualityKind, Side, type BookUpdate, type QualityEvent, type Ticker, type Trade } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import {
  LATENCY_RELATIVE_ERROR, LatencyHistogram, QualityLedger, latencyBucketKey, latencyBucketValue, quantileOfBuckets,
} from '../src/index.js';

const T0 = Date.UTC(2026, 0, 5, 10, 0);
const MIN = 60_000;
const BTC = { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT' };
const ETH = { exchange: 'binance', market: 'spot', symbol: 'ETHUSDT' };
const BTC_PERP = { exchange: 'binance', market: 'perp', symbol: 'BTCUSDT' };

class TestClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

const trade = (ref: typeof BTC, exchangeTs: number, latency: number): Trade => ({
  ...ref, tradeId: String(exchangeTs), price: 100, size: 1, side: Side.SIDE_BUY, exchangeTs, receivedTs: exchangeTs + latency, tradeCount: 1,
});
const book = (exchangeTs: number, latency: number, snapshot = false): BookUpdate => ({
  ...BTC, snapshot, bids: [], asks: [], firstUpdateId: 1, lastUpdateId: 2, prevUpdateId: 0, bookEpoch: 1, exchangeTs, receivedTs: exchangeTs + latency,
});
const ticker = (exchangeTs: number, latency: number): Ticker => ({ ...BTC, exchangeTs, receivedTs: exchangeTs + latency });
const event = (ref: { exchange: string; market: string; symbol: string }, kind: QualityKind, ts: number): QualityEvent => ({
  ...ref, kind, bookEpoch: 1, expectedId: 0, receivedId: 0, detail: '', ts,
});

/** Exact nearest-rank quantile of raw samples. */
function exactQuantile(samples: number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil(q * s.length)) - 1]!;
}

function expectWithinBound(estimate: number | undefined, exact: number): void {
  expect(estimate).toBeDefined();
  expect(Math.abs(estimate! - exact)).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR * Math.abs(exact) + 1e-9);
}

describe('QualityLedger', () => {
  it('folds a constructed minute into the known counts, stale seconds and latency quantiles', () => {
    const clock = new TestClock(T0);
    const ledger = new QualityLedger({ clock, allowedLatenessMs: 2000 });
    // Minute 0: 100 trades every 500 ms with latencies 1..100 ms (received in seconds 0..49),
    // 20 book deltas at 5 ms, one snapshot (no latency sample), one ticker at second 55.
    for (let i = 0; i < 100; i++) ledger.onTrade(trade(BTC, T0 + i * 500, i + 1));
    for (let j = 0; j < 20; j++) ledger.onBookUpdate(book(T0 + 2000 * j + 7, 5));
    ledger.onBookUpdate(book(T0 + 1000, 900, true));
    ledger.onTicker(ticker(T0 + 55_000, 5));
    ledger.onTrade(trade(ETH, T0 + 3000, 10));
    ledger.onTrade(trade(BTC_PERP, T0 + 3000, 10));
    ledger.onQualityEvent(event(BTC, QualityKind.QUALITY_KIND_SEQUENCE_GAP, T0 + 10_000));
    ledger.onQualityEvent(event(BTC, QualityKind.QUALITY_KIND_SEQUENCE_GAP, T0 + 10_050));
    ledger.onQualityEvent(event(BTC, QualityKind.QUALITY_KIND_RESYNC, T0 + 10_100));
    // Connection-wide: charged to every binance spot instrument, not to binance perp.
    ledger.onQualityEvent(event({ ...BTC, symbol: '' }, QualityKind.QUALITY_KIND_RECONNECT, T0 + 20_000));
    ledger.onQualityEvent(event({ ...BTC, symbol: '' }, QualityKind.QUALITY_KIND_STALE, T0 + 19_000));
    ledger.onQualityEvent(event(BTC, QualityKind.QUALITY_KIND_MALFORMED, T0 + 20_000));

    clock.t = T0 + MIN + 1999; // minute 0 ends at T0 + 60 s; lateness 2 s not yet passed
    expect(ledger.advance()).toEqual([]);
    clock.t = T0 + MIN + 2000;
    const closed = ledger.advance();
    expect(closed.map((m) => `${m.market}:${m.symbol}`)).toEqual(['spot:BTCUSDT', 'spot:ETHUSDT', 'perp:BTCUSDT']);
    const btc = closed[0]!;
    expect(btc).toMatchObject({
      ...BTC, windowStart: T0, messages: 122, trades: 100, bookUpdates: 21, tickers: 1,
      sequenceGaps: 2, resyncs: 1, reconnects: 1, staleEvents: 1,
      staleSeconds: 9, // seconds 50..59 minus 55
      latencySamples: 121, minutes: 1, closedAt: T0 + MIN + 2000,
    });
    // Latencies 1..100 plus 21 fives: nearest-rank p50 is the 61st (40), p99 the 120th (99).
    expectWithinBound(btc.latencyP50Ms, 40);
    expectWithinBound(btc.latencyP99Ms, 99);
    expect(btc.latencyBucketCount.reduce((a, b) => a + b, 0)).toBe(121);
    expect(btc.latencyBucketMs).toEqual([...btc.latencyBucketMs].sort((a, b) => a - b));
    expect(closed[1]).toMatchObject({ messages: 1, reconnects: 1, staleEvents: 1, sequenceGaps: 0, staleSeconds: 59 });
    expect(closed[2]).toMatchObject({ messages: 1, reconnects: 0, staleEvents: 0 });

    // Late data for the closed minute is dropped and counted; too-far-future data too.
    ledger.onTrade(trade(BTC, T0 + 59_000, 3_500));
    ledger.onTrade(trade(BTC, clock.t + 10 * MIN, 1));
    expect(ledger.stats()).toMatchObject({ lateDropped: 1, futureDropped: 1, eventsIgnored: 1, instruments: 3 });

    // Minute 1: only the late trade's receipt (second 2); no samples, so no quantiles.
    clock.t = T0 + 2 * MIN + 2000;
    const next = ledger.advance();
    expect(next[0]).toMatchObject({ windowStart: T0 + MIN, messages: 0, staleSeconds: 59, latencySamples: 0, latencyBucketMs: [] });
    expect(next[0]!.latencyP50Ms).toBeUndefined();
    expect(next[1]).toMatchObject({ symbol: 'ETHUSDT', windowStart: T0 + MIN, staleSeconds: 60 });
  });

  it('emits every minute once, empty ones included, when the clock jumps', () => {
    const clock = new TestClock(T0 + 30_000);
    const ledger = new QualityLedger({ clock, allowedLatenessMs: 0 });
    ledger.onTrade(trade(BTC, T0 + 30_000, 1));
    clock.t = T0 + 5 * MIN;
    const closed = ledger.advance();
    expect(closed.map((m) => m.windowStart)).toEqual([T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN, T0 + 4 * MIN]);
    // The ledger first saw the instrument 30 s into minute 0: the 30 s before were not watched.
    expect(closed.map((m) => m.staleSeconds)).toEqual([29, 60, 60, 60, 60]);
    expect(ledger.advance()).toEqual([]);
    expect(ledger.stats()).toMatchObject({ minutesClosed: 5, messages: 1 });
  });

  it('counts malformed input instead of folding it', () => {
    const clock = new TestClock(T0);
    const ledger = new QualityLedger({ clock, allowedLatenessMs: 0 });
    ledger.onTrade(trade({ ...BTC, symbol: '' }, T0, 1));
    ledger.onTrade({ ...trade(BTC, T0, 1), receivedTs: Number.NaN });
    ledger.onQualityEvent({ ...event(BTC, QualityKind.QUALITY_KIND_RESYNC, T0), exchange: '' });
    // A connection-wide event before any instrument of its market has nothing to charge.
    ledger.onQualityEvent(event({ ...ETH, symbol: '' }, QualityKind.QUALITY_KIND_RECONNECT, T0));
    expect(ledger.stats()).toMatchObject({ invalidDropped: 3, eventsIgnored: 1, instruments: 0, messages: 0 });
    expect(() => new QualityLedger({ clock, allowedLatenessMs: -1 })).toThrow(/allowedLatenessMs/);
  });
});

describe('LatencyHistogram', () => {
  // Deterministic LCG: a spread of latencies over five decades, some negative (venue clock ahead).
  function samples(n: number, seed: number): number[] {
    let s = seed;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      const u = s / 2 ** 31;
      out.push(Math.round((u < 0.05 ? -1 : 1) * Math.exp(u * 11.5)));
    }
    return out;
  }

  it('reads every quantile within the stated relative error of the exact nearest-rank value', () => {
    const xs = samples(20_000, 7);
    const h = new LatencyHistogram();
    for (const x of xs) h.add(x);
    expect(h.count).toBe(xs.length);
    for (const q of [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1]) expectWithinBound(h.quantile(q), exactQuantile(xs, q));
    expect(h.buckets().valuesMs.length).toBeLessThan(2 * 915 + 2);
  });

  it('merges by bucket value exactly as if one histogram had seen every sample', () => {
    const a = samples(3000, 1);
    const b = samples(5000, 2);
    const ha = new LatencyHistogram();
    const hb = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (const x of a) {
      ha.add(x);
      all.add(x);
    }
    for (const x of b) {
      hb.add(x);
      all.add(x);
    }
    const merged = new Map<number, number>();
    for (const h of [ha, hb]) {
      const { valuesMs, counts } = h.buckets();
      valuesMs.forEach((v, i) => merged.set(v, (merged.get(v) ?? 0) + counts[i]!));
    }
    const values = [...merged.keys()].sort((x, y) => x - y);
    const counts = values.map((v) => merged.get(v)!);
    for (const q of [0.5, 0.99]) {
      expect(quantileOfBuckets(values, counts, q)).toBe(all.quantile(q));
      expectWithinBound(quantileOfBuckets(values, counts, q), exactQuantile([...a, ...b], q));
    }
  });

  it('keeps zero and sign, clamps the out-of-range and counts it', () => {
    expect(latencyBucketKey(0)).toBe(0);
    expect(latencyBucketValue(latencyBucketKey(-250))).toBeCloseTo(-250, -1);
    const h = new LatencyHistogram();
    h.add(1e12);
    h.add(Number.NaN);
    expect(h.count).toBe(1);
    expect(h.clamped).toBe(1);
    expect(new LatencyHistogram().quantile(0.5)).toBeUndefined();
  });
});

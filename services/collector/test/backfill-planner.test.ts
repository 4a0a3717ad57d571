import type { Candle } from '@pricelevel/contracts';
import { ManualClock, systemClock } from '@pricelevel/platform';
import { describe, expect, it } from 'vitest';
import {
  BackfillPagingError, KlinePager, isRetryable, parseBinanceKlines, parseTimeArg, planRange, renderProgressLine, withRetry,
} from '../src/index.js';
import { BinanceRestError } from '../src/exchanges/binance/binance-rest.js';
import { BybitRestError } from '../src/exchanges/bybit/bybit-rest.js';

const H = 3_600_000;
const c = (openTime: number): Candle => ({
  exchange: 'x', market: 'spot', symbol: 'BTCUSDT', interval: '1h', openTime, closeTime: openTime + H,
  open: 1, high: 1, low: 1, close: 1, volume: 0, quoteVolume: 0, buyVolume: 0, buyQuoteVolume: 0, tradeCount: 0, version: 1, final: true, source: 'exchange',
});
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => c(from + i * H));

/** Drives a pager against a venue function until done; returns the kept open times and the requests. */
function drive(p: KlinePager, venue: (r: { startTime: number; endTime: number; limit: number }) => Candle[]) {
  const kept: number[] = [];
  const reqs: { startTime: number; endTime: number; limit: number }[] = [];
  for (let r = p.next(); r; r = p.next()) {
    reqs.push(r);
    kept.push(...p.accept(venue(r)).map((x) => x.openTime));
  }
  return { kept, reqs };
}

/** A venue with candles at open times [listed, listed + n·H). */
const listedAt = (listed: number, n: number) => ({
  forward: (r: { startTime: number; endTime: number; limit: number }) =>
    range(listed, n).filter((x) => x.openTime >= r.startTime && x.openTime <= r.endTime).slice(0, r.limit),
  newestInWindow: (r: { startTime: number; endTime: number; limit: number }) =>
    range(listed, n).filter((x) => x.openTime >= r.startTime && x.openTime <= r.endTime).slice(-r.limit),
  latest: (r: { limit: number }) => range(listed, n).slice(-r.limit),
});

describe('KlinePager', () => {
  it('forward: pages from the cursor until a short page, each open time once', () => {
    const v = listedAt(10 * H, 25);
    const { kept, reqs } = drive(new KlinePager({ mode: 'forward', start: 0, end: 100 * H, intervalMs: H, limit: 10 }), v.forward);
    expect(kept).toEqual(range(10 * H, 25).map((x) => x.openTime));
    expect(reqs.map((r) => r.startTime)).toEqual([0, 20 * H, 30 * H]); // the listing is skipped by the venue
  });

  it('forward: stops at the end of the range without asking past it', () => {
    const v = listedAt(0, 100);
    const { kept, reqs } = drive(new KlinePager({ mode: 'forward', start: 0, end: 20 * H, intervalMs: H, limit: 10 }), v.forward);
    expect(kept).toHaveLength(20);
    expect(reqs).toHaveLength(2);
  });

  it('forward: an answer that ends before the cursor is an error, not a loop', () => {
    const p = new KlinePager({ mode: 'forward', start: 0, end: 100 * H, intervalMs: H, limit: 10 });
    p.next();
    p.accept(range(0, 10));
    p.next();
    expect(() => p.accept(range(0, 10))).toThrow(BackfillPagingError);
  });

  it('forward: overlapping answers keep only what is new', () => {
    const p = new KlinePager({ mode: 'forward', start: 5 * H, end: 100 * H, intervalMs: H, limit: 10 });
    p.next();
    expect(p.accept(range(0, 10)).map((x) => x.openTime)).toEqual([5, 6, 7, 8, 9].map((i) => i * H));
    expect(p.cursor).toBe(10 * H);
  });

  it('window: windows of exactly `limit` candles get everything from a newest-first venue, skipping empty ones', () => {
    const v = listedAt(35 * H, 30);
    const { kept, reqs } = drive(new KlinePager({ mode: 'window', start: 0, end: 60 * H, intervalMs: H, limit: 10 }), v.newestInWindow);
    expect(kept).toEqual(range(35 * H, 25).map((x) => x.openTime));
    // Empty windows step 1 ms past their end (the grid is unknown until a candle is seen); then 10 per window.
    expect(reqs).toHaveLength(7);
    expect(reqs.slice(-3).map((r) => r.startTime)).toEqual([37 * H, 47 * H, 57 * H]);
    for (const r of reqs) expect((r.endTime - r.startTime) / H + 1).toBeLessThanOrEqual(10);
  });

  it('window: rows outside the window mean the venue ignored it', () => {
    const p = new KlinePager({ mode: 'window', start: 0, end: 60 * H, intervalMs: H, limit: 10 });
    p.next();
    expect(() => p.accept(range(50 * H, 10))).toThrow(/ignored the requested window/);
  });

  it('window: an unaligned start loses no candle between windows', () => {
    const v = listedAt(0, 40);
    const { kept } = drive(new KlinePager({ mode: 'window', start: H / 2, end: 40 * H, intervalMs: H, limit: 10 }), v.newestInWindow);
    expect(kept).toEqual(range(H, 39).map((x) => x.openTime));
  });

  it('latest: one request sized to reach the cursor; what the cap cannot reach is reported', () => {
    const v = listedAt(0, 100);
    const small = drive(new KlinePager({ mode: 'latest', start: 90 * H, end: 100 * H, intervalMs: H, limit: 50, now: 100 * H + 1 }), v.latest);
    expect(small.reqs).toEqual([{ startTime: 90 * H, endTime: 100 * H - 1, limit: 12 }]);
    expect(small.kept).toEqual(range(90 * H, 10).map((x) => x.openTime));

    const p = new KlinePager({ mode: 'latest', start: 0, end: 100 * H, intervalMs: H, limit: 50, now: 100 * H + 1 });
    const capped = drive(p, v.latest);
    expect(capped.kept).toEqual(range(50 * H, 50).map((x) => x.openTime));
    expect(p.unreachable).toEqual({ from: 0, to: 50 * H });
  });

  it('rejects an answer that is not ascending', () => {
    const p = new KlinePager({ mode: 'forward', start: 0, end: 10 * H, intervalMs: H, limit: 10 });
    p.next();
    expect(() => p.accept([c(2 * H), c(H)])).toThrow(/ascending/);
  });
});

describe('planRange', () => {
  const now = 100 * H + 30_000; // 30 s into the candle opened at 100 h
  it('starts at since on an empty store and ends before the still-open candle', () => {
    expect(planRange({ since: 10 * H, now, intervalMs: H })).toEqual({ start: 10 * H, end: 99 * H + 30_001 });
  });
  it('resumes after the last stored candle; nothing to do when it is the last closed one', () => {
    expect(planRange({ since: 10 * H, now, intervalMs: H, stored: { firstOpenTime: 10 * H, lastOpenTime: 50 * H } }).start).toBe(51 * H);
    const r = planRange({ since: 10 * H, now, intervalMs: H, stored: { firstOpenTime: 10 * H, lastOpenTime: 99 * H } });
    expect(r.start).toBeGreaterThanOrEqual(r.end);
  });
  it('takes the first stored candle as the start of the venue history; full ignores the store', () => {
    const stored = { firstOpenTime: 40 * H, lastOpenTime: 99 * H };
    expect(planRange({ since: 10 * H, now, intervalMs: H, stored })).toMatchObject({ start: 100 * H, headBefore: 40 * H });
    expect(planRange({ since: 10 * H, now, intervalMs: H, stored, full: true, until: 20 * H })).toEqual({ start: 10 * H, end: 20 * H });
  });
});

describe('parseTimeArg', () => {
  const now = Date.UTC(2025, 5, 1, 12);
  it('reads dates, date-times, epoch ms and ages', () => {
    expect(parseTimeArg('2024-01-01', now)).toBe(Date.UTC(2024, 0, 1));
    expect(parseTimeArg('2024-01-01T06:30:00Z', now)).toBe(Date.UTC(2024, 0, 1, 6, 30));
    expect(parseTimeArg('2024-01-01T06:30', now)).toBe(Date.UTC(2024, 0, 1, 6, 30));
    expect(parseTimeArg('1704067200000', now)).toBe(1704067200000);
    expect(parseTimeArg('30d', now)).toBe(now - 30 * 24 * H);
    expect(parseTimeArg('12h', now)).toBe(now - 12 * H);
  });
  it('names what it cannot read', () => {
    expect(() => parseTimeArg('yesterday', now, '--since')).toThrow(/--since: cannot read "yesterday"/);
    expect(() => parseTimeArg('2024-13-45', now)).toThrow(/not a valid time/);
  });
});

describe('venue answers and retries', () => {
  it('parses Binance kline rows and refuses malformed ones', () => {
    const row = [3_600_000, '1.5', '2', '1', '1.8', '10', 7_199_999, '15', 7, '4', '6', '0'];
    const [k] = parseBinanceKlines([row], 'spot', 'BTCUSDT', '1h', 7_200_000);
    expect(k).toMatchObject({ openTime: H, closeTime: 2 * H, open: 1.5, close: 1.8, volume: 10, quoteVolume: 15, tradeCount: 7, buyVolume: 4, buyQuoteVolume: 6, final: true, source: 'exchange', version: 1 });
    expect(() => parseBinanceKlines({ code: -1121 }, 'spot', 'BTCUSDT', '1h', 0)).toThrow(/not an array/);
    expect(() => parseBinanceKlines([[H, 'x', '2', '1', '1', '1', 0, '1', 1, '1', '1']], 'spot', 'BTCUSDT', '1h', 0)).toThrow(/invalid price/);
  });

  it('retries rate limits and server errors, not bad requests or aborts', async () => {
    expect(isRetryable(new BinanceRestError('x', 429))).toBe(true);
    expect(isRetryable(new BinanceRestError('x', 400, -1121))).toBe(false);
    expect(isRetryable(new BybitRestError('x', 200, 10006))).toBe(true);
    expect(isRetryable(new BybitRestError('x', 200, 10001))).toBe(false);
    expect(isRetryable(new Error('GET /x aborted'))).toBe(false);
    expect(isRetryable(new Error('GET /x timed out after 10000 ms'))).toBe(true);

    let calls = 0;
    const value = await withRetry(async () => {
      if (++calls < 3) throw new BybitRestError('busy', 503);
      return 'ok';
    }, { clock: systemClock, baseDelayMs: 1 });
    expect([value, calls]).toEqual(['ok', 3]);
    await expect(withRetry(async () => { throw new BinanceRestError('bad', 400); }, { clock: new ManualClock() })).rejects.toThrow('bad');
  });

  it('renders a progress bar', () => {
    expect(renderProgressLine({ phase: 'page', label: 'binance:spot:BTCUSDT 1h', done: 25, total: 100, stored: 25, requests: 1 }, 10)).toBe(
      '[###-------]  25%  binance:spot:BTCUSDT 1h  25/100  stored 25  1 req',
    );
  });
});

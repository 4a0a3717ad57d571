import { ManualClock, silentLogger, systemClock } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceRestClient, BinanceRestError, depthWeight } from '../src/exchanges/binance/binance-rest.js';
import { OpenInterestPoller } from '../src/exchanges/binance/open-interest-poller.js';
import { WeightLimiter } from '../src/exchanges/binance/weight-limiter.js';
import type { Ticker } from '@pricelevel/contracts';
import { FakeBinance } from './helpers/fake-binance.js';

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] ?? null });

describe('WeightLimiter (pure, on a manual clock)', () => {
  it('lets requests through within the budget and waits for the next minute beyond it', () => {
    const clock = new ManualClock(60_000 * 100 + 10_000);
    const l = new WeightLimiter({ limitPerMinute: 100, budgetFraction: 1, clock });
    expect(l.delayFor(50)).toBe(0);
    void l.acquire(50);
    void l.acquire(40);
    expect(l.state().used).toBe(90);
    expect(l.delayFor(20)).toBe(50_000 + 50); // until the minute rolls over (+ margin)
    clock.advance(50_001);
    expect(l.delayFor(20)).toBe(0);
    expect(l.state().used).toBe(0);
  });

  it('takes the venue count from X-MBX-USED-WEIGHT-1M', () => {
    const clock = new ManualClock(60_000 * 7);
    const l = new WeightLimiter({ limitPerMinute: 1000, budgetFraction: 0.5, clock });
    l.onResponse(200, headers({ 'x-mbx-used-weight-1m': '490' }));
    expect(l.state().used).toBe(490);
    expect(l.delayFor(5)).toBe(0);
    expect(l.delayFor(20)).toBeGreaterThan(0);
    expect(l.delayFor(5, true)).toBeGreaterThan(0); // low priority only uses half the budget
  });

  it('429 and 418 block everything for Retry-After seconds; without the header it backs off exponentially', () => {
    const clock = new ManualClock(1_000_000);
    const l = new WeightLimiter({ limitPerMinute: 1000, clock, defaultBackoffMs: 1000 });
    l.onResponse(429, headers({ 'retry-after': '7' }));
    expect(l.delayFor(1)).toBe(7000);
    clock.advance(7000);
    expect(l.delayFor(1)).toBe(0);
    l.onResponse(418, headers({})); // second strike, no header: 1000 × 2
    expect(l.delayFor(1)).toBe(2000);
    clock.advance(2000);
    l.onResponse(200, headers({}));
    l.onResponse(418, headers({}));
    expect(l.delayFor(1)).toBe(1000); // strikes reset by a success
  });

  it('acquire() waits on the clock and can be aborted', async () => {
    const clock = new ManualClock(0);
    const l = new WeightLimiter({ limitPerMinute: 1000, clock });
    l.onResponse(429, headers({ 'retry-after': '3' }));
    let done = false;
    const p = l.acquire(1).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(3000);
    await p;
    expect(done).toBe(true);
    l.onResponse(429, headers({ 'retry-after': '3' }));
    const ac = new AbortController();
    const q = l.acquire(1, ac.signal);
    ac.abort();
    await expect(q).rejects.toThrow(/aborted/);
  });
});

describe('depth weights', () => {
  it('follow the documented tables', () => {
    expect([100, 500, 1000, 5000].map((n) => depthWeight('spot', n))).toEqual([5, 25, 50, 250]);
    expect([50, 100, 500, 1000].map((n) => depthWeight('perp', n))).toEqual([2, 5, 10, 20]);
  });
});

describe('BinanceRestClient against an in-test server', () => {
  let fake: FakeBinance | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('fetches a perp snapshot and open interest, reading the weight header', async () => {
    fake = await FakeBinance.start({ market: 'perp', symbols: ['BTCUSDT'] });
    const limiter = new WeightLimiter({ limitPerMinute: 2400, clock: systemClock });
    const rest = new BinanceRestClient({ restUrl: fake.restUrl + '/', market: 'perp', limiter, clock: systemClock });
    fake.step(3);
    const snap = await rest.depthSnapshot('BTCUSDT', 1000);
    expect(snap.lastUpdateId).toBe(fake.book('BTCUSDT').lastUpdateId);
    expect(snap.bids.map((l) => [l.price, l.size])).toEqual(fake.book('BTCUSDT').levels().bids);
    expect(snap.T).toBeGreaterThan(0);
    expect(fake.restCalls[0]).toBe('/fapi/v1/depth?symbol=BTCUSDT&limit=1000');
    const oi = await rest.openInterest('BTCUSDT');
    expect(oi.openInterest).toBeGreaterThan(1000);
    expect(limiter.state().used).toBe(21); // the venue's count, not the local estimate
  });

  it('turns venue errors into BinanceRestError with the code; 429 blocks the limiter', async () => {
    fake = await FakeBinance.start({ market: 'spot', symbols: ['BTCUSDT'] });
    const limiter = new WeightLimiter({ limitPerMinute: 6000, clock: systemClock });
    const rest = new BinanceRestClient({ restUrl: fake.restUrl, market: 'spot', limiter, clock: systemClock });
    const err = await rest.depthSnapshot('NOPEUSDT', 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BinanceRestError);
    expect((err as BinanceRestError).code).toBe(-1121);
    await expect(rest.depthSnapshot('BTCUSDT', 6000)).rejects.toThrow(RangeError);
    await expect(rest.openInterest('BTCUSDT')).rejects.toThrow(/perp/);
    fake.restOverride = () => ({ status: 429, headers: { 'retry-after': '120' }, body: '{"code":-1003,"msg":"Too much request weight used"}' });
    await expect(rest.depthSnapshot('BTCUSDT', 100)).rejects.toMatchObject({ status: 429, code: -1003 });
    expect(limiter.state().blockedForMs).toBeGreaterThan(100_000);
    const ac = new AbortController();
    const blocked = rest.depthSnapshot('BTCUSDT', 100, ac.signal);
    ac.abort();
    await expect(blocked).rejects.toThrow(/aborted/);
    expect(fake.restCalls).toHaveLength(2); // the blocked request never reached the venue
  });

  it('reports a non-JSON body and a timeout clearly', async () => {
    fake = await FakeBinance.start({ market: 'spot', symbols: ['BTCUSDT'] });
    const limiter = new WeightLimiter({ limitPerMinute: 6000, clock: systemClock });
    fake.restOverride = () => ({ status: 502, body: '<html>bad gateway</html>' });
    const rest = new BinanceRestClient({ restUrl: fake.restUrl, market: 'spot', limiter, clock: systemClock });
    await expect(rest.depthSnapshot('BTCUSDT', 100)).rejects.toThrow(/502: body is not JSON/);
    const hanging = new BinanceRestClient({
      restUrl: fake.restUrl, market: 'spot', limiter, clock: systemClock, timeoutMs: 50,
      fetch: (_u, init) => new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted by signal')))),
    });
    await expect(hanging.depthSnapshot('BTCUSDT', 100)).rejects.toThrow(/timed out after 50 ms/);
  });
});

describe('OpenInterestPoller', () => {
  it('polls every symbol in turn, stretches the interval to the weight share, survives errors', async () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    const failures: string[] = [];
    const poller = new OpenInterestPoller({
      symbols: ['AUSDT', 'BUSDT', 'CUSDT'],
      intervalMs: 1000,
      maxWeightPerMinute: 60, // 1 poll/s in total ⇒ each symbol every 3 s at best
      fetch: async (symbol) => {
        if (symbol === 'BUSDT' && seen.length === 1) throw new Error('boom');
        return { exchange: 'binance', market: 'perp', symbol, openInterest: 1, exchangeTs: clock.now(), receivedTs: clock.now() } as Ticker;
      },
      onTicker: (t) => seen.push(t.symbol),
      onError: (s) => failures.push(s),
      clock,
      logger: silentLogger,
    });
    expect(poller.effectiveIntervalMs).toBe(3000);
    poller.start();
    for (let i = 0; i < 7; i++) {
      clock.advance(1000);
      await new Promise((r) => setImmediate(r));
    }
    poller.stop();
    clock.advance(10_000);
    await new Promise((r) => setImmediate(r));
    expect(failures).toEqual(['BUSDT']);
    expect(seen).toEqual(['AUSDT', 'CUSDT', 'AUSDT', 'BUSDT', 'CUSDT', 'AUSDT']);
  });

  it('rejects an empty symbol list', () => {
    expect(() => new OpenInterestPoller({
      symbols: [], intervalMs: 1, maxWeightPerMinute: 1, fetch: async () => ({}) as Ticker, onTicker: () => {}, clock: systemClock, logger: silentLogger,
    })).toThrow(/needs symbols/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { BinanceSimulator } from '../src/index.js';
import { TestClock, applyLevels, connect, sortedBook } from './helpers.js';

type Market = 'spot' | 'perp';
let sim: BinanceSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const restDepth = (m: Market) => (m === 'spot' ? '/api/v3/depth' : '/fapi/v1/depth');

describe.each(['spot', 'perp'] as Market[])('%s depth stream', (market) => {
  it.each(['depth@100ms', 'depth'])(
    'snapshot + every %s event reproduces sim.book(), ids chain',
    async (suffix) => {
      const clock = new TestClock();
      sim = await BinanceSimulator.start({
        seed: 42,
        symbols: ['BTCUSDT', 'ETHUSDT'],
        markets: [market],
        autoTick: false,
        clock,
        tradesPerSecond: 30,
      });
      const wsUrl = market === 'spot' ? sim.urls.spotWs : sim.urls.perpWs;
      const restUrl = market === 'spot' ? sim.urls.spotRest : sim.urls.perpRest;
      const stream = `ethusdt@${suffix}`;
      const c = await connect(`${wsUrl}/ws/${stream}`);
      const advance = (n: number) => {
        for (let i = 0; i < n; i++) {
          clock.t += 100;
          sim!.tick();
        }
      };
      advance(25);
      const snap = await (await fetch(`${restUrl}${restDepth(market)}?symbol=ETHUSDT&limit=1000`)).json();
      advance(65); // 90 ticks in all: a multiple of every cadence (1, 3 and 10 ticks), so the last event is out
      const target = sim.book(market, 'ETHUSDT').lastUpdateId;
      await c.waitFor((m) => m.length > 0 && m[m.length - 1].u === target);
      c.ws.close();

      const events = c.msgs;
      // Chain: u ≥ U; next U = previous u + 1; perp pu = previous u.
      for (let i = 0; i < events.length; i++) {
        const e = events[i];
        expect(e.e).toBe('depthUpdate');
        expect(e.u).toBeGreaterThanOrEqual(e.U);
        if (i > 0) {
          expect(e.U).toBe(events[i - 1].u + 1);
          if (market === 'perp') expect(e.pu).toBe(events[i - 1].u);
        }
      }

      // The documented sync: drop old events, check the join, apply the rest.
      const bids = new Map<string, string>(snap.bids);
      const asks = new Map<string, string>(snap.asks);
      let id = snap.lastUpdateId as number;
      const live = events.filter((e) => (market === 'spot' ? e.u > id : e.u >= id));
      expect(live.length).toBeGreaterThan(0);
      const first = live[0];
      if (market === 'spot') expect(first.U <= id + 1 && id + 1 <= first.u).toBe(true);
      else expect(first.U <= id && first.u >= id).toBe(true);
      for (const e of live) {
        applyLevels(bids, e.b);
        applyLevels(asks, e.a);
        id = e.u;
      }
      const book = sim.book(market, 'ETHUSDT');
      expect(id).toBe(book.lastUpdateId);
      expect(sortedBook(bids, true)).toEqual(book.bids);
      expect(sortedBook(asks, false)).toEqual(book.asks);
      // A full, uncrossed book of a realistic size.
      expect(book.bids.length).toBeGreaterThanOrEqual(100);
      expect(book.asks.length).toBeLessThanOrEqual(300);
      expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]);
    },
  );
});

describe('determinism', () => {
  it('same seed and tick count give the same market; another seed does not', async () => {
    const run = async (seed: number) => {
      const s = await BinanceSimulator.start({
        seed,
        symbols: ['BTCUSDT'],
        autoTick: false,
        clock: new TestClock(),
      });
      s.tick(200);
      const out = { book: s.book('perp', 'BTCUSDT'), trades: s.trades('spot', 'BTCUSDT') };
      await s.close();
      return out;
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(b).toEqual(a);
    expect(c.book).not.toEqual(a.book);
    expect(a.trades.length).toBeGreaterThan(50);
  });

  it('the book never crosses and trades move the price', async () => {
    sim = await BinanceSimulator.start({
      seed: 3,
      symbols: ['BTCUSDT'],
      markets: ['perp'],
      autoTick: false,
      clock: new TestClock(),
    });
    const mids = new Set<number>();
    for (let i = 0; i < 300; i++) {
      sim.tick();
      const b = sim.book('perp', 'BTCUSDT');
      expect(b.bids[0]![0]).toBeLessThan(b.asks[0]![0]);
      for (let k = 1; k < b.bids.length; k++) expect(b.bids[k]![0]).toBeLessThan(b.bids[k - 1]![0]);
      mids.add(b.bids[0]![0] + b.asks[0]![0]);
    }
    expect(mids.size).toBeGreaterThan(20);
  });
});

import type { OrderFlow } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { restDepth } from './book-test-helpers.js';
import { T0, engine, flowOf, snap, trade } from './flow-test-helpers.js';

const BIDS = [99.9, 99.8, 99.7, 99.6, 99.5, 99.4, 99.3, 99.2, 99.1, 99.0];
const ASKS = [100.1, 100.2, 100.3, 100.4, 100.5, 100.6, 100.7, 100.8, 100.9, 101.0];

/** Ten levels a side of size 1 around a mid of 100, with the given levels resized (walls: ≥ 5 × the median 1). */
function book(ts: number, bidWalls: Record<number, number> = {}, askWalls: Record<number, number> = {}, resyncing = false) {
  return snap(
    ts,
    BIDS.map((p) => [p, bidWalls[p] ?? 1]),
    ASKS.map((p) => [p, askWalls[p] ?? 1]),
    resyncing,
  );
}

const sec = (s: number) => T0 + s * 1000;

describe('OrderFlowEngine: liquidity walls', () => {
  it('counts walls against the side’s median level size and reports the nearest one', () => {
    const [f] = engine().closeSecond(book(sec(1), { 99.5: 10, 99.2: 20, 99.9: 4.9 }, { 100.5: 5 }));
    expect(f).toMatchObject({ bidWalls: 2, askWalls: 1, nearestBidWallPrice: 99.5, nearestBidWallSize: 10 });
    expect(f).toMatchObject({ nearestAskWallPrice: 100.5, nearestAskWallSize: 5 });
    expect(f!.nearestBidWallDistancePct).toBeCloseTo(0.5, 12);
    expect(f!.nearestAskWallDistancePct).toBeCloseTo(0.5, 12);
    const [g] = engine().closeSecond(book(sec(1)));
    expect(g).toMatchObject({ bidWalls: 0, askWalls: 0 });
    for (const k of ['nearestBidWallPrice', 'nearestBidWallSize', 'nearestBidWallDistancePct', 'nearestAskWallDistancePct'] as const) {
      expect(g![k]).toBeNaN();
    }
    expect(g!.wallLifetimeMeanS).toBeNaN();
  });

  it('finds the walls of a real Binance USDⓈ-M book (top 100 levels)', () => {
    const d = restDepth('futures_rest_depth_limit1000.real.json');
    const [f] = engine().closeSecond(snap(sec(1), d.bids.slice(0, 100), d.asks.slice(0, 100)));
    // Median bid size 1077.5, ask 1020 (computed outside the engine): six walls a side.
    expect(f).toMatchObject({ bidWalls: 6, askWalls: 6, nearestBidWallPrice: 7.591, nearestBidWallSize: 5441 });
    expect(f).toMatchObject({ nearestAskWallPrice: 7.626, nearestAskWallSize: 5547 });
  });

  it('ends a wall as pulled when no trade reached it, consumed when one did, with its lifetime', () => {
    const e = engine();
    e.closeSecond(book(sec(1), { 99.5: 10 }, { 100.5: 10 }));
    e.closeSecond(book(sec(2), { 99.5: 10 }, { 100.5: 10 }));
    // Second 3 trades a buy at the ask wall's price and a sell above the bid wall: both walls vanish.
    e.addTrade(trade(sec(2) + 100, 100.5, 1, 'buy'));
    e.addTrade(trade(sec(2) + 200, 99.6, 1, 'sell'));
    const [f] = e.closeSecond(book(sec(3)));
    expect(f).toMatchObject({ wallsPulled: 1, wallsConsumed: 1, wallLifetimeMeanS: 2 });
    // A sell through a bid wall consumes it; a level shrunk below the threshold counts as gone.
    e.closeSecond(book(sec(4), { 99.5: 10 }));
    e.addTrade(trade(sec(4) + 1, 99.4, 1, 'sell'));
    const [g] = e.closeSecond(book(sec(5), { 99.5: 4 }));
    expect(g).toMatchObject({ wallsPulled: 0, wallsConsumed: 1, wallLifetimeMeanS: 1 });
  });

  it('forgets a wall whose price left the levels shown, without ending it', () => {
    const e = engine();
    e.closeSecond(book(sec(1), { 99.0: 10 }));
    // The book moved up: 99.0 is now below the deepest bid shown.
    const [f] = e.closeSecond(snap(sec(2), BIDS.map((p) => [p + 0.5, 1]), ASKS.map((p) => [p + 0.5, 1])));
    expect(f).toMatchObject({ wallsPulled: 0, wallsConsumed: 0, bidWalls: 0 });
    // Back in view at size 1 it would end as pulled, had it still been followed.
    const [g] = e.closeSecond(book(sec(3)));
    expect(g).toMatchObject({ wallsPulled: 0, wallsConsumed: 0 });
  });

  it('neither starts nor ends walls on a resyncing snapshot', () => {
    const e = engine();
    e.closeSecond(book(sec(1), { 99.5: 10 }));
    const [r] = e.closeSecond(book(sec(2), {}, { 100.8: 10 }, true));
    expect(r).toMatchObject({ wallsPulled: 0, wallsConsumed: 0, askWalls: 1 });
    e.closeSecond(book(sec(3), { 99.5: 10 }));
    const [f] = e.closeSecond(book(sec(4)));
    // The wall lived from second 1 to 4; the ask wall seen only while resyncing was never followed.
    expect(f).toMatchObject({ wallsPulled: 1, wallsConsumed: 0, wallLifetimeMeanS: 3 });
  });

  it('stops following walls across a gap in the closed seconds', () => {
    const e = engine();
    e.closeSecond(book(sec(1), { 99.5: 10 }));
    const [f] = e.closeSecond(book(sec(10)));
    expect(f).toMatchObject({ wallsPulled: 0, wallsConsumed: 0 });
  });

  it('rolls up counts, and the lifetime mean weighted by walls, over an interval', () => {
    const e = engine({ intervals: ['1m'] });
    let out: OrderFlow[] = [];
    for (let s = 1; s <= 60; s++) {
      // Bid walls at 99.5 and 99.2 live seconds 1–2 (end at 3, 2 s each); the ask wall lives 1–5 (ends at 6, 5 s).
      const bids: Record<number, number> = s < 3 ? { 99.5: 10, 99.2: 10 } : {};
      const asks: Record<number, number> = s < 6 ? { 100.5: 10 } : { 100.9: 10 };
      if (s === 6) e.addTrade(trade(sec(5) + 1, 100.6, 1, 'buy'));
      out = e.closeSecond(book(sec(s), bids, asks));
    }
    const m = flowOf(out, '1m');
    // Per-second means are 2 and 5; over the three walls the mean is 3.
    expect(m).toMatchObject({ wallsPulled: 2, wallsConsumed: 1, wallLifetimeMeanS: 3 });
    expect(m).toMatchObject({ bidWalls: 0, askWalls: 1, nearestAskWallPrice: 100.9, nearestAskWallSize: 10 });
    expect(m.nearestAskWallDistancePct).toBeCloseTo(0.9, 12);
  });
});

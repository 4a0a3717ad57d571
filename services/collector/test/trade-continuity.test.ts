import { describe, expect, it } from 'vitest';
import {
  latestCountReaching,
  nextIdPage,
  RecentIds,
  SequentialTradeIds,
  sequentialId,
  tradesAfter,
  type TradeIdGap,
} from '../src/exchanges/trade-continuity.js';

describe('RecentIds', () => {
  it('reports duplicates and forgets the oldest beyond its capacity', () => {
    const r = new RecentIds(3);
    expect(['a', 'b', 'c'].map((x) => r.add(x))).toEqual([true, true, true]);
    expect(r.add('b')).toBe(false);
    expect(r.add('d')).toBe(true);
    expect(r.size).toBe(3);
    expect(r.has('a')).toBe(false);
    expect(r.has('d')).toBe(true);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RecentIds(0)).toThrow(RangeError);
    expect(() => new RecentIds(1.5)).toThrow(RangeError);
  });
});

describe('sequentialId', () => {
  it('reads safe non-negative integers only', () => {
    expect(sequentialId('966492862')).toBe(966492862);
    expect(sequentialId('0')).toBe(0);
    for (const bad of ['', '-1', '1.5', '1e3', '0cbf2330-952d-5d03', '100182534526255757567432481', '9007199254740993']) {
      expect(sequentialId(bad), bad).toBeNull();
    }
  });
});

describe('SequentialTradeIds', () => {
  it('passes consecutive ids and reports a jump as the exact missing range', () => {
    const s = new SequentialTradeIds('BTCUSDT');
    expect(s.lastId).toBeUndefined();
    expect(s.onLive(100)).toEqual({ publish: true, gap: null });
    expect(s.onLive(101)).toEqual({ publish: true, gap: null });
    const v = s.onLive(105);
    expect(v).toEqual({ publish: true, gap: { symbol: 'BTCUSDT', fromId: 102, toId: 104, receivedId: 105, cause: 'gap' } });
    expect(s.lastId).toBe(105);
    expect(s.openGaps()).toHaveLength(1);
  });

  it('publishes each missing id once, from REST or a late live copy, and counts what was recovered', () => {
    const s = new SequentialTradeIds('X');
    s.onLive(1);
    const v = s.onLive(6);
    const gap = (v as { gap: TradeIdGap }).gap;
    expect(s.onFetched(2)).toBe(true);
    expect(s.onFetched(2)).toBe(false); // fetched twice (a retried page)
    expect(s.onLive(3)).toEqual({ publish: true, gap: null }); // late on the socket
    expect(s.onFetched(3)).toBe(false);
    expect(s.onFetched(6)).toBe(false); // not missing: came live
    expect(s.onFetched(7)).toBe(false); // beyond the gap: the socket will bring it
    expect(s.onFetched(1)).toBe(false);
    expect(s.closeGap(gap)).toEqual({ recovered: 2, missing: 2 });
    expect(s.openGaps()).toEqual([]);
    expect(s.onFetched(4)).toBe(false); // closed: no longer wanted
    expect(() => s.closeGap(gap)).toThrow(/not open/);
  });

  it('drops duplicates and late copies of ids already handled', () => {
    const s = new SequentialTradeIds('X');
    s.onLive(10);
    s.onLive(11);
    expect(s.onLive(11)).toEqual({ publish: false, reason: 'duplicate' });
    expect(s.onLive(9)).toEqual({ publish: false, reason: 'late' });
  });

  it('labels the jump after a reconnect as the reconnect window, and only that jump', () => {
    const s = new SequentialTradeIds('X');
    s.markReconnect(); // before any trade: nothing to bridge
    s.onLive(1);
    s.markReconnect();
    expect(s.onLive(4)).toMatchObject({ gap: { fromId: 2, toId: 3, cause: 'reconnect' } });
    expect(s.onLive(7)).toMatchObject({ gap: { fromId: 5, toId: 6, cause: 'gap' } });
    s.markReconnect();
    expect(s.onLive(8)).toEqual({ publish: true, gap: null }); // nothing traded while away
    expect(s.onLive(10)).toMatchObject({ gap: { cause: 'gap' } });
  });

  it('keeps several gaps open at once', () => {
    const s = new SequentialTradeIds('X');
    s.onLive(1);
    const g1 = (s.onLive(3) as { gap: TradeIdGap }).gap;
    const g2 = (s.onLive(6) as { gap: TradeIdGap }).gap;
    expect(s.onFetched(2)).toBe(true);
    expect(s.onFetched(5)).toBe(true);
    expect(s.closeGap(g2)).toEqual({ recovered: 1, missing: 1 });
    expect(s.closeGap(g1)).toEqual({ recovered: 1, missing: 0 });
  });
});

describe('fetch planning', () => {
  const gap: TradeIdGap = { symbol: 'X', fromId: 100, toId: 2599, receivedId: 2600, cause: 'gap' };

  it('pages a gap by id', () => {
    const pages = [];
    for (let cursor = 0, p = nextIdPage(gap, cursor, 1000); p; p = nextIdPage(gap, cursor, 1000)) {
      pages.push(p);
      cursor = p.fromId + p.limit;
    }
    expect(pages).toEqual([
      { fromId: 100, limit: 1000 },
      { fromId: 1100, limit: 1000 },
      { fromId: 2100, limit: 500 },
    ]);
  });

  it('sizes a "latest N" request so it reaches the first missing id', () => {
    expect(latestCountReaching(100, 150, 2000)).toBe(51);
    expect(latestCountReaching(100, 100_000, 2000)).toBe(2000);
    expect(latestCountReaching(100, 50, 2000)).toBe(1);
  });

  it('finds the trades after the last one seen in a recent-trades list', () => {
    const list = ['a', 'b', 'c', 'd'].map((tradeId) => ({ tradeId }));
    expect(tradesAfter(list, 'b')).toEqual({ trades: [{ tradeId: 'c' }, { tradeId: 'd' }], found: true });
    expect(tradesAfter(list, 'd')).toEqual({ trades: [], found: true });
    expect(tradesAfter(list, 'z')).toEqual({ trades: list, found: false });
  });
});

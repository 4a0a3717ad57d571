import { QualityKind, Side, type QualityEvent, type Trade } from '@pricelevel/contracts';
import { ManualClock, silentLogger } from '@pricelevel/platform';
import { describe, expect, it } from 'vitest';
import { Counters } from '../src/exchanges/counters.js';
import { TradeGapFiller, type GapFetcher } from '../src/exchanges/trade-gap-filler.js';
import { parseRestAggTrade } from '../src/exchanges/binance/trade-gap-filler.js';
import { fixtureText } from './helpers/fixtures.js';

const trade = (id: number | string, symbol = 'BTCUSDT'): Trade => ({
  exchange: 'binance', market: 'spot', symbol, tradeId: String(id), price: 100, size: 1, side: Side.SIDE_BUY, exchangeTs: 1, receivedTs: 1, tradeCount: 1,
});
const flushMicrotasks = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function setup(fetchGap: GapFetcher) {
  const clock = new ManualClock(1_000);
  const published: Trade[] = [];
  const quality: QualityEvent[] = [];
  const counters = new Counters();
  const filler = new TradeGapFiller({
    exchange: 'binance', market: 'spot', symbols: ['BTCUSDT'], fetchGap,
    publish: (t) => published.push(t), quality: (q) => quality.push(q),
    clock, logger: silentLogger, counters, random: () => 0, retryMs: 100, maxAttempts: 3,
  });
  return { clock, published, quality, counters, filler };
}

describe('TradeGapFiller', () => {
  it('publishes live trades once and fills a gap from the fetcher', async () => {
    const { published, quality, counters, filler } = setup(async function* (gap) {
      yield [trade(gap.fromId), trade(gap.fromId + 1), trade(gap.toId + 1)]; // the last one is not missing
    });
    for (const id of [1, 2, 2, 5]) filler.onTrade(trade(id));
    await flushMicrotasks();
    expect(published.map((t) => t.tradeId)).toEqual(['1', '2', '5', '3', '4']);
    expect(quality.map((q) => [q.kind, q.expectedId, q.receivedId, q.ts, q.detail])).toEqual([
      [QualityKind.QUALITY_KIND_SEQUENCE_GAP, 3, 5, 1_000, 'trade ids: expected 3, received 5: 2 missing, recovered 2 of 2'],
    ]);
    expect(counters.toJSON()).toMatchObject({ tradeDuplicates: 1, tradeGaps: 1, tradesRecovered: 2 });
  });

  it('retries a failing fetch, then reports the gap unrecoverable with the reason', async () => {
    let calls = 0;
    const { clock, published, quality, counters, filler } = setup(async function* () {
      if (++calls > 0) throw new Error('HTTP 503');
      yield [];
    });
    filler.onTrade(trade(10));
    filler.onTrade(trade(13));
    for (let i = 0; i < 3; i++) {
      await flushMicrotasks();
      clock.advance(1_000);
    }
    await flushMicrotasks();
    expect(calls).toBe(3);
    expect(published.map((t) => t.tradeId)).toEqual(['10', '13']);
    // One event per gap, stamped when the gap was seen.
    expect(quality.map((q) => [q.ts, q.detail])).toEqual([[1_000, 'trade ids: expected 11, received 13: 2 missing, recovered 0 of 2; 2 unrecoverable (Error: HTTP 503)']]);
    expect(counters.toJSON()).toMatchObject({ tradeGapFetchFailures: 3, tradesUnrecoverable: 2 });
  });

  it('reports a gap still being filled at shutdown with what it got so far', async () => {
    const { quality, filler } = setup(async function* (gap) {
      yield [trade(gap.fromId)];
      await new Promise(() => {}); // the rest never comes
    });
    filler.onTrade(trade(1));
    filler.onTrade(trade(5));
    filler.onTrade(trade(6));
    filler.onTrade(trade(9)); // a second gap, queued behind the first
    await flushMicrotasks();
    expect(quality).toEqual([]);
    filler.stop();
    expect(quality.map((q) => q.detail)).toEqual([
      'trade ids: expected 2, received 5: 3 missing, recovered 1 of 3; 2 unrecoverable (fill interrupted by shutdown)',
      'trade ids: expected 7, received 9: 2 missing, recovered 0 of 2; 2 unrecoverable (fill interrupted by shutdown)',
    ]);
  });

  it('passes trades whose ids are not consecutive integers through unchecked', async () => {
    const { published, quality, filler } = setup(async function* () {});
    filler.onTrade(trade('0cbf2330-952d-5d03-a462-4bf826c867af'));
    filler.onTrade(trade(7, 'ETHUSDT')); // not a collected symbol
    expect(published).toHaveLength(2);
    expect(quality).toEqual([]);
  });
});

describe('parseRestAggTrade', () => {
  it('reads the real /api/v3/aggTrades rows and rejects broken ones', () => {
    const rows = JSON.parse(fixtureText('binance/spot_rest_aggTrades.real.json')) as unknown[];
    const t = parseRestAggTrade(rows[0], 'spot', 'BTCUSDT', 5);
    expect(t).toEqual({
      exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', tradeId: '966492862', price: 60759.6, size: 0.00841,
      side: Side.SIDE_BUY, exchangeTs: 1634944096633, receivedTs: 5, tradeCount: 1,
    });
    const ids = rows.map((r) => Number(parseRestAggTrade(r, 'spot', 'BTCUSDT', 5).tradeId));
    expect(ids.every((id, i) => i === 0 || id === ids[i - 1]! + 1)).toBe(true); // consecutive on the real venue
    expect(() => parseRestAggTrade({ a: 1, p: 'x', q: '1', f: 1, l: 1, T: 1, m: true }, 'spot', 'BTCUSDT', 5)).toThrow(/invalid/);
    expect(() => parseRestAggTrade(null, 'spot', 'BTCUSDT', 5)).toThrow(/invalid/);
  });
});

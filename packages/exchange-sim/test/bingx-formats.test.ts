/* eslint-disable @typescript-eslint/no-explicit-any -- frames parsed off the wire are checked field by field */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BingxSim } from '../src/index.js';
import { parseScaled, formatScaled } from '../src/decimal.js';
import { TestClock, readJson, readJsonl, shape } from './helpers.js';
import { bxConnect, pushes, replayIncrDepth, type BxClient } from './bingx-helpers.js';

const decimals = (s: string) => (s.includes('.') ? s.split('.')[1]!.length : 0);

/** The documented incrDepth push (no capture exists): key order and types of the docs sample. */
const INCR_DEPTH_SHAPE = {
  code: 'number',
  dataType: 'string',
  data: { action: 'string', lastUpdateId: 'number', time: 'number', bids: [['string']], asks: [['string']] },
};

describe('BingxSim: frames equal the real captures field for field', () => {
  let sim: BingxSim;
  let c: BxClient;
  const clock = new TestClock();
  const TOPICS = ['ETH-USDT@trade', 'ETH-USDT@incrDepth', 'ETH-USDT@kline_1m', 'ETH-USDT@markPrice', 'ETH-USDT@depth20@100ms', 'ETH-USDT@bookTicker', 'ETH-USDT@lastPrice', 'BTC-USDT@incrDepth'];

  beforeAll(async () => {
    sim = await BingxSim.start({ seed: 7, symbols: ['ETHUSDT', 'BTC-USDT'], autoTick: false, clock });
    c = await bxConnect(sim.urls.perpWs);
    TOPICS.forEach((t, i) => c.sub(t, `id${i}`));
    await c.waitFor((x) => x.msgs().filter((m) => m.id !== undefined).length === TOPICS.length, 5000, 'acks');
    for (let i = 0; i < 30; i++) {
      clock.t += 100;
      sim.tick();
    }
    await c.waitFor((x) => TOPICS.every((t) => pushes(x, t).length > 0), 5000, 'a push of every topic');
  });
  afterAll(async () => {
    c.ws.close();
    await sim.close();
  });

  it('sends every frame as binary gzip and acknowledges like the docs', () => {
    expect(c.frames.every((f) => f.binary && f.bytes[0] === 0x1f && f.bytes[1] === 0x8b)).toBe(true);
    const docs = readJson('bingx/ws_swap_protocol.docs.json');
    const acks = c.msgs().filter((m) => m.id !== undefined);
    expect(acks.map((a) => a.id)).toEqual(TOPICS.map((_, i) => `id${i}`));
    for (const a of acks) expect(shape(a)).toEqual(shape(docs.subscribe_ack));
  });

  it.each([
    ['ETH-USDT@trade', 'bingx/ws_swap_trade.real.jsonl'],
    ['ETH-USDT@kline_1m', 'bingx/ws_swap_kline_1m.real.jsonl'],
    ['ETH-USDT@markPrice', 'bingx/ws_swap_markPrice.real.jsonl'],
    ['ETH-USDT@depth20@100ms', 'bingx/ws_swap_depth20.real.jsonl'],
    ['ETH-USDT@bookTicker', 'bingx/ws_swap_bookTicker.real.jsonl'],
    ['ETH-USDT@lastPrice', 'bingx/ws_swap_lastPrice.real.jsonl'],
  ])('%s has the keys, key order and value types of %s', (dataType, file) => {
    const real = readJsonl(file)[0];
    const mine = pushes(c, dataType)[0];
    expect(shape(mine)).toEqual(shape(real));
    expect(mine.dataType).toBe(real.dataType.replace(/@depth20@\d+ms$/, '@depth20@100ms'));
  });

  it('trades carry the contract precision of the capture (ETH-USDT: 2 price and 2 quantity decimals), newest first', () => {
    const real = readJsonl('bingx/ws_swap_trade.real.jsonl')[0].data[0];
    for (const f of pushes(c, 'ETH-USDT@trade')) {
      for (const t of f.data) {
        expect(decimals(t.p)).toBe(decimals(real.p));
        expect(decimals(t.q)).toBe(decimals(real.q));
      }
      const times = f.data.map((t: any) => t.T);
      expect(times).toEqual([...times].sort((a, b) => b - a));
    }
  });

  it('depth20 lists asks highest first (best ask last) like the capture', () => {
    const f = pushes(c, 'ETH-USDT@depth20@100ms')[0];
    const asks = f.data.asks.map((l: string[]) => Number(l[0]));
    expect(asks.length).toBe(20);
    expect(asks).toEqual([...asks].sort((a, b) => b - a));
  });

  it('incrDepth: `all` then updates with lastUpdateId + 1 reproduce book() exactly', async () => {
    for (const sym of ['ETH-USDT', 'BTC-USDT']) {
      const last = () => pushes(c, `${sym}@incrDepth`).at(-1)?.data.lastUpdateId;
      await c.waitFor(() => last() === sim.book('perp', sym).seq, 5000, `${sym} last push`);
      const frames = pushes(c, `${sym}@incrDepth`);
      expect(frames[0].data.action).toBe('all');
      for (const f of frames) expect(shape(f)).toEqual(INCR_DEPTH_SHAPE);
      expect(frames.slice(1).every((f) => f.data.action === 'update')).toBe(true);
      const asks = frames[0].data.asks.map((l: string[]) => Number(l[0]));
      expect(asks).toEqual([...asks].sort((a, b) => b - a));
      const replayed = replayIncrDepth(frames);
      expect(replayed).toEqual(sim.book('perp', sym));
    }
  });

  it('REST bodies have the shapes of the captured ones', async () => {
    const get = async (p: string): Promise<any> => (await fetch(sim.urls.perpRest + p)).json();
    const cases: [string, string][] = [
      ['/openApi/swap/v2/quote/depth?symbol=BTC-USDT&limit=5', 'bingx/rest_swap_v2_quote_depth.likely-real.json'],
      ['/openApi/swap/v2/quote/trades?symbol=BTC-USDT&limit=10', 'bingx/rest_swap_v2_quote_trades.likely-real.json'],
      ['/openApi/swap/v3/quote/klines?symbol=BTC-USDT&interval=1m&limit=1', 'bingx/rest_swap_v3_quote_klines.likely-real.json'],
      ['/openApi/swap/v2/quote/klines?symbol=BTC-USDT&interval=1m&limit=1', 'bingx/rest_swap_v2_quote_klines.docs.json'],
      ['/openApi/swap/v2/quote/openInterest?symbol=BTC-USDT', 'bingx/rest_swap_v2_quote_openInterest.likely-real.json'],
      ['/openApi/swap/v2/quote/premiumIndex?symbol=BTC-USDT', 'bingx/rest_swap_v2_quote_premiumIndex.likely-real.json'],
    ];
    for (const [p, file] of cases) expect(shape(await get(p)), p).toEqual(shape(readJson(file)));
    const depth = await get('/openApi/swap/v2/quote/depth?symbol=BTC-USDT&limit=5');
    const view = sim.book('perp', 'BTCUSDT');
    expect(depth.data.bids.map((l: string[]) => [Number(l[0]), Number(l[1])])).toEqual(view.bids.slice(0, 5));
    expect(depth.data.asks.map((l: string[]) => [Number(l[0]), Number(l[1])])).toEqual(view.asks.slice(0, 5).reverse());
    // BTC-USDT precision of the captured trades: 1 price decimal, 4 quantity decimals, quoteQty rounded to 2.
    const trades = await get('/openApi/swap/v2/quote/trades?symbol=BTC-USDT&limit=10');
    for (const t of trades.data) {
      expect([decimals(t.price), decimals(t.qty), decimals(t.quoteQty)]).toEqual([1, 4, 2]);
      const exact = parseScaled(t.price, 1) * parseScaled(t.qty, 4); // 5 decimals
      expect(t.quoteQty).toBe(formatScaled((exact + 500n) / 1000n, 2));
    }
  });

  it('REST errors use the venue codes', async () => {
    const get = async (p: string): Promise<any> => (await fetch(sim.urls.perpRest + p)).json();
    expect((await get('/openApi/swap/v2/quote/depth?symbol=NOPE-USDT')).code).toBe(109425);
    expect((await get('/openApi/swap/v2/quote/depth?symbol=BTC-USDT&limit=7')).code).toBe(100400);
    expect((await get('/openApi/swap/v3/quote/klines?symbol=BTC-USDT&interval=7m')).code).toBe(100400);
    expect((await get('/openApi/swap/v2/quote/trades')).code).toBe(100400);
    const res = await fetch(sim.urls.perpRest + '/openApi/swap/v9/nothing');
    expect(res.status).toBe(404);
  });
});

describe('BingxSim klines: computed from its own trades, paged the venue way', () => {
  let sim: BingxSim;
  const clock = new TestClock(Date.UTC(2026, 0, 5, 10, 0, 0));
  beforeAll(async () => {
    sim = await BingxSim.start({ seed: 3, symbols: ['BTCUSDT'], autoTick: false, clock, tradesPerSecond: 20 });
    for (let i = 0; i < 1800; i++) {
      clock.t += 100; // three minutes
      sim.tick();
    }
  });
  afterAll(() => sim.close());

  const klines = async (q: string): Promise<any[]> => ((await (await fetch(`${sim.urls.perpRest}/openApi/swap/v3/quote/klines?symbol=BTC-USDT&${q}`)).json()) as any).data;

  it('each 1m kline is OHLCV of the trades in its minute, with an exact decimal volume sum', async () => {
    const rows = await klines('interval=1m');
    expect(rows.map((r) => r.time)).toEqual([0, 1, 2, 3].map((k) => clock.t - (clock.t % 60_000) - (3 - k) * 60_000));
    const trades = sim.trades('perp', 'BTCUSDT');
    for (const r of rows.slice(0, 3)) {
      const inMinute = trades.filter((t) => t.time >= r.time && t.time < r.time + 60_000);
      expect(inMinute.length).toBeGreaterThan(0);
      const vol = inMinute.reduce((s, t) => s + parseScaled(t.qtyStr, 4), 0n);
      expect(r.volume).toBe(formatScaled(vol, 4));
      expect(r.open).toBe(inMinute[0]!.priceStr);
      expect(r.close).toBe(inMinute[inMinute.length - 1]!.priceStr);
      expect(Number(r.high)).toBe(Math.max(...inMinute.map((t) => t.price)));
      expect(Number(r.low)).toBe(Math.min(...inMinute.map((t) => t.price)));
    }
  });

  it('pages by startTime/endTime/limit (limit capped at 1440)', async () => {
    const all = await klines('interval=1m');
    const t0 = all[0].time;
    expect((await klines(`interval=1m&startTime=${t0 + 1}&limit=2`)).map((r) => r.time)).toEqual([all[1].time, all[2].time]);
    expect((await klines(`interval=1m&endTime=${all[1].time}&limit=5`)).map((r) => r.time)).toEqual([t0, all[1].time]);
    expect((await klines(`interval=1m&limit=1`)).map((r) => r.time)).toEqual([all[3].time]);
    expect((await klines(`interval=1m&limit=100000`)).length).toBe(4);
    expect((await klines('interval=1h')).length).toBe(1);
  });

  it('is deterministic: the same seed and ticks give the same trades and book', async () => {
    const clock2 = new TestClock(Date.UTC(2026, 0, 5, 10, 0, 0));
    const again = await BingxSim.start({ seed: 3, symbols: ['BTCUSDT'], autoTick: false, clock: clock2, tradesPerSecond: 20 });
    for (let i = 0; i < 1800; i++) {
      clock2.t += 100;
      again.tick();
    }
    expect(again.trades('perp', 'BTCUSDT')).toEqual(sim.trades('perp', 'BTCUSDT'));
    expect(again.book('perp', 'BTCUSDT')).toEqual(sim.book('perp', 'BTCUSDT'));
    await again.close();
  });
});

/* eslint-disable @typescript-eslint/no-explicit-any -- frames parsed off the wire are checked field by field */
import { afterEach, describe, expect, it } from 'vitest';
import { BybitSim, BybitReplay } from '../src/index.js';
import { connect, readJson, readJsonl, shape, TestClock, type Collector } from './helpers.js';

let sim: BybitSim | undefined;
let replay: BybitReplay | undefined;
const sockets: Collector[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await sim?.close();
  await replay?.close();
  sim = undefined;
  replay = undefined;
});

async function open(url: string): Promise<Collector> {
  const c = await connect(url);
  sockets.push(c);
  return c;
}

const topicFrames = (c: Collector, topic: string) => c.msgs.filter((m) => m?.topic === topic);
const REAL_BOOK = readJsonl('orderbook/bybit_linear_XRPUSDT_orderbook500_2024-12-01.real.jsonl');

describe('BybitSim frames are field-for-field the real ones', () => {
  it('linear: publicTrade, orderbook snapshot/delta, tickers, allLiquidation, pong, subscribe ack', async () => {
    sim = await BybitSim.start({ seed: 1, symbols: ['BTCUSDT'], markets: ['perp'], autoTick: false, liquidationsPerSecond: 5, clock: new TestClock() });
    const c = await open(sim.urls.linearWs);
    c.send({ req_id: 'a1', op: 'subscribe', args: ['publicTrade.BTCUSDT', 'orderbook.50.BTCUSDT', 'tickers.BTCUSDT', 'allLiquidation.BTCUSDT'] });
    await c.waitFor(() => topicFrames(c, 'tickers.BTCUSDT').length === 1 && topicFrames(c, 'orderbook.50.BTCUSDT').length === 1);
    sim.tick(40);
    c.send({ req_id: 'p1', op: 'ping' });
    await c.waitFor((m) => m.some((x) => x?.ret_msg === 'pong') && topicFrames(c, 'allLiquidation.BTCUSDT').length > 0);

    const ack = c.msgs[0];
    expect(shape(ack)).toEqual(shape(readJsonl('bybit/ws_subscribe.docs.jsonl')[4]));
    expect(ack).toMatchObject({ success: true, req_id: 'a1', op: 'subscribe' });
    const pong = c.msgs.find((x) => x?.ret_msg === 'pong');
    expect(shape(pong)).toEqual(shape(readJsonl('bybit/ws_ping_pong.docs.jsonl')[2]));
    expect(pong.req_id).toBe('p1');

    const trade = topicFrames(c, 'publicTrade.BTCUSDT')[0];
    const realTrade = readJsonl('bybit/ws_publicTrade.real.jsonl')[1];
    expect(shape({ ...trade, data: [trade.data[0]] })).toEqual(shape(realTrade));
    const [snap, delta] = topicFrames(c, 'orderbook.50.BTCUSDT');
    expect(shape(snap)).toEqual(shape(REAL_BOOK[0]));
    expect(shape(delta)).toEqual(shape(REAL_BOOK[1]));
    expect(snap.data.b).toHaveLength(50);
    expect(delta.data.u).toBe(snap.data.u + 1);
    const [tick, tickDelta] = topicFrames(c, 'tickers.BTCUSDT');
    const realTicker = readJsonl('bybit/ws_tickers.real.jsonl')[4];
    expect(shape(tick)).toEqual(shape(realTicker));
    expect(tickDelta.type).toBe('delta');
    // A delta carries a subset of the snapshot's fields, symbol first.
    expect(Object.keys(tickDelta.data)[0]).toBe('symbol');
    for (const k of Object.keys(tickDelta.data)) expect(Object.keys(tick.data)).toContain(k);
    const liq = topicFrames(c, 'allLiquidation.BTCUSDT')[0];
    expect(shape({ ...liq, data: [liq.data[0]] })).toEqual(shape(readJsonl('bybit/ws_allLiquidation.real.jsonl')[0]));
    // Linear strings carry the contract's scale: "28552.00" style prices, "0.047" style sizes.
    expect(snap.data.b[0][0]).toMatch(/^\d+\.\d{2}$/);
    expect(snap.data.b[0][1]).toMatch(/^\d+\.\d{3}$/);
  });

  it('spot: trimmed decimals, snapshot-only tickers, ≤ 10 args per request', async () => {
    sim = await BybitSim.start({ seed: 2, symbols: ['BTCUSDT', 'ETHUSDT'], markets: ['spot'], autoTick: false });
    const c = await open(sim.urls.spotWs);
    c.send({ req_id: 'x', op: 'subscribe', args: Array.from({ length: 11 }, (_, i) => `publicTrade.S${i}`) });
    c.send({ op: 'subscribe', args: ['tickers.BTCUSDT', 'orderbook.200.BTCUSDT', 'allLiquidation.BTCUSDT'] });
    c.send({ op: 'subscribe', args: ['tickers.BTCUSDT', 'orderbook.200.BTCUSDT'] });
    await c.waitFor((m) => m.filter((x) => x?.op === 'subscribe').length === 3 && topicFrames(c, 'tickers.BTCUSDT').length === 1);
    const acks = c.msgs.filter((x) => x?.op === 'subscribe');
    expect(acks[0]).toMatchObject({ success: false, ret_msg: 'error:args size >10', req_id: 'x' });
    // allLiquidation does not exist on spot: the whole request is refused.
    expect(acks[1]).toMatchObject({ success: false, ret_msg: 'error:handler not found,topic:allLiquidation.BTCUSDT' });
    expect(acks[2]).toMatchObject({ success: true, ret_msg: 'subscribe' });
    sim.tick(5);
    await c.waitFor(() => topicFrames(c, 'tickers.BTCUSDT').length >= 3);
    const tickers = topicFrames(c, 'tickers.BTCUSDT');
    expect(tickers.every((t) => t.type === 'snapshot')).toBe(true);
    expect(shape(tickers[0])).toEqual(shape(readJsonl('bybit/ws_tickers.docs.jsonl')[3]));
    const book = topicFrames(c, 'orderbook.200.BTCUSDT')[0];
    expect([...book.data.b, ...book.data.a].every(([p, q]: string[]) => !/\.\d*0$/.test(p!) && !/\.\d*0$/.test(q!))).toBe(true);
    c.send({ op: 'subscribe', args: ['tickers.BTCUSDT'] });
    await c.waitFor((m) => m.some((x) => x?.ret_msg === 'error:already subscribed,topic:tickers.BTCUSDT'));
  });

  it('REST bodies have the real keys; errors come as retCode 10001', async () => {
    sim = await BybitSim.start({ seed: 3, symbols: ['BTCUSDT'], autoTick: false });
    sim.tick(20);
    const get = async (path: string) => (await fetch(`${sim!.urls.rest}${path}`)).json() as Promise<any>;
    const ob = await get('/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=5');
    expect(shape(ob)).toEqual(shape(readJson('bybit/rest_v5_market_orderbook.docs.json')));
    expect(ob.result.b).toHaveLength(5);
    const k = await get('/v5/market/kline?category=spot&symbol=BTCUSDT&interval=1');
    expect(shape({ ...k, result: { ...k.result, list: [k.result.list[0]] } })).toEqual(shape(readJson('bybit/rest_v5_market_kline_spot.likely-real.json')));
    const oi = await get('/v5/market/open-interest?category=linear&symbol=BTCUSDT&intervalTime=5min');
    // The docs example is an inverse contract; singleOpenInterest exists only there.
    const oiDocs = readJson('bybit/rest_v5_market_open_interest.docs.json');
    oiDocs.result.list = oiDocs.result.list.map(({ singleOpenInterest: _x, ...rest }: any) => rest);
    expect(shape(oi)).toEqual(shape(oiDocs));
    const rt = await get('/v5/market/recent-trade?category=linear&symbol=BTCUSDT&limit=3');
    expect(rt.result.list).toHaveLength(3);
    expect(Object.keys(rt.result.list[0])).toEqual(['execId', 'symbol', 'price', 'size', 'side', 'time', 'isBlockTrade']);
    expect(Number(rt.result.list[0].time)).toBeGreaterThanOrEqual(Number(rt.result.list[2].time));
    expect(await get('/v5/market/kline?category=spot&symbol=BTCUSDT&interval=2')).toMatchObject({ retCode: 10001 });
    expect(await get('/v5/market/orderbook?category=linear&symbol=NOPE')).toMatchObject({ retCode: 10001 });
    expect(await get('/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=5000')).toMatchObject({ retCode: 10001 });
    expect(await get('/v5/market/open-interest?category=spot&symbol=BTCUSDT&intervalTime=5min')).toMatchObject({ retCode: 10001 });
  });
});

describe('BybitSim book topics', () => {
  it('snapshot + deltas reproduce book(market, symbol, depth) for every depth; level 1 is snapshot-only', async () => {
    sim = await BybitSim.start({ seed: 4, symbols: ['ETHUSDT'], markets: ['perp'], autoTick: false });
    const c = await open(sim.urls.linearWs);
    const depths = [1, 50, 200, 500, 1000];
    c.send({ op: 'subscribe', args: depths.map((d) => `orderbook.${d}.ETHUSDT`) });
    await c.waitFor(() => depths.every((d) => topicFrames(c, `orderbook.${d}.ETHUSDT`).length === 1));
    sim.tick(30);
    for (const d of depths) await c.waitFor(() => topicFrames(c, `orderbook.${d}.ETHUSDT`).at(-1)?.data.u === sim!.book('perp', 'ETHUSDT', d).u);
    for (const d of depths) {
      const frames = topicFrames(c, `orderbook.${d}.ETHUSDT`);
      const bids = new Map<string, string>();
      const asks = new Map<string, string>();
      let u = 0;
      for (const f of frames) {
        if (f.type === 'snapshot') {
          bids.clear();
          asks.clear();
        } else expect(f.data.u).toBe(u + 1);
        u = f.data.u;
        for (const [side, levels] of [[bids, f.data.b], [asks, f.data.a]] as const) {
          for (const [p, q] of levels) {
            if (q === '0') side.delete(p);
            else side.set(p, q);
          }
        }
      }
      const num = (m: Map<string, string>, desc: boolean) => [...m].map(([p, q]) => [Number(p), Number(q)]).sort((a, b) => (desc ? b[0]! - a[0]! : a[0]! - b[0]!));
      const view = sim.book('perp', 'ETHUSDT', d);
      expect({ bids: num(bids, true), asks: num(asks, false) }, `depth ${d}`).toEqual({ bids: view.bids, asks: view.asks });
      expect(view.bids.length).toBe(Math.min(d, sim.book('perp', 'ETHUSDT').bids.length));
      if (d === 1) expect(frames.every((f) => f.type === 'snapshot')).toBe(true);
      else expect(frames.slice(1).every((f) => f.type === 'delta')).toBe(true);
    }
  });

  it('unsubscribe stops the data; a new subscription starts with a snapshot at the current u', async () => {
    sim = await BybitSim.start({ seed: 5, symbols: ['BTCUSDT'], markets: ['perp'], autoTick: false });
    const a = await open(sim.urls.linearWs);
    const b = await open(sim.urls.linearWs);
    a.send({ op: 'subscribe', args: ['orderbook.50.BTCUSDT'] });
    await a.waitFor(() => topicFrames(a, 'orderbook.50.BTCUSDT').length === 1);
    sim.tick(10);
    await a.waitFor(() => topicFrames(a, 'orderbook.50.BTCUSDT').at(-1).data.u === sim!.book('perp', 'BTCUSDT', 50).u);
    b.send({ op: 'subscribe', args: ['orderbook.50.BTCUSDT'] });
    await b.waitFor(() => topicFrames(b, 'orderbook.50.BTCUSDT').length === 1);
    expect(topicFrames(b, 'orderbook.50.BTCUSDT')[0]).toMatchObject({ type: 'snapshot', data: { u: sim.book('perp', 'BTCUSDT', 50).u } });
    a.send({ op: 'unsubscribe', args: ['orderbook.50.BTCUSDT'], req_id: 'u' });
    await a.waitFor((m) => m.some((x) => x?.op === 'unsubscribe' && x.success));
    const n = topicFrames(a, 'orderbook.50.BTCUSDT').length;
    sim.tick(10);
    await b.waitFor(() => topicFrames(b, 'orderbook.50.BTCUSDT').at(-1).data.u === sim!.book('perp', 'BTCUSDT', 50).u);
    expect(topicFrames(a, 'orderbook.50.BTCUSDT').length).toBe(n);
  });

  it('is deterministic: same seed and ticks, same trades and books', async () => {
    const run = async () => {
      const s = await BybitSim.start({ seed: 99, symbols: ['BTCUSDT'], markets: ['perp'], autoTick: false, clock: new TestClock() });
      s.tick(50);
      const out = { trades: s.trades('perp', 'BTCUSDT'), book: s.book('perp', 'BTCUSDT') };
      await s.close();
      return out;
    };
    const [x, y] = [await run(), await run()];
    expect(x.trades.length).toBeGreaterThan(10);
    expect(x).toEqual(y);
    expect(x.trades[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('BybitSim faults', () => {
  it('reset sends a u=1 snapshot mid-stream and continues from 2; missed-pong withholds pongs', async () => {
    sim = await BybitSim.start({ seed: 6, symbols: ['BTCUSDT'], markets: ['perp'], autoTick: false });
    const c = await open(sim.urls.linearWs);
    c.send({ op: 'subscribe', args: ['orderbook.50.BTCUSDT'] });
    await c.waitFor(() => topicFrames(c, 'orderbook.50.BTCUSDT').length === 1);
    sim.fault({ kind: 'reset', market: 'perp', symbol: 'BTCUSDT' });
    sim.tick(5);
    await c.waitFor(() => topicFrames(c, 'orderbook.50.BTCUSDT').some((f) => f.data.u === 2));
    const frames = topicFrames(c, 'orderbook.50.BTCUSDT');
    const i = frames.findIndex((f) => f.data.u === 1);
    expect(frames[i]).toMatchObject({ type: 'snapshot' });
    expect(frames[i + 1]).toMatchObject({ type: 'delta', data: { u: 2 } });
    expect(sim.faultsApplied()).toEqual([expect.objectContaining({ kind: 'reset', symbol: 'BTCUSDT', topic: 'orderbook.50.BTCUSDT' })]);

    sim.fault({ kind: 'missed-pong', market: 'perp' });
    sim.tick(3);
    await c.waitFor(() => sim!.faultsApplied().length === 2);
    c.send({ op: 'ping', req_id: 'late' });
    c.send({ op: 'subscribe', args: ['publicTrade.BTCUSDT'], req_id: 'after' });
    await c.waitFor((m) => m.some((x) => x?.req_id === 'after'));
    expect(c.msgs.some((x) => x?.req_id === 'late')).toBe(false);
    expect(sim.stats().ws.pongsWithheld).toBe(1);
    expect(() => sim!.fault({ kind: 'nope' as never, market: 'perp' })).toThrow(/unknown fault kind/);
    expect(() => sim!.fault({ kind: 'drop', market: 'spot' })).toThrow(/not simulated/);
  });
});

describe('BybitReplay', () => {
  it('plays the real XRPUSDT orderbook.500 frames verbatim to a subscriber', async () => {
    replay = await BybitReplay.start({ speed: Infinity });
    const c = await open(replay.urls.linearWs);
    c.send({ op: 'subscribe', args: ['orderbook.500.XRPUSDT', 'publicTrade.LTCUSDT'] });
    await c.waitFor(() => topicFrames(c, 'orderbook.500.XRPUSDT').length === REAL_BOOK.length && topicFrames(c, 'publicTrade.LTCUSDT').length === 1);
    expect(topicFrames(c, 'orderbook.500.XRPUSDT')).toEqual(REAL_BOOK);
    const ob = (await (await fetch(`${replay.urls.rest}/v5/market/orderbook?category=linear&symbol=BTCUSDT`)).json()) as any;
    expect(ob).toEqual(readJson('bybit/rest_v5_market_orderbook.likely-real.json'));
  });
});

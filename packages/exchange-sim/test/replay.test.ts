import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceReplay } from '../src/index.js';
import { applyLevels, connect, readJsonl } from './helpers.js';

describe('BinanceReplay streams the recorded frames over the venue endpoints', () => {
  let replay: BinanceReplay;
  beforeAll(async () => {
    replay = await BinanceReplay.start({ speed: Infinity });
  });
  afterAll(() => replay.close());

  it('sends every recorded depth frame of a stream verbatim, in order (combined)', async () => {
    const file = readJsonl(
      'orderbook/binance_futures_SUSHIUSDT_depth_snapshot_and_diffs_2021-07-22.real.jsonl',
    );
    const recorded = file.filter((l) => l.source === 'ws').map((l) => JSON.stringify(l.msg));
    const c = await connect(`${replay.urls.perpWs}/stream?streams=sushiusdt@depth@100ms`);
    await c.waitFor((m) => m.length >= recorded.length);
    expect(c.raw).toEqual(recorded);
    c.ws.close();
  });

  it('a collector can sync snapshot + diffs (USDⓈ-M rules, pu chain) against the real data', async () => {
    const c = await connect(`${replay.urls.perpWs}/ws/akrousdt@depth@100ms`);
    await c.waitFor((m) => m.length >= 1);
    const snap = await (
      await fetch(`${replay.urls.perpRest}/fapi/v1/depth?symbol=AKROUSDT&limit=1000`)
    ).json();
    const total = replay.frames('perp', 'AKROUSDT').filter((f) => f.stream.endsWith('@depth@100ms')).length;
    await c.waitFor((m) => m.length >= total);
    const live = c.msgs.filter((e) => e.u >= snap.lastUpdateId);
    expect(live[0].U).toBeLessThanOrEqual(snap.lastUpdateId);
    expect(live[0].u).toBeGreaterThanOrEqual(snap.lastUpdateId);
    const bids = new Map<string, string>(snap.bids);
    const asks = new Map<string, string>(snap.asks);
    for (let i = 0; i < live.length; i++) {
      if (i > 0) expect(live[i].pu).toBe(live[i - 1].u);
      applyLevels(bids, live[i].b);
      applyLevels(asks, live[i].a);
    }
    const bestBid = Math.max(...[...bids.keys()].map(Number));
    const bestAsk = Math.min(...[...asks.keys()].map(Number));
    expect(bestBid).toBeLessThan(bestAsk);
    c.ws.close();
  });

  it('spot: SUBSCRIBE on /ws gets raw frames; REST serves the recorded snapshot', async () => {
    const c = await connect(`${replay.urls.spotWs}/ws`);
    c.send({ method: 'SUBSCRIBE', params: ['nknusdt@depth@100ms'], id: 1 });
    const n = replay.frames('spot', 'NKNUSDT').filter((f) => f.stream === 'nknusdt@depth@100ms').length;
    await c.waitFor((m) => m.length >= n + 1);
    expect(c.msgs[0]).toEqual({ result: null, id: 1 });
    const first = readJsonl(
      'orderbook/binance_spot_NKNUSDT_depth_snapshot_and_diffs_2021-10-12.real.jsonl',
    ).find((l) => l.source === 'ws');
    expect(c.raw[1]).toBe(JSON.stringify(first.msg.data));
    const snap = await (await fetch(`${replay.urls.spotRest}/api/v3/depth?symbol=NKNUSDT&limit=1000`)).json();
    expect(snap).toEqual(replay.snapshot('spot', 'NKNUSDT'));
    expect(snap.lastUpdateId).toBe(499869752);
    const bad = await fetch(`${replay.urls.spotRest}/api/v3/depth?symbol=BTCUSDT`);
    expect(await bad.json()).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms'], id: 2 });
    await c.waitFor((m) => m.some((x) => x?.id === 2));
    expect(c.msgs.find((x) => x?.id === 2)).toEqual({
      error: { code: 2, msg: 'Invalid request: invalid stream' },
      id: 2,
    });
    c.ws.close();
  });

  it('also replays same-session aggTrade frames', async () => {
    const recorded = readJsonl('binance/futures_ws_aggTrade.real.jsonl').filter(
      (l) => l.stream === 'ctkusdt@aggTrade',
    );
    const c = await connect(`${replay.urls.perpWs}/stream?streams=ctkusdt@aggTrade`);
    await c.waitFor((m) => m.length >= recorded.length);
    expect(c.msgs).toEqual(recorded);
    c.ws.close();
  });
});

describe('paced replay', () => {
  it('plays at the recorded pace scaled by speed', async () => {
    const replay = await BinanceReplay.start({ markets: ['spot'], speed: 20 });
    try {
      const c = await connect(`${replay.urls.spotWs}/ws/lrcbtc@depth@100ms`);
      const depth = replay.frames('spot', 'LRCBTC').filter((f) => f.stream === 'lrcbtc@depth@100ms');
      await c.waitFor((m) => m.length >= depth.length, 10_000);
      expect(c.msgs.map((m) => m.U)).toEqual(depth.map((f) => JSON.parse(f.data).U));
      c.ws.close();
    } finally {
      await replay.close();
    }
  });
});

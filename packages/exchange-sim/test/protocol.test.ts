import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceSimulator } from '../src/index.js';
import { TestClock, connect } from './helpers.js';

describe('WebSocket method frames and errors', () => {
  let sim: BinanceSimulator;
  const clock = new TestClock();
  const advance = (n: number) => {
    for (let i = 0; i < n; i++) {
      clock.t += 100;
      sim.tick();
    }
  };
  beforeAll(async () => {
    sim = await BinanceSimulator.start({
      seed: 4,
      symbols: ['BTCUSDT', 'ETHUSDT'],
      autoTick: false,
      clock,
      maxInboundPerSecond: 50,
    });
  });
  afterAll(() => sim.close());

  it('SUBSCRIBE / LIST_SUBSCRIPTIONS / UNSUBSCRIBE with documented replies; raw frames on /ws', async () => {
    const c = await connect(`${sim.urls.perpWs}/ws`);
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade', 'btcusdt@markPrice@1s'], id: 1 });
    await c.waitFor((m) => m.some((x) => x?.id === 1));
    expect(c.msgs.find((x) => x?.id === 1)).toEqual({ result: null, id: 1 });
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 3 });
    await c.waitFor((m) => m.some((x) => x?.id === 3));
    expect(c.msgs.find((x) => x?.id === 3)).toEqual({
      result: ['btcusdt@aggTrade', 'btcusdt@markPrice@1s'],
      id: 3,
    });
    advance(12);
    await c.waitFor((m) => m.some((x) => x?.e === 'aggTrade') && m.some((x) => x?.e === 'markPriceUpdate'));
    expect(c.msgs.find((x) => x?.e === 'aggTrade').stream).toBeUndefined(); // raw, not wrapped
    c.send({ method: 'UNSUBSCRIBE', params: ['btcusdt@aggTrade'], id: 312 });
    await c.waitFor((m) => m.some((x) => x?.id === 312));
    expect(c.msgs.find((x) => x?.id === 312)).toEqual({ result: null, id: 312 });
    c.send({ method: 'GET_PROPERTY', params: ['combined'], id: 2 });
    await c.waitFor((m) => m.some((x) => x?.id === 2));
    expect(c.msgs.find((x) => x?.id === 2)).toEqual({ result: false, id: 2 });
    const n = c.msgs.length;
    advance(5);
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 4 });
    await c.waitFor((m) => m.some((x) => x?.id === 4));
    expect(c.msgs.slice(n).filter((x) => x?.e === 'aggTrade')).toEqual([]);
    c.ws.close();
  });

  it('invalid streams, methods and JSON get the documented errors', async () => {
    const c = await connect(`${sim.urls.spotWs}/stream`);
    c.send({ method: 'SUBSCRIBE', params: ['dogeusdt@aggTrade'], id: 7 });
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@markPrice'], id: 8 }); // perp-only stream on spot
    c.send({ method: 'SUBSCRIB', params: [], id: 9 });
    c.send('{not json');
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: -1 });
    await c.waitFor((m) => m.length >= 5);
    expect(c.msgs[0]).toEqual({ error: { code: 2, msg: 'Invalid request: invalid stream' }, id: 7 });
    expect(c.msgs[1]).toEqual({ error: { code: 2, msg: 'Invalid request: invalid stream' }, id: 8 });
    expect(c.msgs[2].error.code).toBe(2);
    expect(c.msgs[2].error.msg).toMatch(
      /^Invalid request: unknown variant `SUBSCRIB`, expected one of `SUBSCRIBE`/,
    );
    expect(c.msgs[3].error.code).toBe(3);
    expect(c.msgs[4]).toEqual({
      error: { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' },
      id: null,
    });
    expect(sim.stats().markets.spot!.invalidRequests).toBeGreaterThanOrEqual(5);
    c.ws.close();
  });

  it('a connection URL naming an unknown stream is refused with a clear error', async () => {
    const ws = new WebSocket(`${sim.urls.spotWs}/ws/nopeusdt@depth`);
    const status = await new Promise<number>((resolve) =>
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(400);
  });

  it('REST errors and the weight header', async () => {
    const bad = await fetch(`${sim.urls.spotRest}/api/v3/depth?symbol=NOPE`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    const r1 = await fetch(`${sim.urls.spotRest}/api/v3/depth?symbol=BTCUSDT&limit=1000`);
    const w1 = Number(r1.headers.get('x-mbx-used-weight-1m'));
    const r2 = await fetch(`${sim.urls.spotRest}/api/v3/depth?symbol=BTCUSDT&limit=5000`);
    expect(Number(r2.headers.get('x-mbx-used-weight-1m')) - w1).toBe(250);
    const body = await r2.json();
    expect(body.bids.length).toBe(sim.book('spot', 'BTCUSDT').bids.length); // full book (< 5000 levels)
    const pr = await fetch(`${sim.urls.perpRest}/fapi/v1/depth?symbol=ETHUSDT`);
    expect((await pr.json()).bids.length).toBe(Math.min(500, sim.book('perp', 'ETHUSDT').bids.length));
    expect((await fetch(`${sim.urls.perpRest}/api/v3/depth?symbol=BTCUSDT`)).status).toBe(404);
    const agg = await (await fetch(`${sim.urls.spotRest}/api/v3/aggTrades?symbol=BTCUSDT&limit=3`)).json();
    expect(agg.map((t: { a: number }) => t.a)).toEqual(
      sim
        .trades('spot', 'BTCUSDT')
        .slice(-3)
        .map((t) => t.aggId),
    );
  });
});

describe('server ping', () => {
  it('disconnects a client that does not pong; one that does stays', async () => {
    const sim = await BinanceSimulator.start({
      seed: 1,
      symbols: ['BTCUSDT'],
      autoTick: false,
      ping: { intervalMs: 200, timeoutMs: 400 },
    });
    try {
      const good = await connect(`${sim.urls.spotWs}/ws/btcusdt@aggTrade`);
      const mute = await connect(`${sim.urls.spotWs}/ws/btcusdt@aggTrade`, { autoPong: false });
      let pings = 0;
      mute.ws.on('ping', () => pings++);
      const code = await mute.closed;
      expect(code).toBe(1006);
      expect(pings).toBeGreaterThan(0);
      expect(sim.stats().markets.spot!.pongTimeouts).toBe(1);
      expect(good.ws.readyState).toBe(WebSocket.OPEN);
      good.ws.close();
    } finally {
      await sim.close();
    }
  });

  it('spot needs the pong to echo the ping payload (unsolicited pongs do not count)', async () => {
    const sim = await BinanceSimulator.start({
      seed: 1,
      symbols: ['BTCUSDT'],
      markets: ['spot'],
      autoTick: false,
      ping: { intervalMs: 150, timeoutMs: 400 },
    });
    try {
      const c = await connect(`${sim.urls.spotWs}/ws/btcusdt@aggTrade`, { autoPong: false });
      c.ws.on('ping', () => c.ws.pong('wrong'));
      expect(await c.closed).toBe(1006);
    } finally {
      await sim.close();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { WsGatewayOptions } from '../src/http/ws-gateway.js';
import { BTC, bookFeatures, candle, levelSet, MIN, orderFlow, T0, waitFor } from './support/fixtures.js';
import { connectWs, type WsTestClient } from './support/ws-client.js';
import { startWsGateway, type WsHarness } from './support/ws-harness.js';

let h: WsHarness | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await h?.stop();
  h = undefined;
});

const BTC_1M = 'candles:binance:spot:BTCUSDT:1m';

async function start(options: Partial<WsGatewayOptions> = {}): Promise<WsHarness> {
  return (h = await startWsGateway(options));
}

const minuteCandle = (i: number) => candle(BTC, '1m', T0 + i * MIN, { close: 100 + i });

/** Reads `count` messages and returns them. */
async function read(c: WsTestClient, count: number): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) out.push(await c.next());
  return out;
}

describe('websocket resume', () => {
  it('numbers updates per channel; a reconnect with `since` gets exactly the missed updates, then live ones', async () => {
    const g = await start();
    const a = await connectWs(g.port, sockets);
    a.send({ op: 'subscribe', channel: BTC_1M });
    const ack = await a.next();
    expect(ack).toEqual({ type: 'subscribed', channel: BTC_1M, epoch: g.ws.epoch, seq: 0 });
    await g.publishTo('agg.candle.v1', minuteCandle(1), minuteCandle(2));
    expect((await read(a, 2)).map((m) => m.seq)).toEqual([1, 2]);

    a.ws.terminate();
    await waitFor(() => g.ws.clientCount === 0, 'the first connection to go');
    await g.publishTo('agg.candle.v1', minuteCandle(3), minuteCandle(4), minuteCandle(5));

    const b = await connectWs(g.port, sockets);
    b.send({ op: 'subscribe', channel: BTC_1M, since: 2 });
    expect(await b.next()).toEqual({ type: 'subscribed', channel: BTC_1M, epoch: g.ws.epoch, seq: 5 });
    const missed = await read(b, 3);
    expect(missed).toEqual([3, 4, 5].map((i) => ({ type: 'candle', channel: BTC_1M, seq: i, data: { ...minuteCandle(i) } })));
    await g.publishTo('agg.candle.v1', minuteCandle(6));
    expect(await b.next()).toMatchObject({ type: 'candle', seq: 6, data: { close: 106 } });
    expect(b.messages).toHaveLength(5);
    expect(g.metrics.wsCandlesSent).toBe(2 + 3 + 1);
  });

  it('a `since` equal to the current seq resumes with nothing to replay', async () => {
    const g = await start();
    const a = await connectWs(g.port, sockets);
    a.send({ op: 'subscribe', channel: BTC_1M });
    await a.next();
    await g.publishTo('agg.candle.v1', minuteCandle(1));
    const b = await connectWs(g.port, sockets);
    b.send({ op: 'subscribe', channel: BTC_1M, since: 1 });
    expect(await b.next()).toMatchObject({ type: 'subscribed', seq: 1 });
    await g.publishTo('agg.candle.v1', minuteCandle(2));
    expect(await b.next()).toMatchObject({ type: 'candle', seq: 2 });
  });

  it('a `since` older than the replay ring gets a gap marker, then a snapshot of the latest candle', async () => {
    const g = await start({ replayCapacity: 3 });
    const a = await connectWs(g.port, sockets);
    a.send({ op: 'subscribe', channel: BTC_1M });
    await a.next();
    await g.publishTo('agg.candle.v1', ...[1, 2, 3, 4, 5, 6].map(minuteCandle));
    await read(a, 6);

    const b = await connectWs(g.port, sockets);
    b.send({ op: 'subscribe', channel: BTC_1M, since: 2 });
    expect(await read(b, 3)).toEqual([
      { type: 'subscribed', channel: BTC_1M, epoch: g.ws.epoch, seq: 6 },
      { type: 'gap', channel: BTC_1M, from: 3, to: 6 },
      { type: 'candle', channel: BTC_1M, seq: 6, snapshot: true, data: { ...minuteCandle(6) } },
    ]);
    // The oldest held update is 4: since 3 still resumes.
    b.send({ op: 'subscribe', channel: BTC_1M, since: 3 });
    expect((await read(b, 4)).map((m) => [m.type, m.seq])).toEqual([['subscribed', 6], ['candle', 4], ['candle', 5], ['candle', 6]]);
  });

  it('subscribing without `since` starts from the snapshot of each channel kind', async () => {
    const g = await start();
    const watcher = await connectWs(g.port, sockets);
    for (const channel of [BTC_1M, 'features:binance:spot:BTCUSDT', 'flow:binance:spot:BTCUSDT:1m']) {
      watcher.send({ op: 'subscribe', channel });
      await watcher.next();
    }
    await g.publishTo('agg.candle.v1', minuteCandle(1), minuteCandle(2));
    await g.publishTo('feat.book.v1', bookFeatures(BTC, T0 + 1000));
    await g.publishTo('feat.flow.v1', orderFlow(BTC, '1s', T0), orderFlow(BTC, '1m', T0, { tradeCount: 42 }));
    await g.publishTo('levels.v1', levelSet(BTC, 7));

    const c = await connectWs(g.port, sockets);
    c.send({ op: 'subscribe', channel: BTC_1M });
    expect(await read(c, 2)).toEqual([
      { type: 'subscribed', channel: BTC_1M, epoch: g.ws.epoch, seq: 2 },
      { type: 'candle', channel: BTC_1M, seq: 2, snapshot: true, data: { ...minuteCandle(2) } },
    ]);
    c.send({ op: 'subscribe', channel: 'features:binance:spot:BTCUSDT' });
    expect(await read(c, 3)).toMatchObject([
      { type: 'subscribed', seq: 2 },
      { type: 'features', seq: 2, snapshot: true, data: { ts: T0 + 1000 } },
      { type: 'flow', seq: 2, snapshot: true, data: { interval: '1s' } },
    ]);
    c.send({ op: 'subscribe', channel: 'flow:binance:spot:BTCUSDT:1m' });
    expect(await read(c, 2)).toMatchObject([{ type: 'subscribed', seq: 1 }, { type: 'flow', seq: 1, snapshot: true, data: { tradeCount: 42 } }]);
    // Updates are numbered for every channel, watched or not: the level set published above was number 1.
    c.send({ op: 'subscribe', channel: 'levels:binance:spot:BTCUSDT' });
    expect(await read(c, 2)).toMatchObject([{ type: 'subscribed', seq: 1 }, { type: 'levels', seq: 1, snapshot: true, data: { version: 7 } }]);
    // A channel never seen has no snapshot: the next message is the pong.
    c.send({ op: 'subscribe', channel: 'candles:binance:spot:ETHUSDT:1m' });
    c.send({ op: 'ping' });
    expect(await read(c, 2)).toEqual([{ type: 'subscribed', channel: 'candles:binance:spot:ETHUSDT:1m', epoch: g.ws.epoch, seq: 0 }, { type: 'pong' }]);
  });

  /** A client on a gateway that forgets unwatched channels at once: it sees candle 1, then leaves the channel. */
  async function watchOneCandleThenLeave() {
    const g = await start({ replayRetainMs: 1 });
    const a = await connectWs(g.port, sockets);
    a.send({ op: 'subscribe', channel: BTC_1M });
    await a.next();
    await g.publishTo('agg.candle.v1', minuteCandle(1));
    await a.next();
    a.send({ op: 'unsubscribe', channel: BTC_1M });
    await a.next();
    await new Promise((r) => setTimeout(r, 20));
    return { g, a };
  }

  it('a channel left unwatched past the retention stops being recorded: resuming across that stretch is a gap, then the snapshot', async () => {
    const { g, a } = await watchOneCandleThenLeave();
    await g.publishTo('agg.candle.v1', minuteCandle(2));

    a.send({ op: 'subscribe', channel: BTC_1M, since: 1 });
    // The latest candle comes from the shared cache, which saw it while this gateway did not watch.
    a.send({ op: 'ping' });
    expect(await read(a, 4)).toEqual([
      { type: 'subscribed', channel: BTC_1M, epoch: g.ws.epoch, seq: 2 },
      { type: 'gap', channel: BTC_1M, from: 2, to: 2 },
      { type: 'candle', channel: BTC_1M, seq: 2, snapshot: true, data: { ...minuteCandle(2) } },
      { type: 'pong' },
    ]);
  });

  it('a channel left unwatched with nothing published meanwhile resumes with nothing missed', async () => {
    const { g, a } = await watchOneCandleThenLeave();
    a.send({ op: 'subscribe', channel: BTC_1M, since: 1 });
    a.send({ op: 'ping' });
    expect(await read(a, 2)).toEqual([{ type: 'subscribed', channel: BTC_1M, epoch: g.ws.epoch, seq: 1 }, { type: 'pong' }]);
  });

  it('refuses a bad `since` with an error and keeps the connection', async () => {
    const g = await start();
    const c = await connectWs(g.port, sockets);
    c.send({ op: 'subscribe', channel: BTC_1M, since: -3 });
    expect(await c.next()).toMatchObject({ type: 'error', message: expect.stringMatching(/since must be a non-negative integer/) });
    c.send({ op: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
  });
});

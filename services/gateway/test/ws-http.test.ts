import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { WS_CLOSE_TRY_AGAIN_LATER } from '../src/index.js';
import { BTC, BTC_PERP, candle, ETH, type Harness, MIN, startGateway, T0, waitFor } from './support/fixtures.js';
import { connectWs, type WsTestClient } from './support/ws-client.js';

let h: Harness;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  h = await startGateway({ wsMaxBufferedBytes: 64 * 1024 });
});
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await h.gateway.stop();
});

const connect = (path?: string): Promise<WsTestClient> => connectWs(h.httpPort, sockets, path);

const BTC_1M = 'candles:binance:spot:BTCUSDT:1m';

describe('websocket /ws', () => {
  it('subscribe → acknowledgement, then candle messages for that channel only; unsubscribe stops them', async () => {
    const c = await connect();
    c.send({ op: 'subscribe', channel: BTC_1M });
    expect(await c.next()).toEqual({ type: 'subscribed', channel: BTC_1M, epoch: expect.any(String), seq: 0 });

    const mine = candle(BTC, '1m', T0, { final: false, close: 104.5 });
    await h.publish(candle(ETH, '1m', T0), candle(BTC, '5m', T0), candle(BTC_PERP, '1m', T0), mine);
    expect(await c.next()).toEqual({ type: 'candle', channel: BTC_1M, seq: 1, data: { ...mine } });
    expect(h.gateway.metrics().wsCandlesSent).toBe(1);

    c.send({ op: 'unsubscribe', channel: BTC_1M });
    expect(await c.next()).toEqual({ type: 'unsubscribed', channel: BTC_1M });
    await h.publish(candle(BTC, '1m', T0 + MIN));
    c.send({ op: 'subscribe', channel: 'candles:binance:spot:ETHUSDT:1m' });
    // The next message is the ETH acknowledgement: nothing arrived for the dropped channel.
    expect(await c.next()).toMatchObject({ type: 'subscribed', channel: 'candles:binance:spot:ETHUSDT:1m' });
  });

  it('bad input gets an error message and the connection stays open', async () => {
    const c = await connect();
    const bad: [unknown, RegExp][] = [
      ['{not json', /not valid JSON/],
      [{ op: 'publish', channel: BTC_1M }, /unknown op "publish"/],
      [{ op: 'subscribe' }, /channel must be a non-empty string/],
      [{ op: 'subscribe', channel: 'candles:binance:spot:BTCUSDT' }, /malformed/],
      [{ op: 'subscribe', channel: 'candles:binance:spot:BTCUSDT:2m' }, /interval "2m" is unknown/],
      [{ op: 'subscribe', channel: 'candles:binance:spot:PEPEUSDT:1m' }, /not collected/],
    ];
    for (const [msg, pattern] of bad) {
      c.send(msg);
      const reply = await c.next();
      expect(reply.type).toBe('error');
      expect(reply.message).toMatch(pattern);
    }
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.next()).toMatchObject({ type: 'error', message: expect.stringMatching(/binary/) });
    expect(h.gateway.metrics().wsBadMessages).toBe(bad.length + 1);

    c.send({ op: 'subscribe', channel: BTC_1M });
    expect(await c.next()).toMatchObject({ type: 'subscribed', channel: BTC_1M });
  });

  it('refuses a message over 64 KiB by closing with 1009', async () => {
    const c = await connect();
    c.send(JSON.stringify({ op: 'subscribe', channel: BTC_1M, pad: 'x'.repeat(64 * 1024) }));
    expect(await c.closed).toBe(1009);
  });

  it('closes a client that does not read with 1013 instead of buffering without bound', async () => {
    const c = await connect();
    c.send({ op: 'subscribe', channel: BTC_1M });
    expect(await c.next()).toMatchObject({ type: 'subscribed' });
    c.ws.pause();
    // Publish until the kernel buffers are full and the gateway's own buffer passes the limit.
    for (let round = 0; h.gateway.metrics().wsSlowClientsClosed === 0; round++) {
      if (round > 2000) throw new Error('the slow client was never closed');
      await h.publish(...Array.from({ length: 200 }, (_, i) => candle(BTC, '1m', T0 + (round * 200 + i) * MIN)));
    }
    const sentAtClose = h.gateway.metrics().wsCandlesSent;
    await h.publish(candle(BTC, '1m', T0));
    expect(h.gateway.metrics().wsCandlesSent).toBe(sentAtClose);
    c.ws.resume();
    expect(await c.closed).toBe(WS_CLOSE_TRY_AGAIN_LATER);
    await waitFor(() => h.gateway.metrics().wsClients === 0, 'the client to be released');
  });

  it('stop() closes clients with 1001', async () => {
    const c = await connect();
    await h.gateway.stop();
    expect(await c.closed).toBe(1001);
  });

  it('refuses other upgrade paths', async () => {
    await expect(connect('/other')).rejects.toThrow(/404/);
  });
});

describe('GET /health', () => {
  it('200 {status:"ok"} when the store answers, 503 when its ping fails; 404 elsewhere', async () => {
    const base = `http://127.0.0.1:${h.httpPort}`;
    const ok = await fetch(`${base}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok' });

    h.store.pingError = new Error('connect ECONNREFUSED');
    const down = await fetch(`${base}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'unavailable', reason: 'store ping failed' });

    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/health`, { method: 'POST' })).status).toBe(405);
  });
});

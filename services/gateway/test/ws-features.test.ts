import { describe, expect, it } from 'vitest';
import { BTC, BTC_PERP, bookFeatures, ETH, type Harness, MIN, orderFlow, T0 } from './support/fixtures.js';
import { gatewayPerTest } from './support/gateway-per-test.js';
import { connectWs } from './support/ws-client.js';

let h: Harness;
const sockets = gatewayPerTest((started) => (h = started));

const FEATURES = 'features:binance:spot:BTCUSDT';
const FLOW_1M = 'flow:binance:spot:BTCUSDT:1m';

describe('websocket feature channels', () => {
  it('features:… delivers the book features and the 1 s flow of its instrument, NaN as null; unsubscribe stops both', async () => {
    const c = await connectWs(h.httpPort, sockets);
    c.send({ op: 'subscribe', channel: FEATURES });
    expect(await c.next()).toMatchObject({ type: 'subscribed', channel: FEATURES });

    const book = bookFeatures(BTC, T0 + 1000);
    await h.publishTo('feat.book.v1', bookFeatures(ETH, T0 + 1000), bookFeatures(BTC_PERP, T0 + 1000), book);
    const second = orderFlow(BTC, '1s', T0);
    await h.publishTo('feat.flow.v1', orderFlow(BTC, '1m', T0), orderFlow(ETH, '1s', T0), second);

    const features = await c.next();
    expect(features).toMatchObject({ type: 'features', channel: FEATURES });
    expect(features.data).toEqual({ ...book, priceChange1s: null, priceChange30s: null, priceVolatility30s: null, netPressureVolatility30s: null });
    const flow = await c.next();
    expect(flow).toMatchObject({ type: 'flow', channel: FEATURES, data: { interval: '1s', openTime: T0, delta: 1, vwap: null, nearestBidWallPrice: null } });
    expect(h.gateway.metrics()).toMatchObject({ wsFeaturesSent: 2, busBookFeatures: 3, busOrderFlows: 3 });

    c.send({ op: 'unsubscribe', channel: FEATURES });
    expect(await c.next()).toEqual({ type: 'unsubscribed', channel: FEATURES });
    await h.publishTo('feat.book.v1', bookFeatures(BTC, T0 + 2000));
    await h.publishTo('feat.flow.v1', orderFlow(BTC, '1s', T0 + 1000));
    c.send({ op: 'subscribe', channel: FLOW_1M });
    // The next message is the acknowledgement: nothing arrived for the dropped channel. Then the 1m
    // channel's snapshot: its latest flow, kept in the cache though nobody watched it.
    expect(await c.next()).toMatchObject({ type: 'subscribed', channel: FLOW_1M, seq: 1 });
    expect(await c.next()).toMatchObject({ type: 'flow', channel: FLOW_1M, seq: 1, snapshot: true, data: { interval: '1m' } });
    expect(h.gateway.metrics().wsFeaturesSent).toBe(3);
  });

  it('flow:…:<interval> delivers that interval of its instrument only', async () => {
    const c = await connectWs(h.httpPort, sockets);
    c.send({ op: 'subscribe', channel: FLOW_1M });
    expect(await c.next()).toMatchObject({ type: 'subscribed', channel: FLOW_1M });
    const minute = orderFlow(BTC, '1m', T0, { tradeCount: 180, liquidationCompleteness: 1 });
    await h.publishTo('feat.book.v1', bookFeatures(BTC, T0 + MIN));
    await h.publishTo('feat.flow.v1', orderFlow(BTC, '1s', T0), orderFlow(BTC, '5m', T0), orderFlow(BTC_PERP, '1m', T0), minute);
    const msg = await c.next();
    expect(msg).toEqual({
      type: 'flow',
      channel: FLOW_1M,
      seq: 1,
      data: { ...minute, vwap: null, nearestBidWallPrice: null, nearestAskWallPrice: null, wallLifetimeMeanS: null, liquidationCompleteness: 'COMPLETENESS_FULL' },
    });
    expect(h.gateway.metrics().wsFeaturesSent).toBe(1);
  });

  it('refuses bad feature channels with an error and keeps the connection', async () => {
    const c = await connectWs(h.httpPort, sockets);
    const bad: [string, RegExp][] = [
      ['features:binance:spot:BTCUSDT:1s', /malformed: expected features:<exchange>:<market>:<symbol>/],
      ['features:binance:spot', /malformed/],
      ['features:binance:spot:DOGEUSDT', /binance:spot:DOGEUSDT is not collected/],
      ['features:Binance:spot:BTCUSDT', /exchange "Binance" is malformed/],
      ['flow:binance:spot:BTCUSDT', /malformed: expected flow:/],
      ['flow:binance:spot:BTCUSDT:none', /flow interval "none" is unknown/],
      ['flow:binance:spot:BTCUSDT:2m', /flow interval "2m" is unknown/],
      ['flow:bybit:spot:BTCUSDT:1m', /bybit:spot:BTCUSDT is not collected/],
      ['book:binance:spot:BTCUSDT', /malformed: expected candles:/],
    ];
    for (const [channel, pattern] of bad) {
      c.send({ op: 'subscribe', channel });
      const reply = await c.next();
      expect(reply).toMatchObject({ type: 'error', channel });
      expect(reply.message).toMatch(pattern);
    }
    expect(h.gateway.metrics().wsBadMessages).toBe(bad.length);
    c.send({ op: 'subscribe', channel: FEATURES });
    expect(await c.next()).toMatchObject({ type: 'subscribed', channel: FEATURES });
  });
});

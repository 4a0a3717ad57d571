import type { Level } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { BTC, BTC_PERP, ETH, type Harness, levelSet } from './support/fixtures.js';
import { gatewayPerTest } from './support/gateway-per-test.js';
import { connectWs } from './support/ws-client.js';

let h: Harness;
const sockets = gatewayPerTest((started) => (h = started));

const LEVELS = 'levels:binance:spot:BTCUSDT';

/** A level as the WebSocket sends it: enums by name, NaN as null. */
function wsLevel(l: Level): Record<string, unknown> {
  return {
    ...l,
    kind: l.price < 100 ? 'LEVEL_KIND_SUPPORT' : 'LEVEL_KIND_RESISTANCE',
    sources: l.sources.map((s) => ['LEVEL_SOURCE_UNSPECIFIED', 'LEVEL_SOURCE_EXTREMA', 'LEVEL_SOURCE_VOLUME_PROFILE', 'LEVEL_SOURCE_ROUND_NUMBER'][s]),
    distanceAtr: Number.isNaN(l.distanceAtr) ? null : l.distanceAtr,
  };
}

describe('websocket level channel', () => {
  it('sends the current set right after subscribing, then every newer version of its instrument', async () => {
    const v2 = levelSet(BTC, 2);
    await h.publishTo('levels.v1', v2);
    const c = await connectWs(h.httpPort, sockets);
    c.send({ op: 'subscribe', channel: LEVELS });
    expect(await c.next()).toMatchObject({ type: 'subscribed', channel: LEVELS });
    const snapshot = await c.next();
    expect(snapshot).toEqual({
      type: 'levels',
      channel: LEVELS,
      seq: 1,
      snapshot: true,
      data: {
        ...v2,
        levels: v2.levels.map(wsLevel),
        nearestSupport: wsLevel(v2.nearestSupport!),
        nearestResistance: wsLevel(v2.nearestResistance!),
      },
    });
    expect((snapshot.data as { levels: Record<string, unknown>[] }).levels[3]!.sources).toEqual(['LEVEL_SOURCE_ROUND_NUMBER', 'LEVEL_SOURCE_VOLUME_PROFILE']);

    await h.publishTo('levels.v1', levelSet(BTC, 1), levelSet(ETH, 5), levelSet(BTC, 2), levelSet(BTC, 3, { currentPrice: 130, nearestResistance: undefined }));
    const update = await c.next();
    expect(update).toMatchObject({ type: 'levels', channel: LEVELS, seq: 2, data: { version: 3, currentPrice: 130 } });
    expect(update.data).not.toHaveProperty('nearestResistance');
    expect(h.gateway.metrics().wsLevelSetsSent).toBe(2);

    c.send({ op: 'unsubscribe', channel: LEVELS });
    expect(await c.next()).toEqual({ type: 'unsubscribed', channel: LEVELS });
    await h.publishTo('levels.v1', levelSet(BTC, 4));
    c.send({ op: 'subscribe', channel: 'levels:binance:spot:ETHUSDT' });
    // Nothing arrived for the dropped channel: next are the ack and the current ETH set.
    expect(await c.next()).toMatchObject({ type: 'subscribed', channel: 'levels:binance:spot:ETHUSDT' });
    expect(await c.next()).toMatchObject({ type: 'levels', channel: 'levels:binance:spot:ETHUSDT', data: { symbol: 'ETHUSDT', version: 5 } });
  });

  it('before any set is computed: the acknowledgement only, then the first set', async () => {
    const a = await connectWs(h.httpPort, sockets);
    const b = await connectWs(h.httpPort, sockets);
    const channel = 'levels:bybit:perp:BTCUSDT';
    for (const c of [a, b]) {
      c.send({ op: 'subscribe', channel });
      expect(await c.next()).toMatchObject({ type: 'subscribed', channel });
    }
    await h.publishTo('levels.v1', levelSet(BTC, 1), levelSet(BTC_PERP, 1));
    for (const c of [a, b]) expect(await c.next()).toMatchObject({ type: 'levels', channel, data: { exchange: 'bybit', market: 'perp', version: 1 } });
    expect(h.gateway.metrics().wsLevelSetsSent).toBe(2);
  });

  it('refuses bad level channels with an error and keeps the connection', async () => {
    const c = await connectWs(h.httpPort, sockets);
    const bad: [string, RegExp][] = [
      ['levels:binance:spot:BTCUSDT:1d', /malformed: expected levels:<exchange>:<market>:<symbol>/],
      ['levels:binance:spot', /malformed: expected levels:/],
      ['levels:binance:spot:DOGEUSDT', /binance:spot:DOGEUSDT is not collected/],
      ['levels:binance:margin:BTCUSDT', /market "margin" is unknown/],
    ];
    for (const [channel, pattern] of bad) {
      c.send({ op: 'subscribe', channel });
      const reply = await c.next();
      expect(reply).toMatchObject({ type: 'error', channel });
      expect(reply.message).toMatch(pattern);
    }
    c.send({ op: 'subscribe', channel: LEVELS });
    expect(await c.next()).toMatchObject({ type: 'subscribed', channel: LEVELS });
  });
});

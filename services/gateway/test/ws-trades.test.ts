import { Side, Trade } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { BTC, ETH, type Harness, T0 } from './support/fixtures.js';
import { gatewayPerTest } from './support/gateway-per-test.js';
import { connectWs } from './support/ws-client.js';

let h: Harness;
const sockets = gatewayPerTest((started) => (h = started));

const trade = (ref: typeof BTC, id: number, patch: Partial<Trade> = {}): Trade =>
  Trade.fromPartial({ ...ref, tradeId: String(id), price: 100 + id, size: 0.5, side: Side.SIDE_BUY, exchangeTs: T0 + id, receivedTs: T0 + id + 3, tradeCount: 1, ...patch });

describe('websocket trades channel', () => {
  it("sends every trade of its instrument in order, numbered, with the side by name; the latest is the snapshot", async () => {
    const channel = 'trades:binance:spot:BTCUSDT';
    const c = await connectWs(h.httpPort, sockets);
    c.send({ op: 'subscribe', channel });
    expect(await c.next()).toMatchObject({ type: 'subscribed', channel, seq: 0 });
    await h.publishTo('md.trade.v1', trade(BTC, 1), trade(ETH, 2), trade(BTC, 3, { side: Side.SIDE_SELL, tradeCount: 4 }));
    expect(await c.next()).toEqual({
      type: 'trade', channel, seq: 1,
      data: { ...BTC, tradeId: '1', price: 101, size: 0.5, side: 'SIDE_BUY', exchangeTs: T0 + 1, receivedTs: T0 + 4, tradeCount: 1 },
    });
    expect(await c.next()).toMatchObject({ type: 'trade', channel, seq: 2, data: { tradeId: '3', side: 'SIDE_SELL', tradeCount: 4 } });

    const late = await connectWs(h.httpPort, sockets);
    late.send({ op: 'subscribe', channel });
    expect(await late.next()).toMatchObject({ type: 'subscribed', seq: 2 });
    expect(await late.next()).toMatchObject({ type: 'trade', seq: 2, snapshot: true, data: { tradeId: '3' } });
    expect(h.gateway.metrics().wsTradesSent).toBe(3);
  });
});

import { QualityEvent, QualityKind } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { BTC, BTC_PERP, ETH, type Harness, T0 } from './support/fixtures.js';
import { gatewayPerTest } from './support/gateway-per-test.js';
import { connectWs } from './support/ws-client.js';

let h: Harness;
const sockets = gatewayPerTest((started) => (h = started));

const event = (patch: Partial<QualityEvent>): QualityEvent =>
  QualityEvent.fromPartial({ ...BTC, kind: QualityKind.QUALITY_KIND_SEQUENCE_GAP, bookEpoch: 3, expectedId: 10, receivedId: 14, detail: 'depth', ts: T0, ...patch });

describe('websocket quality channel', () => {
  it("sends an instrument's quality events, and its connection's events, numbered like every channel", async () => {
    const channel = 'quality:binance:spot:BTCUSDT';
    const c = await connectWs(h.httpPort, sockets);
    c.send({ op: 'subscribe', channel });
    expect(await c.next()).toMatchObject({ type: 'subscribed', channel, seq: 0 });

    await h.publishTo(
      'md.quality.v1',
      event({}),
      event({ ...ETH, kind: QualityKind.QUALITY_KIND_RESYNC }),
      event({ ...BTC_PERP, kind: QualityKind.QUALITY_KIND_RESYNC }),
      // A connection's event (no symbol): it concerns every symbol of binance spot.
      event({ symbol: '', kind: QualityKind.QUALITY_KIND_RECONNECT, bookEpoch: 0, expectedId: 0, receivedId: 0, detail: 'socket closed', ts: T0 + 5 }),
    );
    expect(await c.next()).toEqual({
      type: 'quality', channel, seq: 1,
      data: { ...BTC, kind: 'QUALITY_KIND_SEQUENCE_GAP', bookEpoch: 3, expectedId: 10, receivedId: 14, detail: 'depth', ts: T0 },
    });
    expect(await c.next()).toMatchObject({ type: 'quality', channel, seq: 2, data: { symbol: '', kind: 'QUALITY_KIND_RECONNECT', ts: T0 + 5 } });

    // ETH got the connection event too, as its own seq 2 after its resync; a late subscriber sees the newest as the snapshot.
    const late = await connectWs(h.httpPort, sockets);
    late.send({ op: 'subscribe', channel: 'quality:binance:spot:ETHUSDT' });
    expect(await late.next()).toMatchObject({ type: 'subscribed', seq: 2 });
    expect(await late.next()).toMatchObject({ type: 'quality', seq: 2, snapshot: true, data: { kind: 'QUALITY_KIND_RECONNECT' } });
    expect(h.gateway.metrics().wsQualityEventsSent).toBe(3);
  });

  it('refuses a quality channel of an unknown instrument', async () => {
    const c = await connectWs(h.httpPort, sockets);
    c.send({ op: 'subscribe', channel: 'quality:binance:spot:NOPEUSDT' });
    expect(await c.next()).toMatchObject({ type: 'error', channel: 'quality:binance:spot:NOPEUSDT' });
  });
});

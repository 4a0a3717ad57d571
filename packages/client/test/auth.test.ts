import { afterEach, describe, expect, it } from 'vitest';
import { channels, connect, PricelevelError, PricelevelSocket, type PricelevelClient, type SocketEvent } from '../src/index.js';
import { BTC, waitFor } from './support/fixtures.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const TOKEN = 's3cret-token';
let g: TestGateway | undefined;
const clients: PricelevelClient[] = [];
const sockets: PricelevelSocket[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await g?.stop();
  g = undefined;
});

async function failure(p: Promise<unknown>): Promise<PricelevelError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(PricelevelError);
  return err as PricelevelError;
}

describe('a gateway with a token', () => {
  it('refuses calls without the token or with a wrong one as UNAUTHENTICATED, unary and streaming', async () => {
    g = await startTestGateway({ token: TOKEN });
    for (const token of [undefined, 'wrong']) {
      const c = connect({ address: g.grpcAddress, token });
      clients.push(c);
      const err = await failure(c.marketData.listInstruments());
      expect(err.code).toBe('UNAUTHENTICATED');
      expect(err.details).toMatch(/bearer token/);
      const streamErr = await (async () => {
        for await (const _ of c.levels.watchLevels({ ...BTC })) return undefined;
        return undefined;
      })().catch((e: unknown) => e);
      expect((streamErr as PricelevelError).code).toBe('UNAUTHENTICATED');
    }
    expect(g.gateway.metrics().grpcUnauthenticated).toBe(4);
  });

  it('takes calls with the token', async () => {
    g = await startTestGateway({ token: TOKEN });
    const c = connect({ address: g.grpcAddress, token: TOKEN });
    clients.push(c);
    expect((await c.marketData.listInstruments()).instruments).toHaveLength(2);
  });

  it('WebSocket: a wrong token ends the socket for good with UNAUTHENTICATED; the right one subscribes', async () => {
    g = await startTestGateway({ token: TOKEN });
    const bad = new PricelevelSocket({ url: g.wsUrl, token: 'wrong', reconnect: { initialDelayMs: 5, maxDelayMs: 5 } });
    sockets.push(bad);
    const events: SocketEvent[] = [];
    bad.on((e) => events.push(e));
    const opened = await bad.opened().catch((e: unknown) => e);
    expect((opened as PricelevelError).code).toBe('UNAUTHENTICATED');
    expect(bad.readyState).toBe('closed');
    expect(events.filter((e) => e.type === 'reconnecting')).toEqual([]);

    const good = new PricelevelSocket({ url: g.wsUrl, token: TOKEN });
    sockets.push(good);
    const seen: string[] = [];
    good.subscribe(channels.levels('binance', 'spot', 'BTCUSDT'), (e) => seen.push(e.type));
    await waitFor(() => seen.includes('subscribed'), 'the subscription');
  });
});

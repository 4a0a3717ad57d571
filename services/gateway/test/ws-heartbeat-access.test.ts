import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { WsGatewayOptions } from '../src/http/ws-gateway.js';
import { sameSecret } from '../src/auth.js';
import { waitFor } from './support/fixtures.js';
import { connectWs } from './support/ws-client.js';
import { startWsGateway, type WsHarness } from './support/ws-harness.js';

let h: WsHarness | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await h?.stop();
  h = undefined;
});

async function start(options: Partial<WsGatewayOptions> = {}): Promise<WsHarness> {
  return (h = await startWsGateway(options));
}

describe('websocket heartbeat', () => {
  it('terminates a client that stops answering pings and keeps one that answers', async () => {
    const g = await start({ pingIntervalMs: 50 });
    const silent = await connectWs(g.port, sockets, '/ws', { autoPong: false });
    const alive = await connectWs(g.port, sockets);
    let silentPings = 0;
    let alivePings = 0;
    silent.ws.on('ping', () => silentPings++);
    alive.ws.on('ping', () => alivePings++);

    // Terminated, not closed: no close frame, so the client sees 1006.
    expect(await silent.closed).toBe(1006);
    expect(silentPings).toBe(2);
    await waitFor(() => alivePings >= silentPings + 3, 'more pings to the answering client');
    expect(alive.ws.readyState).toBe(alive.ws.OPEN);
    expect(g.ws.clientCount).toBe(1);
  });

  it('answers {"op":"ping"} with {"type":"pong"}', async () => {
    const g = await start();
    const c = await connectWs(g.port, sockets);
    c.send({ op: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
  });
});

describe('websocket upgrade access', () => {
  it('with allowed origins: refuses other or missing origins with 403, accepts a listed one', async () => {
    const g = await start({ allowedOrigins: ['https://app.example', 'http://localhost:3000'] });
    await expect(connectWs(g.port, sockets, '/ws', { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    await expect(connectWs(g.port, sockets)).rejects.toThrow(/403/);
    const c = await connectWs(g.port, sockets, '/ws', { origin: 'http://localhost:3000' });
    c.send({ op: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
  });

  it('without allowed origins: any origin connects', async () => {
    const g = await start();
    const c = await connectWs(g.port, sockets, '/ws', { origin: 'https://anywhere.example' });
    c.send({ op: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
  });

  it('with a token: refuses a missing or wrong one with 401, accepts it as a bearer header or a query parameter', async () => {
    const g = await start({ token: 's3cret-token' });
    await expect(connectWs(g.port, sockets)).rejects.toThrow(/401/);
    await expect(connectWs(g.port, sockets, '/ws?token=s3cret')).rejects.toThrow(/401/);
    await expect(connectWs(g.port, sockets, '/ws', { headers: { authorization: 'Bearer s3cret-tokenX' } })).rejects.toThrow(/401/);
    await expect(connectWs(g.port, sockets, '/ws', { headers: { authorization: 's3cret-token' } })).rejects.toThrow(/401/);
    for (const c of [
      await connectWs(g.port, sockets, '/ws', { headers: { authorization: 'Bearer s3cret-token' } }),
      await connectWs(g.port, sockets, '/ws?token=s3cret-token'),
    ]) {
      c.send({ op: 'ping' });
      expect(await c.next()).toEqual({ type: 'pong' });
    }
  });

  it('checks the origin before the token, and both must pass', async () => {
    const g = await start({ allowedOrigins: ['https://app.example'], token: 't' });
    await expect(connectWs(g.port, sockets, '/ws?token=t', { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    await expect(connectWs(g.port, sockets, '/ws', { origin: 'https://app.example' })).rejects.toThrow(/401/);
    await connectWs(g.port, sockets, '/ws?token=t', { origin: 'https://app.example' });
    expect(g.ws.clientCount).toBe(1);
  });

  it('compares secrets of any length', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'abc')).toBe(false);
  });
});

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ManualClock, silentLogger } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  ReconnectingSocket,
  type SocketHooks,
  type SocketStats,
} from '../src/exchanges/reconnecting-socket.js';
import { waitFor } from './helpers/fake-binance.js';

/** A loopback server that records connections and the text frames each one sent. */
async function startServer(): Promise<{
  wss: WebSocketServer;
  url: string;
  peers: WebSocket[];
  received: string[];
}> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const peers: WebSocket[] = [];
  const received: string[] = [];
  wss.on('connection', (ws) => {
    peers.push(ws);
    ws.on('message', (d) => received.push(d.toString()));
  });
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, peers, received };
}

function newStats(): SocketStats {
  return { opens: 0, closes: 0, frames: 0, stale: 0, errors: 0, handlerErrors: 0 };
}

describe('ReconnectingSocket', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setup(hooks: Partial<SocketHooks> = {}, staleMs = 1000) {
    const server = await startServer();
    cleanup.push(() => new Promise<void>((r) => server.wss.close(() => r())));
    const clock = new ManualClock(0);
    const stats = newStats();
    const events: string[] = [];
    const frames: string[] = [];
    const socket = new ReconnectingSocket(
      {
        clock,
        logger: silentLogger,
        random: () => 0,
        backoff: { initialMs: 100, maxMs: 1000 },
        staleMs,
        stats,
        onClose: ({ code }) => events.push(`close ${code}`),
        onStale: () => events.push('stale'),
      },
      {
        connecting: () => server.url,
        onOpen: (ws, info) => {
          events.push(`open reconnect=${info.reconnect}`);
          ws.send('hello');
        },
        onMessage: (data, isBinary) => {
          frames.push(`${isBinary ? 'bin' : 'text'}:${data.toString()}`);
        },
        resetConnection: () => events.push('reset'),
        ...hooks,
      },
    );
    cleanup.push(() => socket.stop());
    return { server, clock, stats, events, frames, socket };
  }

  it('opens, runs the venue hook, delivers frames and counts them', async () => {
    const { server, stats, events, frames, socket } = await setup();
    socket.start();
    await waitFor(() => socket.connected && server.received.length === 1, 'open + hello');
    expect(server.received).toEqual(['hello']);
    expect(events).toEqual(['open reconnect=false']);
    server.peers[0]!.send('a');
    server.peers[0]!.send(Buffer.from('b'), { binary: true });
    await waitFor(() => frames.length === 2, 'frames');
    expect(frames).toEqual(['text:a', 'bin:b']);
    expect(stats).toMatchObject({ opens: 1, frames: 2, closes: 0 });
  });

  it('reconnects after a close with backoff on the injected clock, flagging the reopen', async () => {
    const { server, clock, stats, events, socket } = await setup();
    socket.start();
    await waitFor(() => socket.connected, 'first open');
    server.peers[0]!.close(4000, 'bye');
    await waitFor(() => events.includes('close 4000'), 'close seen');
    expect(socket.connected).toBe(false);
    expect(server.peers.length).toBe(1); // the retry waits for the backoff timer
    clock.advance(50); // attempt 0, random 0 ⇒ half of the 100 ms step
    await waitFor(() => socket.connected, 'reopen');
    expect(events).toEqual(['open reconnect=false', 'reset', 'close 4000', 'open reconnect=true']);
    expect(stats).toMatchObject({ opens: 2, closes: 1 });
  });

  it('replaces a silent socket once per stale period', async () => {
    const { server, clock, stats, events, socket } = await setup({}, 1000);
    socket.start();
    await waitFor(() => socket.connected, 'open');
    clock.advance(1000);
    expect(stats.stale).toBe(0);
    clock.advance(250);
    expect(stats.stale).toBe(1);
    expect(events).toContain('stale');
    await waitFor(() => stats.closes === 1, 'terminated');
    clock.advance(50);
    await waitFor(() => server.peers.length === 2 && socket.connected, 'replacement');
  });

  it('lets a venue check replace the socket before the stale check', async () => {
    let fire = false;
    const { stats, clock, socket } = await setup({
      onCheck: (ws) => {
        if (!fire) return false;
        ws.terminate();
        return true;
      },
    });
    socket.start();
    await waitFor(() => socket.connected, 'open');
    fire = true;
    clock.advance(2000);
    await waitFor(() => stats.closes === 1, 'terminated by the venue check');
    expect(stats.stale).toBe(0);
  });

  it('counts a throwing frame handler and keeps the socket', async () => {
    const { server, stats, socket } = await setup({
      onMessage: () => {
        throw new Error('parser bug');
      },
    });
    socket.start();
    await waitFor(() => socket.connected, 'open');
    server.peers[0]!.send('x');
    await waitFor(() => stats.handlerErrors === 1, 'handler error counted');
    expect(socket.connected).toBe(true);
    expect(stats.frames).toBe(1);
  });

  it('counts an unusable URL and keeps retrying on the backoff', async () => {
    const { clock, stats, socket } = await setup({ connecting: () => 'not a url' });
    socket.start();
    expect(stats.errors).toBe(1);
    clock.advance(50);
    expect(stats.errors).toBe(2);
    await socket.stop();
    clock.advance(10_000);
    expect(stats.errors).toBe(2);
  });

  it('stop closes the socket, runs onStop and resetConnection, and does not reconnect', async () => {
    let stops = 0;
    const { server, clock, stats, events, socket } = await setup({ onStop: () => stops++ });
    socket.start();
    await waitFor(() => socket.connected, 'open');
    await socket.stop();
    expect(stops).toBe(1);
    expect(socket.current).toBeUndefined();
    clock.advance(10_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(server.peers.length).toBe(1);
    expect(events).toEqual(['open reconnect=false', 'reset']); // onClose is for unexpected closes only
    expect(stats.closes).toBe(0);
  });
});

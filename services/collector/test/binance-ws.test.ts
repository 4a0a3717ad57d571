import { ManualClock, silentLogger, systemClock, type Clock } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/exchanges/backoff.js';
import { BinanceWsConnection, type BinanceWsOptions } from '../src/exchanges/binance/binance-ws.js';
import { FakeBinance, waitFor } from './helpers/fake-binance.js';

interface Recorder {
  frames: string[];
  opens: { reconnect: boolean }[];
  closes: number[];
  stale: number[];
}

function connect(fake: FakeBinance, streams: string[], extra: Partial<BinanceWsOptions> = {}, clock: Clock = systemClock): { conn: BinanceWsConnection; rec: Recorder } {
  const rec: Recorder = { frames: [], opens: [], closes: [], stale: [] };
  const conn = new BinanceWsConnection({
    wsUrl: fake.wsUrl,
    streams,
    clock,
    logger: silentLogger,
    random: () => 0,
    backoff: { initialMs: 20, maxMs: 200 },
    onFrame: (d) => rec.frames.push(d.toString()),
    onOpen: (i) => rec.opens.push(i),
    onClose: (i) => rec.closes.push(i.code),
    onStale: (ms) => rec.stale.push(ms),
    ...extra,
  });
  return { conn, rec };
}

describe('backoff', () => {
  it('is exponential, capped, and jittered between half and the full step', () => {
    const o = { initialMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, o, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(backoffDelay(2, o, () => 0.999999)).toBe(400);
  });
});

describe('BinanceWsConnection against an in-test server', () => {
  let fake: FakeBinance | undefined;
  const conns: BinanceWsConnection[] = [];
  afterEach(async () => {
    await Promise.all(conns.splice(0).map((c) => c.stop()));
    await fake?.close();
    fake = undefined;
  });

  it('subscribes through the combined-stream URL and delivers frames', async () => {
    fake = await FakeBinance.start({ market: 'spot', symbols: ['BTCUSDT'] });
    const { conn, rec } = connect(fake, ['btcusdt@aggTrade', 'btcusdt@depth@100ms']);
    conns.push(conn);
    expect(conn.plan()).toEqual({ url: `${fake.wsUrl}/stream?streams=btcusdt@aggTrade/btcusdt@depth@100ms`, frames: [] });
    conn.start();
    await waitFor(() => rec.opens.length === 1, 'open');
    expect(fake.subscriptions[0]).toEqual(['btcusdt@aggTrade', 'btcusdt@depth@100ms']);
    fake.step(2);
    await waitFor(() => rec.frames.length === 4, 'frames');
    expect(JSON.parse(rec.frames[0]!).stream).toBe('btcusdt@depth@100ms');
    expect(rec.opens[0]!.reconnect).toBe(false);
  });

  it('sends SUBSCRIBE frames paced below the venue message rate', async () => {
    fake = await FakeBinance.start({ market: 'spot', symbols: ['BTCUSDT'] });
    const clock = new ManualClock(0);
    const streams = Array.from({ length: 450 }, (_, i) => `s${i}usdt@aggTrade`);
    const { conn, rec } = connect(fake, streams, { subscribeMode: 'frames', maxMessagesPerSecond: 5 }, clock);
    conns.push(conn);
    const plan = conn.plan();
    expect(plan.url).toBe(`${fake.wsUrl}/stream`);
    expect(plan.frames.map((f) => JSON.parse(f).params.length)).toEqual([200, 200, 50]);
    conn.start();
    await waitFor(() => rec.opens.length === 1 && fake!.subscribeFrames.length === 1, 'first SUBSCRIBE');
    // 4 per second (one below the limit, leaving room for pongs): the next goes 250 ms later.
    clock.advance(249);
    await new Promise((r) => setTimeout(r, 30));
    expect(fake.subscribeFrames).toHaveLength(1);
    clock.advance(1);
    await waitFor(() => fake!.subscribeFrames.length === 2, 'second SUBSCRIBE');
    clock.advance(250);
    await waitFor(() => fake!.subscribeFrames.length === 3, 'third SUBSCRIBE');
    expect(fake.subscriptions[0]).toEqual(streams);
    await waitFor(() => rec.frames.filter((f) => f.includes('"result":null')).length === 3, 'acks');
  });

  it('answers server pings with the same payload (ws autoPong)', async () => {
    fake = await FakeBinance.start({ market: 'spot', symbols: ['BTCUSDT'] });
    const { conn, rec } = connect(fake, ['btcusdt@aggTrade']);
    conns.push(conn);
    conn.start();
    await waitFor(() => rec.opens.length === 1, 'open');
    const server = fake.connections[0]!;
    const pong = new Promise<string>((resolve) => server.once('pong', (data) => resolve(data.toString())));
    server.ping('ping-1700000000');
    expect(await pong).toBe('ping-1700000000');
  });

  it('reconnects with backoff after the server drops it, and reports reconnect: true', async () => {
    fake = await FakeBinance.start({ market: 'perp', symbols: ['BTCUSDT'] });
    const { conn, rec } = connect(fake, ['btcusdt@aggTrade']);
    conns.push(conn);
    conn.start();
    await waitFor(() => rec.opens.length === 1, 'open');
    fake.dropConnections();
    await waitFor(() => rec.opens.length === 2, 'reopen');
    expect(rec.closes).toHaveLength(1);
    expect(rec.opens[1]!.reconnect).toBe(true);
    expect(conn.stats.closes).toBe(1);
    fake.step();
    await waitFor(() => rec.frames.length > 0, 'frames after reconnect');
  });

  it('keeps retrying while the server is down and connects once it is back', async () => {
    fake = await FakeBinance.start({ market: 'spot', symbols: ['BTCUSDT'] });
    const { conn, rec } = connect(fake, ['btcusdt@aggTrade'], { wsUrl: 'ws://127.0.0.1:1' });
    conns.push(conn);
    conn.start();
    await waitFor(() => rec.closes.length >= 3, 'several failed attempts');
    expect(rec.opens).toHaveLength(0);
    expect(conn.connected).toBe(false);
  });

  it('replaces a connection that goes silent (stale-data watchdog)', async () => {
    fake = await FakeBinance.start({ market: 'spot', symbols: ['BTCUSDT'] });
    const { conn, rec } = connect(fake, ['btcusdt@aggTrade'], { staleMs: 150 });
    conns.push(conn);
    conn.start();
    await waitFor(() => rec.opens.length === 1, 'open');
    await waitFor(() => rec.stale.length >= 1 && rec.opens.length >= 2, 'stale detection and reconnect');
    expect(rec.stale[0]).toBeGreaterThan(150);
    expect(conn.stats.stale).toBeGreaterThanOrEqual(1);
  });

  it('stop() closes the socket and stops reconnecting', async () => {
    fake = await FakeBinance.start({ market: 'spot', symbols: ['BTCUSDT'] });
    const { conn, rec } = connect(fake, ['btcusdt@aggTrade']);
    conn.start();
    await waitFor(() => rec.opens.length === 1, 'open');
    await conn.stop();
    expect(conn.connected).toBe(false);
    await waitFor(() => fake!.openConnections() === 0, 'server sees the close');
    await new Promise((r) => setTimeout(r, 100));
    expect(rec.opens).toHaveLength(1);
  });

  it('survives a throwing frame handler and an unusable URL', async () => {
    fake = await FakeBinance.start({ market: 'spot', symbols: ['BTCUSDT'] });
    let calls = 0;
    const { conn, rec } = connect(fake, ['btcusdt@aggTrade'], {
      onFrame: () => {
        calls++;
        throw new Error('bug');
      },
    });
    conns.push(conn);
    conn.start();
    await waitFor(() => rec.opens.length === 1, 'open');
    fake.step(3);
    await waitFor(() => calls === 6, 'every frame handed over');
    expect(conn.stats.handlerErrors).toBe(6);
    expect(conn.connected).toBe(true);
    const bad = connect(fake, ['btcusdt@aggTrade'], { wsUrl: 'ws://[not a host' });
    conns.push(bad.conn);
    bad.conn.start();
    await waitFor(() => bad.conn.stats.errors >= 2, 'retries of the bad URL');
    expect(bad.rec.opens).toHaveLength(0);
  });

  it('refuses more than 1024 streams on one connection', () => {
    expect(() => new BinanceWsConnection({
      wsUrl: 'ws://127.0.0.1:1', streams: Array.from({ length: 1025 }, (_, i) => `s${i}@aggTrade`), clock: systemClock, logger: silentLogger,
      onFrame: () => {}, onOpen: () => {}, onClose: () => {},
    })).toThrow(/1024/);
  });
});

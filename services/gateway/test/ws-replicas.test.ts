import { instrumentKey, type TopicMessage, type TopicName } from '@pricelevel/contracts';
import { ManualClock, MemoryBus, RedisCache, silentLogger } from '@pricelevel/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { startRedisTestServer, type RedisTestServer } from '../../../infra/redis-test-server/index.mjs';
import { GatewayServer } from '../src/gateway-server.js';
import { BTC, bookFeatures, candle, ETH, MIN, orderFlow, T0, waitFor } from './support/fixtures.js';
import { MemoryStore } from './support/memory-store.js';
import { connectWs, type WsTestClient } from './support/ws-client.js';

/** Two gateway processes' worth of servers sharing one Redis and one bus (standing in for Kafka). */
let redis: RedisTestServer;
const bus = new MemoryBus();
const caches: RedisCache[] = [];
const gateways: GatewayServer[] = [];
const ports: number[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  redis = await startRedisTestServer();
  for (let i = 0; i < 2; i++) {
    const cache = new RedisCache({ url: redis.url });
    const gateway = new GatewayServer({
      store: new MemoryStore(), bus, cache, clock: new ManualClock(T0 + 30 * MIN), logger: silentLogger, instruments: [BTC, ETH],
      grpc: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 },
    });
    caches.push(cache);
    gateways.push(gateway);
    ports.push((await gateway.start()).httpPort);
  }
});
afterAll(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(gateways.map((g) => g.stop()));
  await Promise.all(caches.map((c) => c.close()));
  await bus.close();
  await redis?.stop();
});

const CANDLES = 'candles:binance:spot:BTCUSDT:1m';
const FEATURES = 'features:binance:spot:BTCUSDT';

const publish = <T extends TopicName>(topic: T, ...values: TopicMessage<T>[]) =>
  bus.publish(topic, values.map((value) => ({ key: instrumentKey(value as typeof BTC), value })));

/** The updates a client received on a channel, snapshots aside. */
const updatesOn = (c: WsTestClient, channel: string) => c.messages.filter((m) => m.channel === channel && 'seq' in m && m.type !== 'subscribed' && !m.snapshot);

async function subscribe(c: WsTestClient, channel: string, since?: number): Promise<Record<string, unknown>> {
  c.send(since === undefined ? { op: 'subscribe', channel } : { op: 'subscribe', channel, since });
  await waitFor(() => c.messages.some((m) => m.type === 'subscribed' && m.channel === channel), `subscribed to ${channel}`);
  return c.messages.filter((m) => m.type === 'subscribed' && m.channel === channel).at(-1)!;
}

/** Candle versions and per-second book features + flows for `seconds` seconds, in a few bus batches. */
async function publishStretch(from: number, seconds: number): Promise<number> {
  for (let s = from; s < from + seconds; s++) {
    await publish('agg.candle.v1', candle(BTC, '1m', T0, { close: 100 + s, final: false }), candle(ETH, '1m', T0, { close: 50 + s }));
    await publish('feat.book.v1', bookFeatures(BTC, T0 + (s + 1) * 1000, { midPrice: 100 + s }));
    await publish('feat.flow.v1', orderFlow(BTC, '1s', T0 + s * 1000, { tradeCount: s }), orderFlow(BTC, '1m', T0, { tradeCount: s }));
  }
  // Per stretch: one BTC candle per second on CANDLES, book features and a 1 s flow on FEATURES.
  return seconds;
}

describe('websocket across gateway replicas', () => {
  it('a client on each replica receives the same numbered updates in the same order; resuming on the other replica replays', async () => {
    const a = await connectWs(ports[0]!, sockets);
    const b = await connectWs(ports[1]!, sockets);
    for (const c of [a, b]) for (const channel of [CANDLES, FEATURES]) await subscribe(c, channel);
    // One numbering for both: the same epoch everywhere.
    expect(new Set([a, b].flatMap((c) => c.messages.map((m) => m.epoch)))).toEqual(new Set([expect.any(String)]));

    const n = await publishStretch(0, 12);
    await waitFor(() => [a, b].every((c) => updatesOn(c, CANDLES).length === n && updatesOn(c, FEATURES).length === 2 * n), 'every update on both replicas');
    for (const channel of [CANDLES, FEATURES]) {
      expect(updatesOn(b, channel)).toEqual(updatesOn(a, channel));
      // Numbered 1, 2, … with nothing skipped, though the two bus topics of FEATURES may be handled by different replicas.
      expect(updatesOn(a, channel).map((m) => m.seq)).toEqual(updatesOn(a, channel).map((_, i) => i + 1));
    }
    expect(updatesOn(a, CANDLES).map((m) => (m.data as { close: number }).close)).toEqual([...Array(n).keys()].map((s) => 100 + s));
    // Each update was published once, by whichever replica the shared consumer group gave the bus message to.
    const published = gateways.reduce((sum, g) => sum + g.metrics().wsUpdatesPublished, 0);
    // BTC and ETH candles, book features, the 1 s flow on its own channel and on FEATURES, the 1m flow.
    expect(published).toBe(n * 6);
    // The shared group splits the topics' partitions between the replicas: both took part.
    expect(gateways.map((g) => g.metrics().wsUpdatesPublished > 0)).toEqual([true, true]);

    // A client of replica A drops; updates go on; it resumes on replica B from the last seq it saw.
    const lastSeen = updatesOn(a, CANDLES).at(-1)!.seq as number;
    a.ws.terminate();
    await publishStretch(n, 3);
    await waitFor(() => updatesOn(b, CANDLES).length === n + 3, 'the later updates on replica B');
    const resumed = await connectWs(ports[1]!, sockets);
    const ack = await subscribe(resumed, CANDLES, lastSeen);
    expect(ack).toMatchObject({ seq: lastSeen + 3, epoch: a.messages[0]!.epoch });
    await waitFor(() => updatesOn(resumed, CANDLES).length === 3, 'the replayed updates');
    expect(updatesOn(resumed, CANDLES)).toEqual(updatesOn(b, CANDLES).slice(n));
  });

  it('a replica that never watched a channel starts a client from the shared latest update and number', async () => {
    const c = await connectWs(ports[0]!, sockets);
    const ack = await subscribe(c, 'flow:binance:spot:BTCUSDT:1m', 3);
    expect(ack.seq).toBeGreaterThan(3);
    await waitFor(() => c.messages.length >= 3, 'the gap and the snapshot');
    expect(c.messages.slice(1)).toMatchObject([
      { type: 'gap', from: 4, to: ack.seq },
      { type: 'flow', seq: ack.seq, snapshot: true, data: { interval: '1m', tradeCount: 14 } },
    ]);
  });

  // Last: it empties Redis.
  it('after Redis loses the numbering (a flush), both replicas name a new epoch and ask their clients to resubscribe', async () => {
    const a = await connectWs(ports[0]!, sockets);
    const b = await connectWs(ports[1]!, sockets);
    for (const c of [a, b]) await subscribe(c, CANDLES);
    const oldEpoch = a.messages[0]!.epoch;
    await publishStretch(20, 2);
    await waitFor(() => [a, b].every((c) => updatesOn(c, CANDLES).length === 2), 'updates before the flush');

    const { Redis } = await import('ioredis');
    const raw = new Redis(redis.url);
    await raw.flushall();
    await raw.quit();
    await publishStretch(22, 1);
    // Numbered from 1 again in Redis: the clients' numbers mean nothing now.
    expect(await Promise.all([a.closed, b.closed])).toEqual([1012, 1012]);
    await waitFor(() => gateways.every((g) => g.metrics().wsRenumberings === 1), 'both replicas saw the restart');

    const again = [await connectWs(ports[0]!, sockets), await connectWs(ports[1]!, sockets)];
    const acks = [await subscribe(again[0]!, CANDLES), await subscribe(again[1]!, CANDLES)];
    expect(acks[0]!.epoch).not.toBe(oldEpoch);
    expect(acks[1]!.epoch).toBe(acks[0]!.epoch);
    await publishStretch(23, 2);
    await waitFor(() => again.every((c) => updatesOn(c, CANDLES).length === 2), 'updates after the restart');
    expect(updatesOn(again[1]!, CANDLES)).toEqual(updatesOn(again[0]!, CANDLES));
    const seqs = updatesOn(again[0]!, CANDLES).map((m) => m.seq as number);
    expect(seqs[1]).toBe(seqs[0]! + 1);
    expect(seqs[0]).toBeLessThan(5);
  });
});

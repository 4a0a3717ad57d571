import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BookFeatures, Candle, instrumentKey, OrderFlow, TOPIC_NAMES, type TopicMessage, type TopicName } from '@pricelevel/contracts';
import { KafkaBus, partitionForKey } from '@pricelevel/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
// The Kafka test broker: librdkafka's mock cluster, a real Kafka wire-protocol broker.
import { startKafkaTestBroker, type KafkaTestBroker } from '../../../infra/kafka-test-broker/index.mjs';
import { startRedisTestServer, type RedisTestServer } from '../../../infra/redis-test-server/index.mjs';
import { eventually, freePort, startCli, type CliProcess } from './helpers.js';

const PARTITIONS = 6;
/** Instruments whose keys fall on six different partitions: whatever the split, both gateways consume some. */
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'XRPUSDT', 'DOTUSDT', 'MATICUSDT', 'UNIUSDT'];
const instrument = (symbol: string) => ({ exchange: 'binance', market: 'spot', symbol });
/** The Kafka consumer groups of the gateways' shared bus group `gateway-ws` (one per topic): `gateway-ws.<topic>`. */
const WS_GROUP_PREFIX = 'gateway-ws.';
/** Topics of the ws group the channels below are fed from. */
const FED_FROM = ['agg.candle.v1', 'feat.book.v1', 'feat.flow.v1'];
/** 2024-01-01T00:00:00Z */
const T0 = 1_704_067_200_000;

const candlesChannel = (symbol: string) => `candles:binance:spot:${symbol}:1m`;
const featuresChannel = (symbol: string) => `features:binance:spot:${symbol}`;
const CHANNELS = SYMBOLS.flatMap((s) => [candlesChannel(s), featuresChannel(s)]);

type WsMessage = Record<string, unknown> & { type: string; channel?: string; seq?: number; data?: Record<string, unknown> };

interface Client {
  ws: WebSocket;
  messages: WsMessage[];
}

async function connect(port: number, opened: Client[]): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const client: Client = { ws, messages: [] };
  opened.push(client);
  ws.on('message', (data) => client.messages.push(JSON.parse(String(data)) as WsMessage));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return client;
}

/** Subscribes and returns the `subscribed` acknowledgement. */
async function subscribe(c: Client, channel: string, since?: number): Promise<WsMessage> {
  const acks = () => c.messages.filter((m) => m.type === 'subscribed' && m.channel === channel);
  const before = acks().length;
  c.ws.send(JSON.stringify(since === undefined ? { op: 'subscribe', channel } : { op: 'subscribe', channel, since }));
  return eventually(async () => acks()[before], 10_000, 10);
}

/** The numbered updates a client received on a channel, snapshots aside, as (seq, type, data). */
const updatesOn = (c: Client, channel: string) =>
  c.messages.filter((m) => m.channel === channel && m.type !== 'subscribed' && m.type !== 'gap' && typeof m.seq === 'number' && !m.snapshot);

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Per topic of the ws group, the latest partitions each process logged joining with (kafkajs logs every join and rejoin). */
function wsAssignments(procs: CliProcess[]): Map<string, (number[] | undefined)[]> {
  const out = new Map<string, (number[] | undefined)[]>();
  procs.forEach((p, i) => {
    for (const line of p.lines) {
      if (!line.includes('Consumer has joined the group')) continue;
      const entry = JSON.parse(line) as { groupId?: string; memberAssignment?: Record<string, number[]> };
      if (!entry.groupId?.startsWith(WS_GROUP_PREFIX)) continue;
      const topic = entry.groupId.slice(WS_GROUP_PREFIX.length);
      const latest = out.get(topic) ?? procs.map(() => undefined);
      latest[i] = entry.memberAssignment?.[topic] ?? [];
      out.set(topic, latest);
    }
  });
  return out;
}

/** Every topic's latest assignments split all partitions between the two processes: the groups have settled. */
function settled(procs: CliProcess[]): boolean {
  const byTopic = wsAssignments(procs);
  if (!FED_FROM.every((t) => byTopic.has(t))) return false;
  return [...byTopic.values()].every((assignments) => {
    const all = assignments.flatMap((a) => a ?? []);
    return assignments.every((a) => a !== undefined && a.length > 0) && all.length === PARTITIONS && new Set(all).size === PARTITIONS;
  });
}

/** Resolves when the process logs 'service running'; rejects with its warnings and errors if it exits or times out first. */
async function running(p: CliProcess, timeoutMs: number): Promise<void> {
  const exited = new Promise<never>((_, reject) => p.child.once('exit', (code) => reject(new Error(`exited with ${code}`))));
  try {
    await Promise.race([p.waitForLine((l) => l.includes('service running'), timeoutMs), exited]);
  } catch (err) {
    const problems = p.lines.filter((l) => /"level":(40|50|60)/.test(l)).slice(-10);
    throw new Error(`gateway did not start: ${(err as Error).message}\n${problems.join('\n')}`, { cause: err });
  }
}

// Two `pricelevel run gateway` processes on one Kafka and one Redis: the shared consumer group splits the
// topics' partitions between them, each publishes what it consumes, numbered, through Redis, and a client
// of either gateway sees every update with the same numbers in the same order.
describe('two gateway processes over Kafka sharing one Redis', () => {
  let broker: KafkaTestBroker;
  let redis: RedisTestServer;
  let feed: KafkaBus;
  const gateways: CliProcess[] = [];
  const httpPorts: number[] = [];
  const opsPorts: number[] = [];
  const dirs: string[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    [broker, redis] = await Promise.all([
      startKafkaTestBroker({ topics: TOPIC_NAMES.map((t) => `${t}:${PARTITIONS}`) }),
      startRedisTestServer(),
    ]);
    const shared = {
      PL_MODE: 'distributed', KAFKA_BROKERS: broker.brokers.join(','), KAFKA_SESSION_TIMEOUT_MS: '4000', KAFKA_HEARTBEAT_MS: '300',
      REDIS_URL: redis.url, PL_EXCHANGES: 'binance', PL_MARKETS: 'spot', PL_SYMBOLS: SYMBOLS.join(','),
      GRPC_HOST: '127.0.0.1', HTTP_HOST: '127.0.0.1', OPS_HOST: '127.0.0.1',
    };
    for (let i = 0; i < 2; i++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-gw-replica-'));
      dirs.push(dir);
      httpPorts.push(await freePort());
      opsPorts.push(await freePort());
      gateways.push(startCli(['run', 'gateway'], {
        ...shared, PL_DATA_DIR: dir, GRPC_PORT: String(await freePort()), HTTP_PORT: String(httpPorts[i]), OPS_PORT: String(opsPorts[i]),
      }));
    }
    feed = new KafkaBus({ brokers: broker.brokers, clientId: 'replicas-test-feed' });
    // Every consumer group join takes about 3 s on the test broker, and each gateway joins a dozen topic groups.
    await Promise.all(gateways.map((g) => running(g, 120_000)));
    // The second member's join rebalances the first: wait until both hold their final share of every ws topic.
    await eventually(async () => (settled(gateways) ? true : undefined), 60_000, 100);
    // A member's offsets for newly assigned partitions are fixed at its first fetch after the join.
    await new Promise((r) => setTimeout(r, 1500));
  }, 200_000);

  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await feed?.close();
    await Promise.all(gateways.map((g) => g.stop()));
    await Promise.all([broker?.stop(), redis?.stop()]);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const publish = <T extends TopicName>(topic: T, values: TopicMessage<T>[]) =>
    feed.publish(topic, values.map((value) => ({ key: instrumentKey(value as { exchange: string; market: string; symbol: string }), value })));

  /** Second `s` of every instrument: a new version of its open 1m candle, its book features and its 1 s order flow. */
  async function publishSecond(s: number): Promise<void> {
    const refs = SYMBOLS.map(instrument);
    await Promise.all([
      publish('agg.candle.v1', refs.map((r) => Candle.fromPartial({
        ...r, interval: '1m', openTime: T0, closeTime: T0 + 60_000, open: 100, high: 100 + s, low: 100, close: 100 + s, volume: s + 1,
        tradeCount: s + 1, version: s + 1, final: false, source: 'trades',
      }))),
      publish('feat.book.v1', refs.map((r) => BookFeatures.fromPartial({ ...r, ts: T0 + (s + 1) * 1000, bidLevels: 10, askLevels: 10, midPrice: 200 + s }))),
      publish('feat.flow.v1', refs.map((r) => OrderFlow.fromPartial({ ...r, interval: '1s', openTime: T0 + s * 1000, closeTime: T0 + (s + 1) * 1000, tradeCount: s }))),
    ]);
  }

  /** Publishes seconds [from, from + n), a little apart so both gateways' consumers interleave. */
  async function publishSeconds(from: number, n: number): Promise<void> {
    for (let s = from; s < from + n; s++) {
      await publishSecond(s);
      await new Promise((r) => setTimeout(r, 50));
    }
    await feed.flush();
  }

  async function updatesPublishedBy(opsPort: number): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    return sample(text, 'pricelevel_gateway_ws_updates_published_total') ?? Number.NaN;
  }

  it('a client on each gateway receives the same numbered updates in the same order; a client resumes on the other gateway', async () => {
    // Precondition of "both consume": the instruments' keys cover every partition.
    expect(new Set(SYMBOLS.map((s) => partitionForKey(instrumentKey(instrument(s)), PARTITIONS))).size).toBe(PARTITIONS);

    const a = await connect(httpPorts[0]!, clients);
    const b = await connect(httpPorts[1]!, clients);
    for (const c of [a, b]) for (const channel of CHANNELS) expect(await subscribe(c, channel)).toMatchObject({ seq: 0 });
    // One numbering for both: the epoch the first gateway named in Redis.
    expect(new Set([a, b].flatMap((c) => c.messages.map((m) => m.epoch)))).toEqual(new Set([expect.any(String)]));

    const n = 12;
    await publishSeconds(0, n);
    // Per instrument and second: one update on its candles channel, two (book features, 1 s flow) on its features channel.
    const complete = (c: Client) => SYMBOLS.every((s) => updatesOn(c, candlesChannel(s)).length >= n && updatesOn(c, featuresChannel(s)).length >= 2 * n);
    await eventually(async () => ([a, b].every(complete) ? true : undefined), 30_000, 50);
    // Delivered once each: nothing more comes in after the last one.
    await new Promise((r) => setTimeout(r, 500));

    for (const symbol of SYMBOLS) {
      for (const channel of [candlesChannel(symbol), featuresChannel(symbol)]) {
        expect(updatesOn(b, channel)).toEqual(updatesOn(a, channel));
        // Numbered 1, 2, … with nothing skipped or repeated, though the features channel's two topics may be consumed by different gateways.
        expect(updatesOn(a, channel).map((m) => m.seq)).toEqual(updatesOn(a, channel).map((_, i) => i + 1));
      }
      const seconds = [...Array(n).keys()];
      expect(updatesOn(a, candlesChannel(symbol)).map((m) => m.data!.close)).toEqual(seconds.map((s) => 100 + s));
      const features = updatesOn(a, featuresChannel(symbol));
      expect(features.filter((m) => m.type === 'features').map((m) => m.data!.midPrice)).toEqual(seconds.map((s) => 200 + s));
      expect(features.filter((m) => m.type === 'flow').map((m) => m.data!.tradeCount)).toEqual(seconds);
    }

    // Each update was published once, by whichever gateway the shared group gave its Kafka message to, and both took part.
    const published = await Promise.all(opsPorts.map(updatesPublishedBy));
    // Per instrument and second: the candle, the book features, the 1 s flow on its own channel and on the features channel.
    expect(published[0]! + published[1]!).toBe(n * SYMBOLS.length * 4);
    expect(published.map((p) => p > 0)).toEqual([true, true]);

    // The client of gateway A drops; updates go on; it resumes every channel on gateway B from the last seq it saw.
    const lastSeen = new Map(CHANNELS.map((channel) => [channel, updatesOn(a, channel).at(-1)!.seq!]));
    a.ws.terminate();
    const more = 3;
    await publishSeconds(n, more);
    const missed = (channel: string) => (channel.startsWith('candles:') ? more : 2 * more);
    await eventually(async () => (CHANNELS.every((ch) => updatesOn(b, ch).length === lastSeen.get(ch)! + missed(ch)) ? true : undefined), 30_000, 50);

    const resumed = await connect(httpPorts[1]!, clients);
    for (const channel of CHANNELS) {
      const since = lastSeen.get(channel)!;
      expect(await subscribe(resumed, channel, since)).toMatchObject({ seq: since + missed(channel), epoch: a.messages[0]!.epoch });
    }
    await eventually(async () => (CHANNELS.every((ch) => updatesOn(resumed, ch).length >= missed(ch)) ? true : undefined), 10_000, 20);
    for (const channel of CHANNELS) {
      const since = lastSeen.get(channel)!;
      // Exactly the missed numbers, no gap, no snapshot, and the same messages B's own client got.
      expect(resumed.messages.filter((m) => m.channel === channel && m.type === 'gap')).toEqual([]);
      expect(updatesOn(resumed, channel).map((m) => m.seq)).toEqual([...Array(missed(channel)).keys()].map((i) => since + 1 + i));
      expect(updatesOn(resumed, channel)).toEqual(updatesOn(b, channel).slice(since));
    }
  }, 90_000);
});

import { instrumentKey, type TopicMessage, type TopicName } from '@pricelevel/contracts';
import { MemoryCache, silentLogger, type Cache } from '@pricelevel/platform';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseNumberedUpdate, wsLatestKey } from '../src/http/ws-cache-keys.js';
import { emptyMetrics, type GatewayMetrics } from '../src/metrics.js';
import { WsChannelPublisher } from '../src/ws-channel-publisher.js';
import { BTC, bookFeatures, candle, ETH, levelSet, orderFlow, T0, waitFor } from './support/fixtures.js';
import { TestBus } from './support/test-bus.js';

let cache: MemoryCache;
let bus: TestBus;
let metrics: GatewayMetrics;

beforeEach(async () => {
  cache = new MemoryCache();
  bus = new TestBus();
  metrics = emptyMetrics();
  await new WsChannelPublisher(cache, silentLogger, metrics).subscribe(bus, () => {});
});
afterEach(async () => {
  await cache.close();
});

const publish = <T extends TopicName>(topic: T, ...values: TopicMessage<T>[]) =>
  bus.publish(topic, values.map((value) => ({ key: instrumentKey(value as typeof BTC), value })));

/** Collects the numbered updates published on a channel's cache topic. */
async function watch(channel: string): Promise<{ seq: number; type: string; data: Record<string, unknown> }[]> {
  const got: { seq: number; type: string; data: Record<string, unknown> }[] = [];
  await cache.subscribe(`pl:ws:${channel}`, (text) => {
    const u = parseNumberedUpdate(text);
    if (u) got.push({ seq: u.seq, type: u.type, data: JSON.parse(u.data) as Record<string, unknown> });
  });
  return got;
}

describe('ws channel publisher', () => {
  it('numbers each channel on its own and keeps its latest update of each type', async () => {
    const btc = await watch('candles:binance:spot:BTCUSDT:1m');
    const eth = await watch('candles:binance:spot:ETHUSDT:1m');
    await publish('agg.candle.v1', candle(BTC, '1m', T0, { close: 1 }), candle(ETH, '1m', T0), candle(BTC, '1m', T0, { close: 2 }));
    // Venue klines are history, not live updates.
    await publish('agg.candle.v1', candle(BTC, '1m', T0, { close: 3, source: 'exchange' }));
    await waitFor(() => btc.length === 2 && eth.length === 1, 'the candle updates');
    expect(btc.map((u) => [u.seq, u.type, u.data.close])).toEqual([[1, 'candle', 1], [2, 'candle', 2]]);
    expect(eth.map((u) => u.seq)).toEqual([1]);
    expect(parseNumberedUpdate((await cache.get(wsLatestKey('candles:binance:spot:BTCUSDT:1m', 'candle'))) ?? '')).toMatchObject({ seq: 2 });
    expect(metrics.wsUpdatesPublished).toBe(3);
  });

  it('puts the book features and the 1 s flow on the features channel, every flow on its flow channel', async () => {
    const features = await watch('features:binance:spot:BTCUSDT');
    const flow1s = await watch('flow:binance:spot:BTCUSDT:1s');
    const flow1m = await watch('flow:binance:spot:BTCUSDT:1m');
    await publish('feat.book.v1', bookFeatures(BTC, T0 + 1000));
    await publish('feat.flow.v1', orderFlow(BTC, '1s', T0), orderFlow(BTC, '1m', T0));
    await waitFor(() => features.length === 2 && flow1s.length === 1 && flow1m.length === 1, 'the feature updates');
    expect(features.map((u) => [u.seq, u.type])).toEqual([[1, 'features'], [2, 'flow']]);
    expect(features[1]?.data).toMatchObject({ interval: '1s', vwap: null });
    expect(flow1m.map((u) => [u.seq, u.type, u.data.interval])).toEqual([[1, 'flow', '1m']]);
  });

  it('publishes a level set only when its version is newer than the last one published', async () => {
    const levels = await watch('levels:binance:spot:BTCUSDT');
    await publish('levels.v1', levelSet(BTC, 2), levelSet(BTC, 1), levelSet(BTC, 2), levelSet(BTC, 3));
    await waitFor(() => levels.length === 2, 'the level updates');
    await new Promise((r) => setTimeout(r, 10));
    expect(levels.map((u) => [u.seq, u.data.version])).toEqual([[1, 2], [2, 3]]);
  });

  it('refuses a cache that cannot number updates', () => {
    const plain: Cache = {
      get: (k) => cache.get(k), set: (k, v, ttl) => cache.set(k, v, ttl), del: (k) => cache.del(k),
      publish: (c, m) => cache.publish(c, m), subscribe: (c, f) => cache.subscribe(c, f), close: () => cache.close(),
    };
    expect(() => new WsChannelPublisher(plain, silentLogger, metrics)).toThrow(/publishNumbered/);
  });
  it('publishes each batch all or none, and nothing twice when the bus redelivers it, even on another replica', async () => {
    // A second publisher (another gateway replica) on the same cache and bus log; the first one's cache fails
    // once, after it has published the batch (the reply was lost), so the whole batch comes again.
    let failNext = false;
    const flaky = Object.create(cache, {
      publishNumbered: { value: async (messages: Parameters<NonNullable<Cache['publishNumbered']>>[0]) => {
        const numbers = await cache.publishNumbered(messages);
        if (failNext && messages.length > 1) {
          failNext = false;
          throw new Error('cache connection lost');
        }
        return numbers;
      } },
    }) as Cache;
    const redelivering = new TestBus();
    const firstMetrics = emptyMetrics();
    const otherMetrics = emptyMetrics();
    await new WsChannelPublisher(flaky, silentLogger, firstMetrics).subscribe(redelivering, () => {});
    const btc = await watch('candles:binance:spot:BTCUSDT:1m');
    const batch = [1, 2, 3].map((close) => ({ key: instrumentKey(BTC), value: candle(BTC, '1m', T0, { close }) }));
    await redelivering.publish('agg.candle.v1', batch.slice(0, 1));
    failNext = true;
    await expect(redelivering.publish('agg.candle.v1', batch.slice(1))).rejects.toThrow('cache connection lost');
    // The redelivery of offsets 0-2 reaches the other replica (a rebalance moved the partition).
    await new WsChannelPublisher(cache, silentLogger, otherMetrics).subscribe(redelivering, () => {});
    // The first replica's candle subscription is gone (its partition moved away).
    redelivering.subscriptions.find((sub) => sub.topic === 'agg.candle.v1')!.open = false;
    await redelivering.redeliver('agg.candle.v1', 0, [...batch, { key: instrumentKey(BTC), value: candle(BTC, '1m', T0, { close: 4 }) }]);
    await waitFor(() => btc.length === 4, 'the four candle updates');
    await new Promise((r) => setTimeout(r, 20));
    expect(btc.map((u) => [u.seq, u.data.close])).toEqual([[1, 1], [2, 2], [3, 3], [4, 4]]);
    expect(otherMetrics).toMatchObject({ wsUpdatesPublished: 1, wsUpdatesRepeated: 3 });
  });
});

import { QualityEvent, QualityKind, Side, Trade } from '@pricelevel/contracts';
import { MemoryBus, MemoryCache } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';
import {
  channels, PricelevelSocket, type CandleUpdate, type ChannelEvent, type FeaturesUpdate, type LevelsUpdate, type QualityUpdate, type SocketEvent,
} from '../src/index.js';
import { BTC, bookFeatures, candle, levelSet, MIN, T0, waitFor } from './support/fixtures.js';
import { MemoryStore } from './support/memory-store.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from './support/test-gateway.js';

const gateways: TestGateway[] = [];
const sockets: PricelevelSocket[] = [];
const proxies: TcpProxy[] = [];

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
});

const BTC_1M = channels.candles('binance', 'spot', 'BTCUSDT', '1m');
const minute = (i: number) => candle(BTC, '1m', T0 + i * MIN, { close: 100 + i });
const FAST = { initialDelayMs: 10, maxDelayMs: 50, factor: 2, jitter: 0 };

async function gateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const g = await startTestGateway(options);
  gateways.push(g);
  return g;
}

function socket(url: string): PricelevelSocket {
  const s = new PricelevelSocket({ url, reconnect: FAST });
  sockets.push(s);
  return s;
}

async function proxyTo(g: TestGateway): Promise<TcpProxy> {
  const p = new TcpProxy(g.httpPort);
  proxies.push(p);
  await p.start();
  return p;
}

/** Collects a channel's events through the callback API. */
function record(s: PricelevelSocket, channel = BTC_1M) {
  const events: ChannelEvent<'candles'>[] = [];
  const unsubscribe = s.subscribe(channel, (e) => events.push(e));
  const candles = () => events.filter((e): e is CandleUpdate => e.type === 'candle');
  return { events, unsubscribe, candles, seqs: () => candles().map((c) => c.seq) };
}

describe('PricelevelSocket', () => {
  it('iterates a channel: subscribed, then typed updates; abort ends the loop', async () => {
    const g = await gateway();
    const s = socket(g.wsUrl);
    const abort = new AbortController();
    const got: ChannelEvent<'candles'>[] = [];
    const loop = (async () => {
      for await (const e of s.updates(BTC_1M, { signal: abort.signal })) {
        got.push(e);
        if (e.type === 'subscribed') await g.publish('agg.candle.v1', minute(1), minute(2));
        if (e.type === 'candle' && e.seq === 2) abort.abort();
      }
    })();
    await loop;
    expect(got[0]).toMatchObject({ type: 'subscribed', channel: BTC_1M.name, seq: 0, resumed: false });
    const updates = got.slice(1) as CandleUpdate[];
    expect(updates.map((u) => [u.seq, u.snapshot, u.data.close, u.data.openTime])).toEqual([[1, false, 101, T0 + MIN], [2, false, 102, T0 + 2 * MIN]]);
    // The loop unsubscribed: the gateway stops sending to this socket.
    await waitFor(() => g.gateway.metrics().wsClients === 1, 'the client');
  });

  it('features and levels arrive as wire JSON: NaN as null, enums by name, the level set as a snapshot', async () => {
    const g = await gateway();
    await g.publish('levels.v1', levelSet(BTC, 4));
    await waitFor(() => g.gateway.metrics().busLevelSets === 1, 'the level set');
    const s = socket(g.wsUrl);
    const levels: LevelsUpdate[] = [];
    const features: FeaturesUpdate[] = [];
    s.subscribe(channels.levels('binance', 'spot', 'BTCUSDT'), (e) => e.type === 'levels' && levels.push(e));
    const featureEvents: string[] = [];
    s.subscribe(channels.features('binance', 'spot', 'BTCUSDT'), (e) => {
      featureEvents.push(e.type);
      if (e.type === 'features') features.push(e);
    });
    await waitFor(() => levels.length === 1 && featureEvents.includes('subscribed'), 'the level snapshot');
    expect(levels[0]).toMatchObject({ snapshot: true, data: { version: 4, nearestSupport: { price: 80, kind: 'LEVEL_KIND_SUPPORT', sources: ['LEVEL_SOURCE_EXTREMA'] } } });
    await g.publish('feat.book.v1', bookFeatures(BTC, T0));
    await waitFor(() => features.length === 1, 'book features');
    expect(features[0]?.data).toMatchObject({ ts: T0, midPrice: 100.05, priceChange30s: null });
  });

  it('quality channel: data-quality events with their kind by name', async () => {
    const g = await gateway();
    const s = socket(g.wsUrl);
    const events: ChannelEvent<'quality'>[] = [];
    s.subscribe(channels.quality('binance', 'spot', 'BTCUSDT'), (e) => events.push(e));
    await waitFor(() => events.length === 1, 'subscribed');
    // A connection-wide event (no symbol) concerns every symbol of the venue.
    const event = QualityEvent.fromPartial({ exchange: 'binance', market: 'spot', symbol: '', kind: QualityKind.QUALITY_KIND_RECONNECT, detail: 'ws reconnected', ts: T0 });
    await g.publish('md.quality.v1', event);
    await waitFor(() => events.length === 2, 'the quality event');
    const update: QualityUpdate | undefined = events[1]?.type === 'quality' ? events[1] : undefined;
    expect(update).toMatchObject({ seq: 1, snapshot: false, data: { kind: 'QUALITY_KIND_RECONNECT', symbol: '', detail: 'ws reconnected', ts: T0 } });
  });

  it('trades channel: every trade with its side by name', async () => {
    const g = await gateway();
    const s = socket(g.wsUrl);
    const events: ChannelEvent<'trades'>[] = [];
    s.subscribe(channels.trades('binance', 'spot', 'BTCUSDT'), (e) => events.push(e));
    await waitFor(() => events.length === 1, 'subscribed');
    const trade = (id: number) => Trade.fromPartial({ exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', tradeId: String(id), price: 100, size: 1, side: Side.SIDE_SELL, exchangeTs: T0 + id, tradeCount: 1 });
    await g.publish('md.trade.v1', trade(1), trade(2));
    await waitFor(() => events.length === 3, 'two trades');
    const updates = events.flatMap((e) => (e.type === 'trade' ? [e] : []));
    expect(updates.map((u) => [u.seq, u.data.tradeId, u.data.side])).toEqual([[1, '1', 'SIDE_SELL'], [2, '2', 'SIDE_SELL']]);
  });

  it('after a dropped connection resumes with since and gets exactly the missed seqs, then live ones', async () => {
    const g = await gateway();
    const proxy = await proxyTo(g);
    const s = socket(`ws://127.0.0.1:${proxy.port}/ws`);
    const states: SocketEvent['type'][] = [];
    s.on((e) => states.push(e.type));
    const r = record(s);
    await waitFor(() => r.events.length === 1, 'subscribed');
    await g.publish('agg.candle.v1', minute(1), minute(2));
    await waitFor(() => r.seqs().length === 2, 'seqs 1, 2');

    proxy.refusing = true;
    proxy.dropAll();
    await waitFor(() => states.includes('reconnecting') && g.gateway.metrics().wsClients === 0, 'the drop');
    await g.publish('agg.candle.v1', minute(3), minute(4), minute(5));
    await waitFor(() => g.gateway.metrics().wsUpdatesPublished === 5, 'the missed updates');
    proxy.refusing = false;

    await waitFor(() => r.seqs().length === 5, 'the replay');
    await g.publish('agg.candle.v1', minute(6));
    await waitFor(() => r.seqs().length === 6, 'the live update');
    expect(r.events.filter((e) => e.type === 'subscribed')).toMatchObject([{ resumed: false }, { resumed: true, seq: 5 }]);
    expect(r.candles().map((c) => [c.seq, c.snapshot, c.data.close])).toEqual([1, 2, 3, 4, 5, 6].map((i) => [i, false, 100 + i]));
    expect(r.events.some((e) => e.type === 'gap')).toBe(false);
  });

  it('resumes on a replica (same cache, same epoch) after its gateway stops: exactly the missed seqs', async () => {
    const cache = new MemoryCache();
    const bus = new MemoryBus();
    const store = new MemoryStore();
    const a = await gateway({ cache, bus, store });
    const b = await gateway({ cache, bus, store });
    const proxy = await proxyTo(a);
    // Another client already watches the channel on B, so B records its updates.
    const onB = record(socket(b.wsUrl));
    const s = socket(`ws://127.0.0.1:${proxy.port}/ws`);
    const r = record(s);
    await waitFor(() => r.events.length === 1 && onB.events.length === 1, 'both subscribed');
    await a.publish('agg.candle.v1', minute(1), minute(2));
    await waitFor(() => r.seqs().length === 2, 'seqs 1, 2');

    proxy.refusing = true;
    await a.stop(); // closes its WebSocket clients with 1001
    proxy.targetPort = b.httpPort;
    await b.publish('agg.candle.v1', minute(3), minute(4));
    await waitFor(() => onB.seqs().length === 4, 'B to see 3, 4');
    proxy.refusing = false;

    await waitFor(() => r.seqs().length === 4, 'the replay from B');
    const subscribedEvents = r.events.filter((e) => e.type === 'subscribed');
    expect(subscribedEvents).toMatchObject([{ resumed: false }, { resumed: true, seq: 4 }]);
    expect(r.seqs()).toEqual([1, 2, 3, 4]);
    expect(new Set(subscribedEvents.map((e) => (e.type === 'subscribed' ? e.epoch : '')))).toHaveProperty('size', 1);
  });

  it('on a replica that did not watch the channel: a gap names the missed seqs, then the snapshot', async () => {
    const cache = new MemoryCache();
    const bus = new MemoryBus();
    const a = await gateway({ cache, bus });
    const b = await gateway({ cache, bus });
    const proxy = await proxyTo(a);
    const r = record(socket(`ws://127.0.0.1:${proxy.port}/ws`));
    await waitFor(() => r.events.length === 1, 'subscribed');
    await a.publish('agg.candle.v1', minute(1));
    await waitFor(() => r.seqs().length === 1, 'seq 1');
    proxy.refusing = true;
    await a.stop();
    proxy.targetPort = b.httpPort;
    await b.publish('agg.candle.v1', minute(2), minute(3));
    await waitFor(() => b.gateway.metrics().wsUpdatesPublished + a.gateway.metrics().wsUpdatesPublished === 3, 'B to number 2, 3');
    proxy.refusing = false;
    await waitFor(() => r.candles().length === 2, 'the snapshot');
    expect(r.events.slice(1).map((e) => e.type)).toEqual(['candle', 'subscribed', 'gap', 'candle']);
    expect(r.events[3]).toEqual({ type: 'gap', channel: BTC_1M.name, from: 2, to: 3 });
    expect(r.candles()[1]).toMatchObject({ seq: 3, snapshot: true, data: { close: 103 } });
  });

  it('after a restart with another cache (a new epoch) subscribes again without since: no stale replay', async () => {
    const a = await gateway();
    const proxy = await proxyTo(a);
    const r = record(socket(`ws://127.0.0.1:${proxy.port}/ws`));
    await waitFor(() => r.events.length === 1, 'subscribed');
    await a.publish('agg.candle.v1', minute(1), minute(2), minute(3));
    await waitFor(() => r.seqs().length === 3, 'seqs 1..3');
    proxy.refusing = true;
    await a.stop();
    const c = await gateway();
    await c.publish('agg.candle.v1', minute(10), minute(11), minute(12), minute(13), minute(14));
    await waitFor(() => c.gateway.metrics().wsUpdatesPublished === 5, 'C to number its updates');
    proxy.targetPort = c.httpPort;
    proxy.refusing = false;
    await waitFor(() => r.events.filter((e) => e.type === 'subscribed').length === 2 && r.candles().length === 4, 'the new subscription');
    const [first, second] = r.events.filter((e) => e.type === 'subscribed');
    expect(second).toMatchObject({ resumed: false, seq: 5 });
    expect(second?.type === 'subscribed' && first?.type === 'subscribed' && second.epoch !== first.epoch).toBe(true);
    // Only the snapshot of the new numbering: not C's seqs 4, 5 as if they followed A's 3.
    expect(r.candles().slice(3).map((c) => [c.seq, c.snapshot, c.data.close])).toEqual([[5, true, 114]]);
    expect(r.events.some((e) => e.type === 'gap')).toBe(false);
  });

  it('with idleTimeoutMs, a connection that went silent is dropped and the socket resumes on a new one', async () => {
    const g = await gateway();
    const proxy = await proxyTo(g);
    const s = new PricelevelSocket({ url: `ws://127.0.0.1:${proxy.port}/ws`, reconnect: FAST, idleTimeoutMs: 300 });
    sockets.push(s);
    const states: SocketEvent['type'][] = [];
    s.on((e) => states.push(e.type));
    const r = record(s);
    await waitFor(() => r.events.length === 1, 'subscribed');
    await g.publish('agg.candle.v1', minute(1));
    await waitFor(() => r.seqs().length === 1, 'seq 1');
    proxy.stallAll();
    await g.publish('agg.candle.v1', minute(2));
    await waitFor(() => r.seqs().length === 2, 'seq 2 over a new connection');
    expect(states).toEqual(['open', 'close', 'reconnecting', 'open']);
    expect(r.events.filter((e) => e.type === 'subscribed')).toMatchObject([{ resumed: false }, { resumed: true }]);
    expect(r.seqs()).toEqual([1, 2]);
  });

  it('close() ends iterations and stops reconnecting', async () => {
    const g = await gateway();
    const s = socket(g.wsUrl);
    const loop = (async () => {
      const types: string[] = [];
      for await (const e of s.updates(BTC_1M)) {
        types.push(e.type);
        await s.close();
      }
      return types;
    })();
    expect(await loop).toEqual(['subscribed']);
    expect(s.readyState).toBe('closed');
    expect(() => s.subscribe(BTC_1M, () => {})).toThrow(/closed/);
    await waitFor(() => g.gateway.metrics().wsClients === 0, 'the gateway to see the close');
  });
});

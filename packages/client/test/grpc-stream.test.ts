import type { Candle, FeatureUpdate, LevelSet } from '@pricelevel/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, PricelevelError, type PricelevelClient } from '../src/index.js';
import { BTC, bookFeatures, candle, levelSet, MIN, T0, waitFor } from './support/fixtures.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

let g: TestGateway;
let client: PricelevelClient;

beforeEach(async () => {
  g = await startTestGateway();
  client = connect({ address: g.grpcAddress });
});

afterEach(async () => {
  client.close();
  await g.stop();
});

const streams = () => g.gateway.metrics().grpcStreams;

describe('server streams as async iterables', () => {
  it('WatchCandles: live candles in a for-await loop; aborting ends the loop cleanly and the call on the server', async () => {
    const abort = new AbortController();
    const received: Candle[] = [];
    const loop = (async () => {
      for await (const c of client.marketData.watchCandles({ ...BTC, interval: '1m' }, { signal: abort.signal })) {
        received.push(c);
        if (received.length === 2) abort.abort();
      }
    })();
    await waitFor(() => streams() === 1, 'the stream to open');
    await g.publish('agg.candle.v1', candle(BTC, '1m', T0, { close: 101 }), candle(BTC, '1m', T0 + MIN, { close: 102 }));
    await loop; // resolves: no error on abort
    expect(received.map((c) => c.close)).toEqual([101, 102]);
    await waitFor(() => streams() === 0, 'the server to see the cancel');
  });

  it('leaving the loop with break cancels the call', async () => {
    const loop = (async () => {
      for await (const set of client.levels.watchLevels({ ...BTC })) return set;
      return undefined;
    })();
    await waitFor(() => streams() === 1, 'the stream to open');
    await g.publish('levels.v1', levelSet(BTC, 7));
    expect((await loop)?.version).toBe(7);
    await waitFor(() => streams() === 0, 'the server to see the cancel');
  });

  it('WatchFeatures: book features as FeatureUpdate messages', async () => {
    const abort = new AbortController();
    const got: FeatureUpdate[] = [];
    const loop = (async () => {
      for await (const u of client.marketData.watchFeatures({ ...BTC }, { signal: abort.signal })) {
        got.push(u);
        abort.abort();
      }
    })();
    await waitFor(() => streams() === 1, 'the stream to open');
    await g.publish('feat.book.v1', bookFeatures(BTC, T0));
    await loop;
    const first = got[0]?.update;
    expect(first?.$case === 'book' ? first.value.ts : undefined).toBe(T0);
  });

  it('a signal aborted before the loop starts yields nothing and opens no call', async () => {
    const abort = new AbortController();
    abort.abort();
    const got: LevelSet[] = [];
    for await (const s of client.levels.watchLevels({ ...BTC }, { signal: abort.signal })) got.push(s);
    expect(got).toEqual([]);
    expect(streams()).toBe(0);
  });

  it('a refused stream throws a PricelevelError from the loop; a server shutdown ends it with UNAVAILABLE', async () => {
    const refused = await (async () => {
      for await (const _ of client.marketData.watchCandles({ ...BTC, interval: '7m' })) return undefined;
      return undefined;
    })().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PricelevelError);
    expect((refused as PricelevelError).code).toBe('INVALID_ARGUMENT');

    const loop = (async () => {
      for await (const _ of client.marketData.watchCandles({ ...BTC, interval: '1m' })) continue;
    })().catch((e: unknown) => e);
    await waitFor(() => streams() === 1, 'the stream to open');
    await g.stop();
    expect(((await loop) as PricelevelError).code).toBe('UNAVAILABLE');
  });
});

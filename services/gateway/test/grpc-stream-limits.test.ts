import { credentials, Metadata, status as Status } from '@grpc/grpc-js';
import { MarketDataServiceClient, WatchCandlesRequest, WatchFeaturesRequest } from '@pricelevel/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BTC, ETH, type Harness, startGateway, waitFor } from './support/fixtures.js';
import { collect } from './support/grpc-calls.js';

let h: Harness;
let clients: MarketDataServiceClient[];

/** A client on its own connection (grpc-js otherwise shares one between clients of the same address). */
function newClient(): MarketDataServiceClient {
  const client = new MarketDataServiceClient(`127.0.0.1:${h.grpcPort}`, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  clients.push(client);
  return client;
}

beforeEach(async () => {
  h = await startGateway({ maxStreamsPerClient: 2 });
  clients = [];
});
afterEach(async () => {
  for (const c of clients) c.close();
  await h.gateway.stop();
});

const watchCandles = (client: MarketDataServiceClient, deadlineMs?: number) =>
  collect(client.watchCandles(
    WatchCandlesRequest.fromPartial({ ...BTC, interval: '1m' }), new Metadata(), deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs },
  ));

describe('streams per client', () => {
  it('refuses a client past maxStreamsPerClient (any Watch method) with RESOURCE_EXHAUSTED, frees the slot when a stream ends', async () => {
    const a = newClient();
    const first = watchCandles(a);
    const second = collect(a.watchFeatures(WatchFeaturesRequest.fromPartial({ ...ETH })));
    await waitFor(() => h.gateway.metrics().grpcStreams === 2, 'two streams');

    const third = await watchCandles(a).ended;
    expect(Status[third.code]).toBe('RESOURCE_EXHAUSTED');
    expect(third.details).toMatch(/already has 2 streams open/);
    expect(h.gateway.metrics().grpcStreamsRefusedPerClient).toBe(1);

    // Another client is not held to the first one's count.
    const other = watchCandles(newClient());
    await waitFor(() => h.gateway.metrics().grpcStreams === 3, 'the other client stream');

    first.call.cancel();
    await waitFor(() => h.gateway.metrics().grpcStreams === 2, 'the cancelled stream to close');
    const again = watchCandles(a);
    await waitFor(() => h.gateway.metrics().grpcStreams === 3, 'a stream in the freed slot');
    expect(h.gateway.metrics().grpcStreamsRefusedPerClient).toBe(1);

    for (const s of [second, other, again]) s.call.cancel();
    await waitFor(() => h.gateway.metrics().grpcStreams === 0, 'all streams closed');
  });

  it('ends a stream at its deadline with DEADLINE_EXCEEDED and gives its slot back', async () => {
    const a = newClient();
    const timed = watchCandles(a, 300);
    await waitFor(() => h.gateway.metrics().grpcStreams === 1, 'the stream to open');
    expect(Status[(await timed.ended).code]).toBe('DEADLINE_EXCEEDED');
    await waitFor(() => h.gateway.metrics().grpcStreams === 0, 'the server side to close the stream');

    const both = [watchCandles(a), watchCandles(a)];
    await waitFor(() => h.gateway.metrics().grpcStreams === 2, 'both slots usable again');
    expect(h.gateway.metrics().grpcStreamsRefusedPerClient).toBe(0);
    for (const s of both) s.call.cancel();
  });
});

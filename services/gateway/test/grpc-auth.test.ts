import { credentials, Metadata, type ServiceError, status as Status } from '@grpc/grpc-js';
import { GetCandlesRequest, GetLevelsRequest, LevelServiceClient, MarketDataServiceClient, WatchCandlesRequest } from '@pricelevel/contracts';
import { ManualClock, silentLogger } from '@pricelevel/platform';
import { GrpcReflection } from 'grpc-js-reflection-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { checkBearer, GatewayServer, MARKET_DATA_SERVICE_NAME } from '../src/index.js';
import { healthStatus } from './support/health-client.js';
import { BTC, candle, ETH, MIN, T0, waitFor } from './support/fixtures.js';
import { collect, statusOf } from './support/grpc-calls.js';
import { MemoryStore } from './support/memory-store.js';
import { TestBus } from './support/test-bus.js';

const TOKEN = 'tok-3f9a1c2e';

describe('checkBearer', () => {
  it('accepts exactly "Bearer <token>" (scheme in any case), nothing else', () => {
    expect(checkBearer(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(checkBearer(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(checkBearer(`Bearer  ${TOKEN} `, TOKEN)).toBe(true);
    for (const header of [undefined, '', TOKEN, `Basic ${TOKEN}`, 'Bearer ', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Bearer ${TOKEN} extra`]) {
      expect(checkBearer(header, TOKEN), String(header)).toBe(false);
    }
    // No token configured accepts nothing, not even an empty bearer.
    expect(checkBearer('Bearer ', '')).toBe(false);
    expect(checkBearer('Bearer x', '')).toBe(false);
  });
});

describe('gRPC with GATEWAY_TOKEN', () => {
  let gateway: GatewayServer;
  let bus: TestBus;
  let address: string;
  let client: MarketDataServiceClient;
  let levels: LevelServiceClient;
  let wsUrl: string;

  beforeEach(async () => {
    bus = new TestBus();
    gateway = new GatewayServer({
      store: new MemoryStore(), bus, clock: new ManualClock(T0 + 30 * MIN), logger: silentLogger, instruments: [BTC, ETH],
      grpc: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, token: TOKEN,
    });
    const { grpcPort, httpPort } = await gateway.start();
    address = `127.0.0.1:${grpcPort}`;
    wsUrl = `ws://127.0.0.1:${httpPort}/ws`;
    client = new MarketDataServiceClient(address, credentials.createInsecure());
    levels = new LevelServiceClient(address, credentials.createInsecure());
  });
  afterEach(async () => {
    client.close();
    levels.close();
    await gateway.stop();
  });

  const withAuth = (value?: string): Metadata => {
    const md = new Metadata();
    if (value !== undefined) md.set('authorization', value);
    return md;
  };
  const getCandles = (md: Metadata) =>
    new Promise<unknown>((resolve, reject) => {
      client.getCandles(GetCandlesRequest.fromPartial({ ...BTC, interval: '1m', limit: 10 }), md, (err, res) => (err ? reject(err) : resolve(res)));
    });
  const getLevels = (md: Metadata) =>
    new Promise<unknown>((resolve, reject) => {
      levels.getLevels(GetLevelsRequest.fromPartial({ ...BTC }), md, (err: ServiceError | null, res: unknown) => (err ? reject(err) : resolve(res)));
    });

  const refusals: [string, string | undefined][] = [
    ['no authorization', undefined],
    ['a wrong token', 'Bearer not-the-token'],
    ['the token without the Bearer scheme', TOKEN],
    ['another scheme', `Basic ${TOKEN}`],
  ];

  it.each(refusals)('refuses unary calls of every service and streams with %s: UNAUTHENTICATED', async (_, header) => {
    const unary = await statusOf(getCandles(withAuth(header)));
    expect(Status[unary.code]).toBe('UNAUTHENTICATED');
    expect(unary.details).toMatch(/bearer token/);
    expect(Status[(await statusOf(getLevels(withAuth(header)))).code]).toBe('UNAUTHENTICATED');

    const stream = collect(client.watchCandles(WatchCandlesRequest.fromPartial({ ...BTC, interval: '1m' }), withAuth(header)));
    const ended = await stream.ended;
    expect(Status[ended.code]).toBe('UNAUTHENTICATED');
    // Refused before the handler: no stream was ever opened.
    expect(gateway.metrics().grpcStreams).toBe(0);
    expect(gateway.metrics().grpcUnauthenticated).toBe(3);
  });

  it('answers calls and streams that carry the token', async () => {
    expect(await getCandles(withAuth(`Bearer ${TOKEN}`))).toEqual({ candles: [], quality: [] });
    expect(Status[(await statusOf(getLevels(withAuth(`Bearer ${TOKEN}`)))).code]).toBe('NOT_FOUND'); // no level set yet: past the auth check

    const stream = collect(client.watchCandles(WatchCandlesRequest.fromPartial({ ...BTC, interval: '1m' }), withAuth(`Bearer ${TOKEN}`)));
    await waitFor(() => gateway.metrics().grpcStreams === 1, 'the stream to open');
    const c = candle(BTC, '1m', T0);
    await bus.publish('agg.candle.v1', [{ key: 'binance:spot:BTCUSDT', value: c }]);
    await waitFor(() => stream.received.length === 1, 'the candle');
    expect(stream.received).toEqual([c]);
    stream.call.cancel();
    expect(Status[(await stream.ended).code]).toBe('CANCELLED');
    expect(gateway.metrics().grpcUnauthenticated).toBe(0);
  });

  it('keeps health checks and reflection open without a token', async () => {
    expect(await healthStatus(address, '')).toBe('SERVING');
    expect(await healthStatus(address, MARKET_DATA_SERVICE_NAME)).toBe('SERVING');
    const reflection = new GrpcReflection(address, credentials.createInsecure());
    expect(await reflection.listServices()).toContain(MARKET_DATA_SERVICE_NAME);
    expect(gateway.metrics().grpcUnauthenticated).toBe(0);
  });

  it('asks the WebSocket for the same token (HTTP 401 without it)', async () => {
    const upgrade = (url: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => undefined);
      });
    expect(await upgrade(wsUrl)).toBe(401);
    expect(await upgrade(wsUrl, { authorization: 'Bearer nope' })).toBe(401);
    expect(await upgrade(wsUrl, { authorization: `Bearer ${TOKEN}` })).toBe(101);
    expect(await upgrade(`${wsUrl}?token=${TOKEN}`)).toBe(101);
  });
});

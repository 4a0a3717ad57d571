import { credentials } from '@grpc/grpc-js';
import { GrpcReflection } from 'grpc-js-reflection-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HEALTH_SERVICE_NAME, LEVEL_SERVICE_NAME, MARKET_DATA_SERVICE_NAME } from '../src/index.js';
import { type Harness, startGateway, waitFor } from './support/fixtures.js';
import { healthClient } from './support/health-client.js';

let h: Harness;
beforeEach(async () => {
  h = await startGateway();
});
afterEach(async () => {
  await h.gateway.stop();
});

describe('grpc reflection', () => {
  it('lists the market data, level and health services, and describes the methods', async () => {
    const reflection = new GrpcReflection(`127.0.0.1:${h.grpcPort}`, credentials.createInsecure());
    const services = await reflection.listServices();
    expect(services).toEqual(expect.arrayContaining([MARKET_DATA_SERVICE_NAME, LEVEL_SERVICE_NAME, HEALTH_SERVICE_NAME]));
    const methods = await reflection.listMethods(MARKET_DATA_SERVICE_NAME);
    expect(methods.map((m) => m.name).sort()).toEqual(['GetCandles', 'GetFeatures', 'GetOrderBook', 'ListInstruments', 'WatchCandles', 'WatchFeatures']);
    const levelMethods = await reflection.listMethods(LEVEL_SERVICE_NAME);
    expect(levelMethods.map((m) => m.name).sort()).toEqual(['EvaluateLevels', 'GetLevelHistory', 'GetLevels', 'GetNearestLevels', 'WatchLevels']);
    for (const symbol of [
      'pricelevel.marketdata.v1.Candle', 'pricelevel.marketdata.v1.BookFeatures', 'pricelevel.api.v1.FeatureUpdate', 'pricelevel.marketdata.v1.LevelSet',
      'pricelevel.api.v1.EvaluateLevelsResponse', 'pricelevel.api.v1.ListInstrumentsResponse', 'pricelevel.api.v1.Instrument',
      'pricelevel.api.v1.GetOrderBookRequest', 'pricelevel.marketdata.v1.BookSnapshot',
    ]) {
      expect(await reflection.getDescriptorBySymbol(symbol)).toBeDefined();
    }
  });
});

describe('grpc health', () => {
  it('reports SERVING for the server and the services, NOT_FOUND for others, NOT_SERVING while stopping', async () => {
    const client = healthClient(h.grpcPort);
    const check = (service: string) =>
      new Promise<string>((resolve, reject) => client.check({ service }, (err, res) => (err ? reject(err) : resolve(res.status))));
    expect(await check('')).toBe('SERVING');
    expect(await check(MARKET_DATA_SERVICE_NAME)).toBe('SERVING');
    expect(await check(LEVEL_SERVICE_NAME)).toBe('SERVING');
    await expect(check('no.such.Service')).rejects.toMatchObject({ code: 5 /* NOT_FOUND */ });

    const statuses: string[] = [];
    const watch = client.watch({ service: '' });
    watch.on('data', (m: { status: string }) => statuses.push(m.status));
    watch.on('error', () => {});
    await waitFor(() => statuses.length === 1, 'SERVING');
    const stopped = h.gateway.stop();
    await waitFor(() => statuses.length === 2, 'NOT_SERVING');
    expect(statuses).toEqual(['SERVING', 'NOT_SERVING']);
    // A health watch is a pending call: graceful shutdown completes once the watcher hangs up.
    watch.cancel();
    await stopped;
    client.close();
  });
});


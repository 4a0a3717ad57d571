import { credentials, Metadata, status as Status } from '@grpc/grpc-js';
import {
  EvaluateLevelsRequest, GetLevelHistoryRequest, GetLevelsRequest, GetNearestLevelsRequest, LevelServiceClient, type LevelSet, WatchLevelsRequest,
} from '@pricelevel/contracts';
import { ManualClock, silentLogger } from '@pricelevel/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelApiServer } from '../src/index.js';
import { BTC, ETH, type Harness, levelSet, MIN, startGateway, T0 } from './support/fixtures.js';
import { collect, statusOf, unary } from './support/grpc-calls.js';
import { MemoryStore } from './support/memory-store.js';
import { TestBus } from './support/test-bus.js';

interface Setup {
  api: LevelApiServer;
  apiBus: TestBus;
  h: Harness;
  /** A client of the gateway, and one of the level service itself. */
  viaGateway: LevelServiceClient;
  direct: LevelServiceClient;
}

let s: Setup | undefined;
afterEach(async () => {
  if (!s) return;
  s.viaGateway.close();
  s.direct.close();
  await Promise.all([s.h.gateway.stop(), s.api.stop()]);
  s = undefined;
});

/** The level detector's LevelService on its own port, and a gateway forwarding LevelService there. */
async function start(token?: string): Promise<Setup> {
  const store = new MemoryStore();
  await store.insertLevelSets([levelSet(BTC, 3), levelSet(BTC, 4, { computedAt: T0 + 5 * MIN })]);
  const apiBus = new TestBus();
  const api = new LevelApiServer({
    store, bus: apiBus, logger: silentLogger, clock: new ManualClock(T0 + 30 * MIN), instruments: [BTC, ETH], grpc: { host: '127.0.0.1', port: 0 }, token,
  });
  const port = await api.start();
  const h = await startGateway(undefined, new MemoryStore(), { levelService: { address: `127.0.0.1:${port}` }, token });
  const client = (p: number) => new LevelServiceClient(`127.0.0.1:${p}`, credentials.createInsecure());
  s = { api, apiBus, h, viaGateway: client(h.grpcPort), direct: client(port) };
  return s;
}

const publishSet = (bus: TestBus, set: LevelSet) => bus.publish('levels.v1', [{ key: 'k', value: set }]);

describe('LevelService forwarded to the level detector (distributed mode)', () => {
  it('answers every unary method exactly as the level service does, errors included', async () => {
    const { viaGateway, direct } = await start();
    const calls: [string, (c: LevelServiceClient) => Promise<unknown>][] = [
      ['GetLevels', (c) => unary(c.getLevels.bind(c), GetLevelsRequest.fromPartial({ ...BTC }))],
      ['GetNearestLevels', (c) => unary(c.getNearestLevels.bind(c), GetNearestLevelsRequest.fromPartial({ ...BTC, price: 100 }))],
      ['GetLevelHistory', (c) => unary(c.getLevelHistory.bind(c), GetLevelHistoryRequest.fromPartial({ ...BTC, fromTs: T0 - MIN, toTs: T0 + 10 * MIN }))],
    ];
    for (const [name, call] of calls) {
      const [a, b] = await Promise.all([call(viaGateway), call(direct)]);
      expect({ name, answer: a }).toEqual({ name, answer: b });
    }
    expect((await unary(viaGateway.getLevels.bind(viaGateway), GetLevelsRequest.fromPartial({ ...BTC }))).version).toBe(4);

    const failures: [string, (c: LevelServiceClient) => Promise<unknown>, Status][] = [
      ['unknown symbol', (c) => unary(c.getLevels.bind(c), GetLevelsRequest.fromPartial({ ...BTC, symbol: 'SOLUSDT' })), Status.NOT_FOUND],
      ['no set yet', (c) => unary(c.getLevels.bind(c), GetLevelsRequest.fromPartial({ ...ETH })), Status.NOT_FOUND],
      ['bad argument', (c) => unary(c.getNearestLevels.bind(c), GetNearestLevelsRequest.fromPartial({ ...BTC, price: -1 })), Status.INVALID_ARGUMENT],
      ['no candles to evaluate', (c) => unary(c.evaluateLevels.bind(c), EvaluateLevelsRequest.fromPartial({ ...BTC, interval: '1d', fromTs: T0 - 400 * 1440 * MIN, toTs: T0 })), Status.FAILED_PRECONDITION],
    ];
    for (const [name, call, code] of failures) {
      const [a, b] = await Promise.all([statusOf(call(viaGateway)), statusOf(call(direct))]);
      expect({ name, status: a }).toEqual({ name, status: b });
      expect({ name, code: Status[a.code] }).toEqual({ name, code: Status[code] });
    }
  });

  it('streams WatchLevels from the level service, and the JSON API goes the same way', async () => {
    const { viaGateway, apiBus, h } = await start();
    const watch = collect<LevelSet>(viaGateway.watchLevels(WatchLevelsRequest.fromPartial({ ...BTC })));
    for (let i = 0; watch.received.length < 1 && i < 500; i++) await new Promise((r) => setTimeout(r, 10));
    await publishSet(apiBus, levelSet(BTC, 5));
    for (let i = 0; watch.received.length < 2 && i < 500; i++) await new Promise((r) => setTimeout(r, 10));
    expect(watch.received.map((set) => set.version)).toEqual([4, 5]);
    watch.call.cancel();
    expect(Status[(await watch.ended).code]).toBe('CANCELLED');

    const res = await fetch(`http://127.0.0.1:${h.httpPort}/api/v1/LevelService/GetLevels`, { method: 'POST', body: JSON.stringify({ ...BTC }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ symbol: 'BTCUSDT', version: 5 });
  });

  it("hands the caller's token on, and answers UNAVAILABLE while the level service is down", async () => {
    const { viaGateway, api, h } = await start('s3cret');
    const req = GetLevelsRequest.fromPartial({ ...BTC });
    const withToken = new Metadata();
    withToken.set('authorization', 'Bearer s3cret');
    const call = (md: Metadata) =>
      new Promise<LevelSet>((resolve, reject) => viaGateway.getLevels(req, md, (err, res) => (err ? reject(err) : resolve(res!))));
    expect((await call(withToken)).version).toBe(4);
    expect(Status[(await statusOf(call(new Metadata()))).code]).toBe('UNAUTHENTICATED');

    await api.stop();
    const down = await statusOf(call(withToken));
    expect(Status[down.code]).toBe('UNAVAILABLE');
    expect(down.details).toMatch(/level service is unavailable/);
    expect(h.gateway.metrics().levelServiceErrors).toBe(1);
  });
});

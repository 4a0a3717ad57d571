import { GetCandlesResponse, GetLevelsRequest, LevelSet } from '@pricelevel/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { BTC, BTC_PERP, candle, type Harness, levelSet, MIN, startGateway, T0 } from './support/fixtures.js';
import { MemoryStore } from './support/memory-store.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.gateway.stop();
  h = undefined;
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function post(method: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${h!.httpPort}/api/v1/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('HTTP JSON API (the unary RPCs for browsers)', () => {
  it('answers GetCandles with what the gRPC method returns, as proto JSON, quality included', async () => {
    const store = new MemoryStore();
    const stored = [0, 1, 2].map((i) => candle(BTC, '1m', T0 + i * MIN, { close: 100 + i, tradeCount: 3 + i }));
    await store.insertCandles(stored);
    h = await startGateway(undefined, store);

    const res = await post('MarketDataService/GetCandles', { ...BTC, interval: '1m', fromTs: T0, toTs: T0 + 3 * MIN, withQuality: true });
    expect(res.status).toBe(200);
    const parsed = GetCandlesResponse.fromJSON(res.body);
    expect(parsed.candles).toEqual(stored);
    expect(parsed.quality.map((q) => q.openTime)).toEqual(stored.map((c) => c.openTime));
    // int64 fields arrive as JSON numbers, names in camelCase.
    expect((res.body.candles as Record<string, unknown>[])[0]).toMatchObject({ openTime: T0, tradeCount: 3 });
  });

  it('serves ListInstruments and the level methods from the same handlers', async () => {
    h = await startGateway();
    const list = await post('MarketDataService/ListInstruments', {});
    expect(list.status).toBe(200);
    expect((list.body.instruments as { symbol: string }[]).map((i) => i.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'BTCUSDT']);

    expect(await post('LevelService/GetLevels', GetLevelsRequest.toJSON({ ...BTC_PERP, minScore: 0, limit: 0 }))).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const set = levelSet(BTC_PERP, 4);
    await h.publishTo('levels.v1', set);
    let levels = await post('LevelService/GetLevels', { ...BTC_PERP });
    for (let i = 0; levels.status === 404 && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 10));
      levels = await post('LevelService/GetLevels', { ...BTC_PERP });
    }
    expect(levels.status).toBe(200);
    expect(LevelSet.fromJSON(levels.body)).toEqual(LevelSet.fromJSON(LevelSet.toJSON(set)));
  });

  it('refuses bad requests with the gRPC status name and the matching HTTP status', async () => {
    h = await startGateway();
    const cases: [string, unknown, number, string, RegExp][] = [
      ['MarketDataService/GetCandles', { ...BTC, symbol: 'NOPE', interval: '1m' }, 404, 'NOT_FOUND', /NOPE/],
      ['MarketDataService/GetCandles', { ...BTC, interval: '7m' }, 400, 'INVALID_ARGUMENT', /interval/],
      ['MarketDataService/GetCandles', { ...BTC, interval: '1m', limit: 'many' }, 400, 'INVALID_ARGUMENT', /limit must be a number/],
      ['MarketDataService/GetCandles', { ...BTC, interval: '1m', withQuality: 'yes' }, 400, 'INVALID_ARGUMENT', /withQuality must be true or false/],
      ['MarketDataService/GetCandles', { ...BTC, intervall: '1m' }, 400, 'INVALID_ARGUMENT', /unknown field "intervall"/],
      ['MarketDataService/GetCandles', '{"exchange":', 400, 'INVALID_ARGUMENT', /not valid JSON/],
      ['MarketDataService/GetCandles', '[1,2]', 400, 'INVALID_ARGUMENT', /JSON object/],
      ['MarketDataService/WatchCandles', {}, 404, 'UNIMPLEMENTED', /no method MarketDataService\/WatchCandles/],
      ['MarketDataService/GetCandles', { ...BTC, interval: '1m', exchange: 'x'.repeat(70_000) }, 413, 'RESOURCE_EXHAUSTED', /larger than/],
    ];
    for (const [method, body, status, code, message] of cases) {
      const res = await post(method, body);
      expect({ method, body: typeof body === 'string' ? body : 'object', status: res.status, code: res.body.code }).toEqual({
        method, body: typeof body === 'string' ? body : 'object', status, code,
      });
      expect(res.body.message).toMatch(message);
    }
    const get = await fetch(`http://127.0.0.1:${h.httpPort}/api/v1/MarketDataService/ListInstruments`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    // The server is still fine afterwards.
    expect((await post('MarketDataService/ListInstruments', {})).status).toBe(200);
  });

  it('requires the bearer token when the gateway has one', async () => {
    h = await startGateway(undefined, new MemoryStore(), { token: 's3cret' });
    expect(await post('MarketDataService/ListInstruments', {})).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect((await post('MarketDataService/ListInstruments', {}, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post('MarketDataService/ListInstruments', {}, { Authorization: 'Bearer s3cret' })).status).toBe(200);
    expect(h.gateway.metrics().grpcUnauthenticated).toBe(2);
  });
});

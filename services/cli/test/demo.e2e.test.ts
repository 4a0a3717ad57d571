import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '@pricelevel/contracts';
import { buildCandlesFromTrades } from '@pricelevel/market';
import { WebSocket } from 'ws';
import {
  CLI_MAIN, candleContent, eventually, fetchAggTrades, freePort, getCandles, getFeatures, getLevels, grpcClient, levelClient, startCli,
  tradeFromRestAggTrade,
  type CliProcess,
} from './helpers.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const VENUE_MARKETS = [
  ['binance', 'spot'], ['binance', 'perp'], ['bybit', 'spot'], ['bybit', 'perp'], ['bingx', 'perp'], ['htx', 'spot'],
] as const;

// `pricelevel demo` as a user runs it: one process, the built-in simulator, chDB on disk.
describe('pricelevel demo (one process, simulator, embedded adapters)', () => {
  let dir: string;
  let cli: CliProcess;
  let grpcPort: number;
  let httpPort: number;
  let urls: { spotRest: string; perpRest: string };
  let startedAt: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-demo-'));
    grpcPort = await freePort();
    httpPort = await freePort();
    startedAt = Date.now();
    cli = startCli(['demo'], {
      PL_DATA_DIR: dir, GRPC_PORT: String(grpcPort), HTTP_PORT: String(httpPort), GRPC_HOST: '127.0.0.1', HTTP_HOST: '127.0.0.1',
      PL_SYMBOLS: 'BTCUSDT,ETHUSDT',
    });
    const line = await cli.waitForLine((l) => l.includes('simulator listening'), 30_000);
    urls = JSON.parse(line).urls;
  }, 60_000);

  afterAll(async () => {
    await cli?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves 1m candles over GetCandles within 30 s of start, and live ones over WatchCandles', async () => {
    const client = grpcClient(grpcPort);
    try {
      const candles = await eventually(async () => {
        const c = await getCandles(client, { symbol: 'BTCUSDT', interval: '1m' });
        return c.length > 0 ? c : undefined;
      }, 30_000 - (Date.now() - startedAt));
      expect(Date.now() - startedAt).toBeLessThan(30_000);
      expect(candles[0]).toMatchObject({ exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', interval: '1m', source: 'trades' });
      expect(candles[0]!.volume).toBeGreaterThan(0);
      const perp = await getCandles(client, { market: 'perp', symbol: 'ETHUSDT', interval: '1m' });
      expect(perp.length).toBeGreaterThan(0);

      const live = await new Promise<Candle>((resolve, reject) => {
        const stream = client.watchCandles({ exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', interval: '1m' });
        const t = setTimeout(() => reject(new Error('no live candle within 10 s')), 10_000);
        stream.on('data', (c: Candle) => {
          clearTimeout(t);
          stream.cancel();
          resolve(c);
        });
        stream.on('error', (err: { code?: number }) => {
          if (err.code !== 1 /* CANCELLED */) reject(err);
        });
      });
      expect(live).toMatchObject({ symbol: 'BTCUSDT', interval: '1m', source: 'trades' });
      expect(live.version).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  }, 60_000);

  it('streams every venue: GetCandles returns BTCUSDT and ETHUSDT candles for each (exchange, market)', async () => {
    const client = grpcClient(grpcPort);
    try {
      const instruments = [
        ['binance', 'spot'], ['binance', 'perp'], ['bybit', 'spot'], ['bybit', 'perp'], ['bingx', 'perp'], ['htx', 'spot'],
      ] as const;
      for (const [exchange, market] of instruments) {
        for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
          const c = await eventually(async () => {
            const got = await getCandles(client, { exchange, market, symbol, interval: '1m' });
            return got.length > 0 ? got : undefined;
          }, 30_000);
          expect(c[0]).toMatchObject({ exchange, market, symbol, interval: '1m' });
          expect(c[0]!.tradeCount).toBeGreaterThan(0);
        }
      }
    } finally {
      client.close();
    }
  }, 120_000);

  it('builds candles equal to candles recomputed from the trades the simulator sent, and to its own klines', async () => {
    const client = grpcClient(grpcPort);
    try {
      // The first minute is partial (the collector joined mid-minute); the next one is complete.
      const first = (await getCandles(client, { symbol: 'BTCUSDT', interval: '1m' }))[0]!;
      const full = await eventually(async () => {
        const c = await getCandles(client, { symbol: 'BTCUSDT', interval: '1m', fromTs: first.openTime + 60_000, toTs: first.openTime + 120_000 });
        return c[0]?.final ? c[0] : undefined;
      }, 150_000, 1000);

      const raw = await fetchAggTrades(urls.spotRest, '/api/v3/aggTrades', 'BTCUSDT', full.openTime, full.closeTime - 1);
      const expected = buildCandlesFromTrades(raw.map((r) => tradeFromRestAggTrade(r, 'spot', 'BTCUSDT')), '1m');
      expect(expected).toHaveLength(1);
      const e = expected[0]!;
      expect({ ...candleContent(full), volume: 0, quoteVolume: 0, buyVolume: 0, buyQuoteVolume: 0 }).toEqual({
        ...candleContent(e), volume: 0, quoteVolume: 0, buyVolume: 0, buyQuoteVolume: 0,
      });
      for (const k of ['volume', 'quoteVolume', 'buyVolume', 'buyQuoteVolume'] as const) expect(full[k]).toBeCloseTo(e[k], 6);

      // The venue's own kline for that minute (computed the venue's way, exact decimals).
      const [k] = (await (
        await fetch(`${urls.spotRest}/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=${full.openTime}&limit=1`)
      ).json()) as (string | number)[][];
      expect(k![0]).toBe(full.openTime);
      expect([Number(k![1]), Number(k![2]), Number(k![3]), Number(k![4])]).toEqual([full.open, full.high, full.low, full.close]);
      expect(full.volume.toFixed(8)).toBe(k![5]);
      // Quote volume: the correctly rounded double of the venue's exact decimal sum. A double cannot
      // always hold 8 decimals of a large sum, so compare as numbers to within one unit in the last place.
      const q = Number(k![7]);
      expect(Math.abs(full.quoteVolume - q)).toBeLessThanOrEqual(Math.max(q * Number.EPSILON, 1e-12));
      expect(full.tradeCount).toBe(k![8]);
      expect(full.buyVolume.toFixed(8)).toBe(k![9]);
    } finally {
      client.close();
    }
  }, 200_000);

  it('computes book features and order flow every second for every venue and symbol, served by GetFeatures', async () => {
    const client = grpcClient(grpcPort);
    try {
      for (const [exchange, market] of VENUE_MARKETS) {
        for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
          const res = await eventually(async () => {
            const r = await getFeatures(client, { exchange, market, symbol, limit: 5, withSnapshots: true });
            const complete = r.snapshots.some((x) => x.ts === r.book.at(-1)?.ts);
            return r.book.length === 5 && r.book.every((f) => !f.resyncing) && r.flow.length > 0 && complete ? r : undefined;
          }, 30_000);
          const ts = res.book.map((f) => f.ts);
          expect(ts.slice(1).map((t, i) => t - ts[i]!)).toEqual([1000, 1000, 1000, 1000]);
          const last = res.book.at(-1)!;
          expect(last).toMatchObject({ exchange, market, symbol });
          expect(last.bidLevels).toBeGreaterThan(0);
          expect(last.spread).toBeGreaterThan(0);
          const snap = res.snapshots.find((x) => x.ts === last.ts)!;
          expect(last.midPrice).toBeCloseTo((snap.bidPrices[0]! + snap.askPrices[0]!) / 2, 9);
          expect(res.flow.every((f) => f.interval === '1s' && f.closeTime - f.openTime === 1000)).toBe(true);
        }
      }
    } finally {
      client.close();
    }
  }, 120_000);

  it('serves support and resistance levels seeded from the backfilled history, over gRPC and the WebSocket', async () => {
    const client = levelClient(grpcPort);
    try {
      // Every venue simulator serves years of real candles as history: Binance's four series and one more venue.
      const series = [
        ...['spot', 'perp'].flatMap((market) => ['BTCUSDT', 'ETHUSDT'].map((symbol) => ({ exchange: 'binance', market, symbol }))),
        { exchange: 'bybit', market: 'perp', symbol: 'BTCUSDT' },
      ];
      for (const req of series) {
        const set = await eventually(() => getLevels(client, req), 60_000, 1000);
        expect(set).toMatchObject(req);
        expect(set.levels.length).toBeGreaterThan(0);
        expect(set.nearestSupport!.price).toBeLessThan(set.currentPrice);
        expect(set.nearestResistance!.price).toBeGreaterThan(set.currentPrice);
      }
    } finally {
      client.close();
    }
    const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/ws`);
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const got: { type: string; data: { version?: number; levels?: unknown[] } }[] = [];
      ws.on('message', (m) => got.push(JSON.parse(String(m))));
      ws.send(JSON.stringify({ op: 'subscribe', channel: 'levels:binance:spot:BTCUSDT' }));
      const first = await eventually(async () => got.find((m) => m.type === 'levels'), 10_000, 100);
      expect(first.data.version).toBeGreaterThan(0);
      expect(first.data.levels!.length).toBeGreaterThan(0);
    } finally {
      ws.close();
    }
  }, 120_000);

  it('pushes features every second over the WebSocket', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/ws`);
    const got: { type: string; data: { ts?: number; midPrice?: number | null } }[] = [];
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.on('message', (m) => got.push(JSON.parse(String(m))));
      ws.send(JSON.stringify({ op: 'subscribe', channel: 'features:bybit:perp:ETHUSDT' }));
      const features = await eventually(async () => {
        const f = got.filter((m) => m.type === 'features');
        return f.length >= 2 ? f : undefined;
      }, 10_000, 100);
      expect(features[1]!.data.ts! - features[0]!.data.ts!).toBe(1000);
      expect(features[1]!.data.midPrice).toBeGreaterThan(0);
      expect(got.some((m) => m.type === 'flow')).toBe(true);
    } finally {
      ws.close();
    }
  }, 30_000);

  it('shuts down gracefully on SIGTERM', async () => {
    expect(await cli.stop()).toBe(0);
    expect(cli.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  }, 30_000);

  it('recomputes every stored feature of the run exactly (pricelevel features --recompute)', async () => {
    const run = promisify(execFile);
    for (const [exchange, market] of VENUE_MARKETS) {
      const { stdout } = await run(process.execPath, [CLI_MAIN, 'features', '--recompute', '--exchange', exchange, '--market', market, '--symbol', 'BTCUSDT,ETHUSDT'], {
        env: { ...process.env, PL_DATA_DIR: dir },
      });
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line).toMatch(/ 0 differ, 0 only stored, 0 only recomputed; order flow \d+ compared, 0 differ, 0 only stored.* — equal$/);
    }
  }, 180_000);
});

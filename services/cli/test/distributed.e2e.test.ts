import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Side, TOPIC_NAMES, type Candle, type Trade } from '@pricelevel/contracts';
import { BinanceSimulator } from '@pricelevel/exchange-sim';
import { buildCandlesFromTrades } from '@pricelevel/market';
// The Kafka test broker: librdkafka's mock cluster, a real Kafka wire-protocol broker.
import { startKafkaTestBroker, type KafkaTestBroker } from '../../../infra/kafka-test-broker/index.mjs';
import { candleContent, eventually, freePort, getCandles, getFeatures, grpcClient, startCli, type CliProcess } from './helpers.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];

function simTrades(sim: BinanceSimulator, symbol: string): Trade[] {
  return sim.trades('spot', symbol).map((t) => ({
    exchange: 'binance', market: 'spot', symbol, tradeId: String(t.aggId), price: Number(t.priceStr), size: Number(t.qtyStr),
    side: t.isBuyerMaker ? Side.SIDE_SELL : Side.SIDE_BUY, exchangeTs: t.time, receivedTs: 0, tradeCount: t.lastId - t.firstId + 1,
  }));
}

/** Rounds float sums so two independent folds of the same trades compare equal. */
function comparable(c: Candle) {
  const r = (x: number) => Math.round(x * 1e8) / 1e8;
  const x = candleContent(c);
  return { ...x, volume: r(x.volume), quoteVolume: r(x.quoteVolume), buyVolume: r(x.buyVolume), buyQuoteVolume: r(x.buyQuoteVolume) };
}

// collector → Kafka → aggregator as separate processes, next to the one-process embedded run,
// both fed the same simulated market: they must produce the same candles.
describe('distributed mode over Kafka', () => {
  let broker: KafkaTestBroker;
  let sim: BinanceSimulator;
  const procs: CliProcess[] = [];
  const dirs: string[] = [];
  let distributedGrpc: number;
  let embeddedGrpc: number;
  let distributedOps: number;

  beforeAll(async () => {
    broker = await startKafkaTestBroker({ topics: TOPIC_NAMES.map((t) => `${t}:6`) });
    sim = await BinanceSimulator.start({ seed: 23, symbols: SYMBOLS, markets: ['spot'], autoTick: false });
    const dir = () => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-dist-'));
      dirs.push(d);
      return d;
    };
    const venue = { PL_EXCHANGES: 'binance', PL_MARKETS: 'spot', PL_SYMBOLS: SYMBOLS.join(','), BINANCE_SPOT_WS_URL: sim.urls.spotWs, BINANCE_SPOT_REST_URL: sim.urls.spotRest };
    const kafka = { PL_MODE: 'distributed', KAFKA_BROKERS: broker.brokers.join(','), KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_MS: '500' };
    distributedGrpc = await freePort();
    embeddedGrpc = await freePort();
    distributedOps = await freePort();
    const local = { GRPC_HOST: '127.0.0.1', HTTP_HOST: '127.0.0.1' };
    procs.push(
      startCli(['run', 'collector'], { ...venue, ...kafka, ...local, PL_DATA_DIR: dir() }),
      startCli(['run', 'aggregator,feature,gateway'], {
        ...venue, ...kafka, ...local, PL_DATA_DIR: dir(), GRPC_PORT: String(distributedGrpc), HTTP_PORT: String(await freePort()),
        OPS_HOST: '127.0.0.1', OPS_PORT: String(distributedOps),
      }),
      startCli(['up'], { ...venue, ...local, PL_DATA_DIR: dir(), GRPC_PORT: String(embeddedGrpc), HTTP_PORT: String(await freePort()) }),
    );
    // Every Kafka consumer group join takes about 3 s on the test broker, and the gateway follows many topics.
    for (const p of procs) await p.waitForLine((l) => l.includes('service running') || l.includes('pricelevel is up'), 150_000);
    // Both collectors connected and both books synced before the market moves.
    await eventually(async () => (sim.stats().connections >= 2 ? true : undefined), 30_000, 100);
  }, 240_000);

  afterAll(async () => {
    for (const p of procs) await p.stop();
    await sim?.close();
    await broker?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('produces the same candles as the embedded run, equal to an independent fold of the trades sent', async () => {
    for (let i = 0; i < 80; i++) {
      sim.tick();
      await new Promise((r) => setTimeout(r, 100));
    }
    const dist = grpcClient(distributedGrpc);
    const emb = grpcClient(embeddedGrpc);
    try {
      for (const symbol of SYMBOLS) {
        const expected = buildCandlesFromTrades(simTrades(sim, symbol), '1m').map(comparable);
        expect(expected.length).toBeGreaterThan(0);
        // Open candles are re-emitted about every second: wait until both runs reflect every trade.
        const both = await eventually(async () => {
          const [a, b] = await Promise.all([getCandles(dist, { symbol }), getCandles(emb, { symbol })]);
          const ok = JSON.stringify(a.map(comparable)) === JSON.stringify(expected) && JSON.stringify(b.map(comparable)) === JSON.stringify(expected);
          return ok ? { a, b } : undefined;
        }, 45_000, 500).catch(async (err: unknown) => {
          const [a, b] = await Promise.all([getCandles(dist, { symbol }), getCandles(emb, { symbol })]);
          expect({ distributed: a.map(comparable), embedded: b.map(comparable) }).toEqual({ distributed: expected, embedded: expected });
          throw err;
        });
        expect(both.a.map(comparable)).toEqual(both.b.map(comparable));
      }
    } finally {
      dist.close();
      emb.close();
    }
  }, 120_000);

  it('reports ready only with the store and the Kafka brokers answering', async () => {
    const res = await fetch(`http://127.0.0.1:${distributedOps}/health/ready`);
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { status: 'ok', checks: { store: 'ok', bus: 'ok' } } });
  });

  it('computes features from the Kafka topics in a separate process, as the embedded run does', async () => {
    const dist = grpcClient(distributedGrpc);
    const emb = grpcClient(embeddedGrpc);
    try {
      for (const symbol of SYMBOLS) {
        const [a, b] = await Promise.all([dist, emb].map((client) =>
          eventually(async () => {
            const r = await getFeatures(client, { symbol, limit: 3 });
            return r.book.length === 3 && r.book.every((f) => !f.resyncing && f.bidLevels > 0) ? r : undefined;
          }, 30_000)));
        expect(a!.book[0]).toMatchObject({ exchange: 'binance', market: 'spot', symbol });
        expect(b!.book[0]).toMatchObject({ exchange: 'binance', market: 'spot', symbol });
      }
    } finally {
      dist.close();
      emb.close();
    }
  }, 60_000);

  it('keeps every service process running through a dropped venue connection, and reconnects', async () => {
    const before = sim.stats().markets.spot!.connectionsTotal;
    sim.fault({ kind: 'disconnect', market: 'spot' });
    for (let i = 0; i < 20 && sim.stats().markets.spot!.connectionsTotal < before + 2; i++) {
      sim.tick();
      await new Promise((r) => setTimeout(r, 250));
    }
    await eventually(async () => (sim.stats().connections >= 2 && sim.stats().markets.spot!.connectionsTotal >= before + 2 ? true : undefined), 30_000, 100);
    for (const p of procs) expect(p.child.exitCode).toBeNull();
  }, 60_000);
});

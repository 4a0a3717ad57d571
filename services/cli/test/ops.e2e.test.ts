import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceSimulator } from '@pricelevel/exchange-sim';
import { eventually, freePort, startCli, type CliProcess } from './helpers.js';

/** The value of one sample line of a Prometheus text exposition, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// `up` against the Binance simulator: the ops server of the process exposes every service's metrics.
describe('operations endpoints of a service process', () => {
  let sim: BinanceSimulator;
  let proc: CliProcess;
  let dir: string;
  let opsPort: number;
  let httpPort: number;

  beforeAll(async () => {
    sim = await BinanceSimulator.start({ seed: 5, symbols: ['BTCUSDT'], markets: ['spot'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-ops-'));
    opsPort = await freePort();
    httpPort = await freePort();
    proc = startCli(['up'], {
      PL_EXCHANGES: 'binance', PL_MARKETS: 'spot', PL_SYMBOLS: 'BTCUSDT', PL_DATA_DIR: dir,
      BINANCE_SPOT_WS_URL: sim.urls.spotWs, BINANCE_SPOT_REST_URL: sim.urls.spotRest,
      GRPC_HOST: '127.0.0.1', GRPC_PORT: String(await freePort()), HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort),
      OPS_HOST: '127.0.0.1', OPS_PORT: String(opsPort),
    });
    await proc.waitForLine((l) => l.includes('pricelevel is up'), 60_000);
  }, 90_000);

  afterAll(async () => {
    const code = await proc?.stop();
    await sim?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
  }, 60_000);

  it('logs the ops port at start', async () => {
    const line = await proc.waitForLine((l) => l.includes('ops listening'), 1000);
    expect(JSON.parse(line)).toMatchObject({ port: opsPort, host: '127.0.0.1' });
  });

  it('serves the metrics of every service it runs with their values, and process metrics', async () => {
    const url = `http://127.0.0.1:${opsPort}/metrics`;
    const text = await eventually(async () => {
      const t = await (await fetch(url)).text();
      // Counters that grow as the market flows through collector → aggregator/feature → gateway.
      const flowing = [
        'pricelevel_collector_frames_total{exchange="binance",market="spot"}',
        'pricelevel_aggregator_trades_total',
        'pricelevel_feature_snapshots_total',
        'pricelevel_gateway_bus_candles_total',
        'pricelevel_bus_published_total',
      ];
      return flowing.every((series) => (sample(t, series) ?? 0) > 0) ? t : undefined;
    }, 30_000, 250);
    expect(text).toContain('# TYPE pricelevel_collector_frames_total counter\n');
    expect(sample(text, 'pricelevel_collector_connected{exchange="binance",market="spot"}')).toBe(1);
    expect(sample(text, 'pricelevel_aggregator_instruments')).toBe(1);
    expect(sample(text, 'pricelevel_levels_published_total')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'pricelevel_gateway_ws_clients')).toBe(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_heap_used_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_eventloop_lag_seconds{stat="p99"}')).toBeGreaterThanOrEqual(0);
  }, 40_000);

  it('answers /health 200 with the store check, and the gateway keeps its own /health', async () => {
    for (const p of ['/health', '/health/ready', '/health/live']) {
      const res = await fetch(`http://127.0.0.1:${opsPort}${p}`);
      expect(res.status).toBe(200);
    }
    expect(await (await fetch(`http://127.0.0.1:${opsPort}/health`)).json()).toEqual({ status: 'ok', checks: { store: 'ok' } });
    expect((await fetch(`http://127.0.0.1:${httpPort}/health`)).status).toBe(200);
  });
});

describe('an ops port already taken', () => {
  it('is logged and the services run on without the ops server', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-ops-'));
    const proc = startCli(['run', 'aggregator'], { PL_DATA_DIR: dir, OPS_HOST: '127.0.0.1', OPS_PORT: String(port) });
    try {
      const line = await proc.waitForLine((l) => l.includes('ops server could not listen'), 60_000);
      expect(JSON.parse(line)).toMatchObject({ port, level: 50 });
      await proc.waitForLine((l) => l.includes('service running'), 30_000);
      expect(proc.lines.some((l) => l.includes('ops listening'))).toBe(false);
    } finally {
      expect(await proc.stop()).toBe(0);
      taken.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

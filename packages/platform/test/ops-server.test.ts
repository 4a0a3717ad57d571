import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../src/ops/metrics-registry.js';
import { startOpsServer, type OpsServer, type ReadinessCheck } from '../src/ops/ops-server.js';
import { registerProcessMetrics } from '../src/ops/process-metrics.js';

const servers: OpsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(checks: ReadinessCheck[], registry = new MetricsRegistry()) {
  const s = await startOpsServer({ host: '127.0.0.1', port: 0, registry, checks, checkTimeoutMs: 200 });
  servers.push(s);
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${s.port}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };
  return { server: s, get };
}

describe('startOpsServer', () => {
  it('serves /metrics in the Prometheus text format, process metrics included', async () => {
    const registry = new MetricsRegistry().counter({ name: 'demo_events_total', help: 'Events.', collect: () => 42 });
    const stop = registerProcessMetrics(registry, 1_700_000_000_000);
    try {
      const { get } = await start([], registry);
      const m = await get('/metrics');
      expect(m.status).toBe(200);
      expect(m.type).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(m.text).toContain('# TYPE demo_events_total counter\ndemo_events_total 42\n');
      expect(m.text).toContain('process_start_time_seconds 1700000000\n');
      expect(m.text).toMatch(/^process_resident_memory_bytes [1-9]\d*$/m);
      expect(m.text).toMatch(/^process_cpu_seconds_total \d/m);
      expect(m.text).toMatch(/^nodejs_eventloop_lag_seconds\{stat="p99"\} \d/m);
    } finally {
      stop();
    }
  });

  it('answers 200 on every health path when all checks pass', async () => {
    const { get } = await start([{ name: 'store', check: async () => undefined }, { name: 'bus', check: () => undefined }]);
    for (const path of ['/health', '/health/ready', '/health/live']) expect((await get(path)).status).toBe(200);
    expect(JSON.parse((await get('/health')).text)).toEqual({ status: 'ok', checks: { store: 'ok', bus: 'ok' } });
  });

  it('answers 503 naming the failing dependency (rejected, thrown or too slow) while liveness stays 200', async () => {
    const { get } = await start([
      { name: 'store', check: async () => { throw new Error('connection refused'); } },
      { name: 'bus', check: () => { throw new Error('not connected'); } },
      { name: 'cache', check: () => new Promise<void>(() => undefined) },
      { name: 'clock', check: () => undefined },
    ]);
    const ready = await get('/health/ready');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({
      status: 'unavailable',
      failing: ['store', 'bus', 'cache'],
      checks: { store: 'connection refused', bus: 'not connected', cache: 'no answer within 200 ms', clock: 'ok' },
    });
    expect((await get('/health')).status).toBe(503);
    expect((await get('/health/live')).status).toBe(200);
  });

  it('turns unready once stopping, answers 404 elsewhere and 405 to other methods', async () => {
    const { server, get } = await start([]);
    expect((await get('/nope')).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status).toBe(405);
    server.markStopping();
    expect(JSON.parse((await get('/health')).text)).toEqual({ status: 'stopping' });
    expect((await get('/health/live')).status).toBe(200);
  });
});

import { describe, expect, it } from 'vitest';
import { GatewayServer, WS_CLOSE_TRY_AGAIN_LATER } from '../src/index.js';
import { MemoryStore } from './support/memory-store.js';
import { LOAD_DEFAULTS, runWsLoad } from './support/ws-load-scenario.mjs';

// Bounded: about 15 s of demo rates, a burst until the slow clients are dropped (at most 30 s), 3 s more.
// Times are reported, never asserted.
describe('websocket fan-out under load (loopback)', () => {
  it('1000 clients on 10 channels each get every update in seq order; clients that stop reading are closed with 1013, the others unaffected', async () => {
    const r = await runWsLoad({ GatewayServer, store: new MemoryStore(), log: process.env.PL_LOAD_LOG ? (m: string) => console.error(m) : undefined });
    console.log(
      `ws load: ${r.clients} clients, ${r.steady.updatesPublished} updates in ${r.steady.seconds.toFixed(1)} s, ` +
        `delivery latency p50 ${r.latency.p50.toFixed(2)} ms p99 ${r.latency.p99.toFixed(2)} ms max ${r.latency.max.toFixed(1)} ms (n ${r.latency.n}), ` +
        `gateway CPU ${r.steady.gatewayCpuPct.toFixed(0)}% of a core, RSS ${r.steady.rssMb.before} → ${r.steady.rssMb.steady} MB, ` +
        `heap ${r.steady.heapMb.before} → ${r.steady.heapMb.steady} MB; burst ${r.burst.seconds.toFixed(1)} s (${r.burst.busyUpdates} updates) to drop ${r.burst.slowDropped}`,
    );

    expect(r.failures).toEqual([]);
    expect(r.failedClients).toBe(0);
    expect(r.slowCloseCodes).toEqual(Array.from({ length: LOAD_DEFAULTS.slowClients }, () => WS_CLOSE_TRY_AGAIN_LATER));
    expect(r.metrics.wsSlowClientsClosed).toBe(LOAD_DEFAULTS.slowClients);
    expect(r.latency.n).toBeGreaterThan(0);
    // Every reading client is still connected at the end: only the slow ones were let go.
    expect(r.metrics.wsClients).toBe(r.clients - LOAD_DEFAULTS.slowClients);
  }, 180_000);
});

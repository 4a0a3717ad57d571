// WebSocket fan-out: the load scenario of services/gateway/test/ws-load.test.ts (1000 clients in a child
// process, 10 channels each, demo rates, a few clients that stop reading) against the built gateway,
// reporting delivery latency, the gateway's CPU and memory. `node bench/ws-fanout.mjs [--json]`;
// PL_FANOUT_SECONDS sets the steady phase (default 10).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GatewayServer } from '@pricelevel/gateway';
import { createChdbStore, silentLogger } from '@pricelevel/platform';
import { runWsLoad } from '../services/gateway/test/support/ws-load-scenario.mjs';

const json = process.argv.includes('--json');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-fanout-'));
const store = await createChdbStore({ path: dir, logger: silentLogger });
let r;
try {
  await store.migrate();
  r = await runWsLoad({ GatewayServer, store, options: { steadyMs: Number(process.env.PL_FANOUT_SECONDS ?? 10) * 1000 } });
} finally {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

const result = {
  clients: r.clients,
  seconds: r.steady.seconds,
  updatesPerSecond: r.steady.updatesPublished / r.steady.seconds,
  deliveriesPerSecond: r.latency.n / r.steady.seconds,
  latency: r.latency,
  gatewayCpuPct: r.steady.gatewayCpuPct,
  rssMb: r.steady.rssMb,
  heapMb: r.steady.heapMb,
  slowDropped: r.burst.slowDropped,
  slowCloseCodes: r.slowCloseCodes,
  failedClients: r.failedClients,
};
if (json) console.log(JSON.stringify(result));
else {
  console.log(
    `ws fan-out: ${result.clients} clients × 10 channels, ${result.updatesPerSecond.toFixed(0)} updates/s → ${result.deliveriesPerSecond.toFixed(0)} messages/s for ${result.seconds.toFixed(1)} s`,
  );
  console.log(`  delivery latency p50 ${result.latency.p50.toFixed(2)} ms  p99 ${result.latency.p99.toFixed(2)} ms  max ${result.latency.max.toFixed(1)} ms`);
  console.log(`  gateway CPU ${result.gatewayCpuPct.toFixed(0)}% of a core, RSS ${result.rssMb.before} → ${result.rssMb.steady} MB, heap ${result.heapMb.before} → ${result.heapMb.steady} MB`);
  console.log(`  slow clients closed: ${result.slowCloseCodes.join(', ')}; clients with a missing or out-of-order update: ${result.failedClients}`);
}
process.exit(0);

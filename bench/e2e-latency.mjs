// End-to-end latency in the one-process mode: the four venues' simulators (10 symbols, spot and perp
// where the venue has them) → collectors → in-memory bus → gateway → a browser-protocol WebSocket client
// on the trades channel of every instrument. This process runs `pricelevel demo`'s wiring (startApp with
// every service, the chDB store) and nothing else; the simulators and the client run in a child process
// (bench/e2e/venues.mjs), which times each frame out and each message in on one clock.
//
// `node bench/e2e-latency.mjs [--json]`; PL_E2E_SECONDS, PL_E2E_TRADES_PER_SECOND, PL_E2E_TICK_MS override the defaults;
// PL_E2E_DEBUG=1 also prints the store calls the app made (count, rows, time) on stderr.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { configuredInstruments, createPlatform, loadConfig } from '@pricelevel/platform';
import { SERVICES, startApp } from '@pricelevel/cli';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT', 'BNBUSDT', 'DOGEUSDT', 'ADAUSDT', 'LTCUSDT', 'LINKUSDT', 'AVAXUSDT'];
const WARMUP_MS = 5000;
const MEASURE_MS = Number(process.env.PL_E2E_SECONDS ?? 20) * 1000;
/** Taker orders per second per instrument; with the depth and ticker streams about 5k frames/s in all. */
const TRADES_PER_SECOND = Number(process.env.PL_E2E_TRADES_PER_SECOND ?? 20);
const TICK_MS = Number(process.env.PL_E2E_TICK_MS ?? 12);
const json = process.argv.includes('--json');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
function stats(values) {
  const s = Float64Array.from(values).sort();
  const pct = (p) => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]);
  return { n: s.length, p50: pct(50), p99: pct(99), max: s.length ? s[s.length - 1] : NaN };
}

const venues = fork(new URL('./e2e/venues.mjs', import.meta.url), {
  env: { ...process.env, PL_E2E_VENUES: JSON.stringify({ symbols: SYMBOLS, tickMs: TICK_MS, tradesPerSecond: TRADES_PER_SECOND }) },
});
const replies = [];
const waiters = [];
venues.on('message', (m) => (waiters.length ? waiters.shift()(m) : replies.push(m)));
const reply = () => (replies.length ? Promise.resolve(replies.shift()) : new Promise((resolve) => waiters.push(resolve)));
const ask = (m) => (venues.send(m), reply());

const { urls } = await reply();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-e2e-'));
const httpPort = await freePort();
const config = loadConfig({
  PL_MODE: 'embedded', PL_LOG_LEVEL: process.env.PL_E2E_LOG_LEVEL ?? 'fatal', PL_SYMBOLS: SYMBOLS.join(','), PL_DATA_DIR: dataDir,
  GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort), OPS_HOST: '127.0.0.1', OPS_PORT: '0',
  ...urls,
});
const platform = await createPlatform(config, { service: 'all' });
const storeUse = {};
if (process.env.PL_E2E_DEBUG) {
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(platform.store)).filter((n) => n.startsWith('insert') || n.startsWith('query'))) {
    const f = platform.store[name].bind(platform.store);
    const u = (storeUse[name] = { calls: 0, rows: 0, ms: 0 });
    platform.store[name] = async (...args) => {
      const t = performance.now();
      u.calls++;
      if (Array.isArray(args[0])) u.rows += args[0].length;
      try {
        return await f(...args);
      } finally {
        u.ms += performance.now() - t;
      }
    };
  }
}
const app = await startApp(platform, SERVICES);
const instruments = configuredInstruments(config);
const channels = instruments.map((i) => `trades:${i.exchange}:${i.market}:${i.symbol}`);

await ask({ op: 'follow', url: `ws://127.0.0.1:${httpPort}/ws`, channels });
await sleep(WARMUP_MS);
const cpu0 = process.cpuUsage();
await ask({ op: 'measure', ms: MEASURE_MS });
await sleep(MEASURE_MS);
const cpu = process.cpuUsage(cpu0);
const r = await ask({ op: 'report' });
venues.send({ op: 'close' });
await app.close();
fs.rmSync(dataDir, { recursive: true, force: true });

const result = {
  instruments: instruments.length,
  venues: 4,
  seconds: MEASURE_MS / 1000,
  framesPerSecond: r.framesPerSecond,
  tradesPerSecondPerInstrument: TRADES_PER_SECOND,
  appCpuPct: (100 * (cpu.user + cpu.system)) / 1000 / MEASURE_MS,
  rssMb: Math.round(process.memoryUsage().rss / 1e6),
  frameToWs: stats(r.frameToWs),
  frameToCollector: stats(r.frameToCollector),
  venuesLoopDelayP99Ms: r.loopDelayP99Ms,
  unmatchedTrades: r.unmatched,
  messages: r.messages,
};
if (process.env.PL_E2E_DEBUG) console.error(storeUse);
if (json) console.log(JSON.stringify(result));
else {
  const f = (s) => `p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  max ${s.max.toFixed(1)} ms  (n ${s.n})`;
  console.log(`e2e, one process: ${result.venues} venues, ${result.instruments} instruments, ${result.framesPerSecond.toFixed(0)} frames/s for ${result.seconds} s; app CPU ${result.appCpuPct.toFixed(0)}% of a core, RSS ${result.rssMb} MB`);
  console.log(`  frame → trade message on the WebSocket   ${f(result.frameToWs)}`);
  console.log(`    frame → collector receipt (ms clock)  ${f(result.frameToCollector)}`);
  console.log(`  unmatched trades ${result.unmatchedTrades}; the venues' process event-loop delay p99 ${result.venuesLoopDelayP99Ms.toFixed(1)} ms`);
}
process.exit(0);

// End-to-end latency in the one-process mode: the simulators of all four venues (10 symbols, spot and
// perp where the venue has them) → collectors → in-memory bus → gateway → a WebSocket client on the
// trades channel of every instrument (the browser protocol). `pricelevel demo`'s wiring (startApp with every
// service, chDB store), the simulators ticked by this script so each frame's send time is known.
//
// Matching: every tick of a venue gets its own exchange millisecond (the simulator's injected clock), so a
// trade's exchangeTs names the tick, and the tick the time its frames were sent (process.hrtime, ms). The
// bus is wrapped to time each trade's publish by the collector, which splits the figure into the
// collector's leg and the bus → gateway → WebSocket leg.
//
// `node bench/e2e-latency.mjs [--json]`; PL_E2E_SECONDS, PL_E2E_TRADES_PER_SECOND override the defaults.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { BinanceSimulator, BingxSim, BybitSim, HtxSim } from '@pricelevel/exchange-sim';
import { configuredInstruments, createPlatform, loadConfig } from '@pricelevel/platform';
import { SERVICES, startApp } from '@pricelevel/cli';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT', 'BNBUSDT', 'DOGEUSDT', 'ADAUSDT', 'LTCUSDT', 'LINKUSDT', 'AVAXUSDT'];
const WARMUP_MS = 5000;
const MEASURE_MS = Number(process.env.PL_E2E_SECONDS ?? 20) * 1000;
/** Taker orders per second per instrument; with the depth and ticker streams about 5k frames/s in all. */
const TRADES_PER_SECOND = Number(process.env.PL_E2E_TRADES_PER_SECOND ?? 20);
const SIM_TICK_MS = 20;
const json = process.argv.includes('--json');
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
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

function pct(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function stats(values) {
  const s = Float64Array.from(values).sort();
  return { n: s.length, p50: pct(s, 50), p99: pct(s, 99), max: s.length ? s[s.length - 1] : NaN };
}

// --- simulators, each on a clock this script moves one millisecond-stamped tick at a time ----------------
const venueNow = { binance: 0, bybit: 0, bingx: 0, htx: 0 };
/** venue → exchange ms of a tick → when that tick's frames were sent */
const tickSentAt = { binance: new Map(), bybit: new Map(), bingx: new Map(), htx: new Map() };
const clockOf = (venue) => ({ now: () => venueNow[venue] || Date.now() });
const common = { symbols: SYMBOLS, tickMs: SIM_TICK_MS, tradesPerSecond: TRADES_PER_SECOND, autoTick: false };
const sims = {
  binance: await BinanceSimulator.start({ ...common, seed: 7, clock: clockOf('binance') }),
  bybit: await BybitSim.start({ ...common, seed: 8, clock: clockOf('bybit') }),
  bingx: await BingxSim.start({ ...common, seed: 9, clock: clockOf('bingx') }),
  htx: await HtxSim.start({ ...common, seed: 10, clock: clockOf('htx') }),
};
// Binance and HTX count frames at the top of their stats, Bybit and BingX under `ws`.
const framesSent = () => Object.values(sims).reduce((n, s) => n + (s.stats().framesSent ?? s.stats().ws.framesSent), 0);

function tickAll() {
  for (const [venue, sim] of Object.entries(sims)) {
    venueNow[venue] = Math.max(Date.now(), venueNow[venue] + 1);
    sim.tick();
    tickSentAt[venue].set(venueNow[venue], nowMs());
  }
}

// --- the one-process app, its bus wrapped to see trades and candles go by ---------------------------------
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-e2e-'));
const httpPort = await freePort();
const config = loadConfig({
  PL_MODE: 'embedded', PL_LOG_LEVEL: process.env.PL_E2E_LOG_LEVEL ?? 'fatal', PL_SYMBOLS: SYMBOLS.join(','), PL_DATA_DIR: dataDir,
  GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort), OPS_HOST: '127.0.0.1', OPS_PORT: '0',
  BINANCE_SPOT_WS_URL: sims.binance.urls.spotWs, BINANCE_SPOT_REST_URL: sims.binance.urls.spotRest,
  BINANCE_PERP_WS_URL: sims.binance.urls.perpWs, BINANCE_PERP_REST_URL: sims.binance.urls.perpRest,
  BYBIT_SPOT_WS_URL: sims.bybit.urls.spotWs, BYBIT_PERP_WS_URL: sims.bybit.urls.linearWs, BYBIT_REST_URL: sims.bybit.urls.rest,
  BINGX_PERP_WS_URL: sims.bingx.urls.perpWs, BINGX_PERP_REST_URL: sims.bingx.urls.perpRest,
  HTX_WS_URL: sims.htx.urls.spotWs, HTX_REST_URL: sims.htx.urls.spotRest,
});
const platform = await createPlatform(config, { service: 'all' });

const key = (x) => `${x.exchange}:${x.market}:${x.symbol}`;
const sentAtOf = (trade) => tickSentAt[trade.exchange]?.get(trade.exchangeTs);
let window = [Infinity, Infinity];
const inWindow = (t) => t !== undefined && t >= window[0] && t <= window[1];
const collectorLeg = [];
let unmatchedTrades = 0;
/** instrument:tradeId → when the collector published the trade */
const publishedAt = new Map();

const bus = platform.bus;
const publish = bus.publish.bind(bus);
bus.publish = (topic, messages) => {
  if (topic === 'md.trade.v1') {
    const at = nowMs();
    for (const { value } of messages) {
      const sent = sentAtOf(value);
      if (sent === undefined) unmatchedTrades++;
      else if (inWindow(sent)) {
        collectorLeg.push(at - sent);
        publishedAt.set(`${key(value)}:${value.tradeId}`, at);
      }
    }
  }
  return publish(topic, messages);
};

const app = await startApp(platform, SERVICES);

// --- the browser-protocol client ---------------------------------------------------------------------------
const instruments = configuredInstruments(config);
const channels = instruments.map((i) => `trades:${key(i)}`);
const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/ws`, { perMessageDeflate: false });
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
const frameToWs = [];
const gatewayLeg = [];
let messages = 0;
let acks = 0;
const acked = new Promise((resolve) => {
  ws.on('message', (data) => {
    const at = nowMs();
    const msg = JSON.parse(String(data));
    if (msg.type === 'subscribed' && ++acks === channels.length) resolve();
    if (msg.type !== 'trade' || msg.snapshot) return;
    messages++;
    const sent = sentAtOf(msg.data);
    if (!inWindow(sent)) return;
    frameToWs.push(at - sent);
    const id = `${key(msg.data)}:${msg.data.tradeId}`;
    const pub = publishedAt.get(id);
    if (pub !== undefined) gatewayLeg.push(at - pub);
    publishedAt.delete(id);
  });
});
for (const channel of channels) ws.send(JSON.stringify({ op: 'subscribe', channel }));
await acked;

// --- run: warm up, then measure ---------------------------------------------------------------------------
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const ticker = setInterval(tickAll, SIM_TICK_MS);
await sleep(WARMUP_MS);
const frames0 = framesSent();
const cpu0 = process.cpuUsage();
const t0 = nowMs();
window = [t0, t0 + MEASURE_MS];
await sleep(MEASURE_MS);
const seconds = (nowMs() - t0) / 1000;
if (process.env.PL_E2E_DEBUG) {
  console.error({ loopDelayP50: loopDelay.percentile(50) / 1e6, loopDelayP99: loopDelay.percentile(99) / 1e6, loopDelayMax: loopDelay.max / 1e6 });
}
const frames = framesSent() - frames0;
const cpu = process.cpuUsage(cpu0);
clearInterval(ticker);
// Let what was sent in the window arrive, then stop.
await sleep(1000);

const result = {
  instruments: instruments.length,
  venues: Object.keys(sims).length,
  seconds,
  framesPerSecond: frames / seconds,
  tradesPerSecondPerInstrument: TRADES_PER_SECOND,
  processCpuPct: (100 * (cpu.user + cpu.system)) / 1000 / (seconds * 1000),
  rssMb: Math.round(process.memoryUsage().rss / 1e6),
  frameToWs: stats(frameToWs),
  collectorLeg: stats(collectorLeg),
  gatewayLeg: stats(gatewayLeg),
  // Trades of the window published but never received: must be 0.
  lost: publishedAt.size,
  unmatchedTrades,
  messages,
};

ws.terminate();
await app.close();
await Promise.all(Object.values(sims).map((s) => s.close()));
fs.rmSync(dataDir, { recursive: true, force: true });

if (json) console.log(JSON.stringify(result));
else {
  const f = (s) => `p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  max ${s.max.toFixed(1)} ms  (n ${s.n})`;
  console.log(`e2e, one process: ${result.venues} venues, ${result.instruments} instruments, ${result.framesPerSecond.toFixed(0)} frames/s for ${seconds.toFixed(1)} s, CPU ${result.processCpuPct.toFixed(0)}% of a core, RSS ${result.rssMb} MB`);
  console.log(`  frame → trade message on the WebSocket   ${f(result.frameToWs)}`);
  console.log(`    frame → trade on the bus (collector)  ${f(result.collectorLeg)}`);
  console.log(`    bus → WebSocket message (gateway)     ${f(result.gatewayLeg)}`);
  console.log(`  trades lost ${result.lost}, unmatched trades ${unmatchedTrades}`);
}
process.exit(0);

// The WebSocket fan-out load scenario, shared by test/ws-load.test.ts (which asserts correctness) and
// bench/ws-fanout.mjs (which prints the figures). A real GatewayServer on loopback over the in-memory
// bus (as in the one-process mode); 1000 clients in child processes (ws-load-fleet.mjs), each on 10
// channels; updates published on the bus at the demo's rates. Phases:
//   steady  demo rates only; delivery latency, gateway CPU and memory are measured here
//   burst   steady + a busy channel (large level sets, many per second, on an instrument of its own) watched
//           only by a few clients that stopped reading and a few that read: until the gateway has closed the
//           slow ones (1013). The kernel holds ~4 MB per socket before the gateway's buffer grows; large
//           messages get there in seconds even on a loaded machine.
//   tail    demo rates again, so the others are seen to keep receiving after the drops
// Times are process.hrtime in ms (the fleet uses the same monotonic clock).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BookFeatures, Candle, Completeness, instrumentKey, Level, LevelKind, LevelSet, LevelSource, OrderFlow } from '@pricelevel/contracts';
import { MemoryBus, silentLogger, systemClock } from '@pricelevel/platform';

export const LOAD_DEFAULTS = {
  clients: 1000,
  /** Child processes the reading clients are spread over (the witnesses and slow clients get one more of their own). */
  fleets: 2,
  slowClients: 4,
  witnesses: 8,
  /** Candle updates per second per instrument on its 1m channel (the open candle changing trade by trade). */
  candlesPerSecond: 4,
  /** Book features and the 1 s order flow: once per second per instrument, as the feature service does. */
  featuresEveryMs: 1000,
  /** A new level-set version per instrument this often. */
  levelsEveryMs: 10_000,
  /** Updates per second on the busy channel during the burst, and the levels in each (~330 bytes of JSON per level). */
  burstPerSecond: 20,
  burstLevels: 150,
  steadyMs: 15_000,
  maxBurstMs: 30_000,
  tailMs: 3_000,
  tickMs: 20,
};

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT', 'BNBUSDT'];
/** The instruments at the demo's rates. */
const STEADY = [
  ...SYMBOLS.map((symbol) => ({ exchange: 'binance', market: 'spot', symbol })),
  ...SYMBOLS.map((symbol) => ({ exchange: 'bybit', market: 'perp', symbol })),
];
/** The busy channel's instrument, watched only by the witnesses and the slow clients. */
const HOT = { exchange: 'binance', market: 'perp', symbol: 'BTCUSDT' };
export const LOAD_INSTRUMENTS = [...STEADY, HOT];
const T0 = 1_704_067_200_000;
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const base = (i) => `${i.exchange}:${i.market}:${i.symbol}`;

/** Which channels each client watches: 4 candle, 4 feature and 2 level channels, rotating over the instruments. */
export function loadPlans(o) {
  const n = STEADY.length;
  const at = (k) => base(STEADY[k % n]);
  const busy = `levels:${base(HOT)}`;
  const normal = Array.from({ length: o.clients }, (_, i) => ({
    slow: false,
    channels: [
      ...[0, 1, 2, 3].map((j) => `candles:${at(i + j)}:1m`),
      ...[4, 5, 6, 7].map((j) => `features:${at(i + j)}`),
      ...[8, 9].map((j) => `levels:${at(i + j)}`),
    ],
  }));
  const hot = [busy, ...[0, 1, 2, 3, 4].map((k) => `candles:${at(k)}:1m`), ...[5, 6, 7, 8].map((k) => `features:${at(k)}`)];
  const witnesses = Array.from({ length: o.witnesses }, () => ({ slow: false, channels: hot }));
  const slow = Array.from({ length: o.slowClients }, () => ({ slow: true, channels: hot }));
  // The busy channel's readers in a process of their own: a loaded fleet must not make them slow too.
  const fleets = Array.from({ length: o.fleets }, (_, f) => normal.filter((_, i) => i % o.fleets === f));
  return { busy, fleets: [...fleets, [...witnesses, ...slow]] };
}

function candle(ref, interval, n) {
  const price = 100 + (n % 50) * 0.1;
  return Candle.fromPartial({
    ...ref, interval, openTime: T0, closeTime: T0 + (interval === '1m' ? 60_000 : 300_000), open: 100, high: 105, low: 99, close: price,
    volume: n * 0.01, quoteVolume: n, buyVolume: n * 0.005, buyQuoteVolume: n / 2, tradeCount: n, version: 1, final: false, source: 'trades',
  });
}

function features(ref, n) {
  return BookFeatures.fromPartial({
    ...ref, ts: T0 + n * 1000, bidLevels: 100, askLevels: 100, midPrice: 100.05, spread: 0.1, spreadPct: 0.0999, buyPressure: 12.5, sellPressure: 10,
    netPressure: 2.5, pressureRatio: 1.25, totalPressure: 22.5, bidVolume: 40, askVolume: 35, volumeImbalance: 0.0667,
  });
}

function flow(ref, n) {
  return OrderFlow.fromPartial({
    ...ref, interval: '1s', openTime: T0 + n * 1000, closeTime: T0 + (n + 1) * 1000, tradeCount: 12, buyVolume: 1.5, sellVolume: 0.5, delta: 1,
    cumulativeDelta: n, vwap: 100.02, footprintStep: 0.1, footprint: [{ price: 100, buyVolume: 1.5, sellVolume: 0.5, buyImbalanceRatio: 3 }],
    liquidationCompleteness: Completeness.COMPLETENESS_SAMPLED,
  });
}

function levels(ref, version, count = 6) {
  const level = (price) => Level.fromPartial({
    id: `L${price}`, price, zoneLow: price - 1, zoneHigh: price + 1, kind: price < 100 ? LevelKind.LEVEL_KIND_SUPPORT : LevelKind.LEVEL_KIND_RESISTANCE,
    sources: [LevelSource.LEVEL_SOURCE_EXTREMA], timeframes: ['1d', '4h'], touches: 3, bounces: 2, breaks: 1, score: 0.5,
  });
  const set = Array.from({ length: count }, (_, i) => 100 + (i - count / 2) * 0.5).map(level);
  const below = set.filter((l) => l.price < 100);
  return LevelSet.fromPartial({ ...ref, version, computedAt: T0 + version, currentPrice: 100, atr: 2, levels: set, nearestSupport: below[below.length - 1], nearestResistance: set[below.length] });
}

/** Publishes the demo's rates (and, when asked, the burst) tick by tick, recording when each update went out. */
class Publisher {
  constructor(bus, busy) {
    this.bus = bus;
    this.busy = busy;
    /** channel → type → identity → publish time */
    this.published = {};
    this.sent = { candles: 0, features: 0, levels: 0, busy: 0 };
    this.counts = STEADY.map(() => ({ candles: 0, features: 0, levels: 0 }));
    this.busyCount = 0;
  }

  record(channel, type, id, at) {
    const byType = (this.published[channel] ??= {});
    (byType[type] ??= {})[id] = at;
  }

  /** Everything due by `elapsed` ms into the run (each instrument's schedule is offset so they do not all fire at once). */
  async tick(elapsed, o, burstElapsed) {
    const at = nowMs();
    const candles = [];
    const book = [];
    const flows = [];
    const sets = [];
    for (const [k, ref] of STEADY.entries()) {
      const c = this.counts[k];
      const phase = (k * 1000) / STEADY.length;
      const due = (every) => Math.max(0, Math.floor((elapsed - phase) / every) + 1);
      for (const want = due(1000 / o.candlesPerSecond); c.candles < want; ) {
        candles.push(candle(ref, '1m', ++c.candles));
        this.record(`candles:${base(ref)}:1m`, 'candle', c.candles, at);
      }
      for (const want = due(o.featuresEveryMs); c.features < want; ) {
        const n = ++c.features;
        book.push(features(ref, n));
        flows.push(flow(ref, n));
        this.record(`features:${base(ref)}`, 'features', T0 + n * 1000, at);
        this.record(`features:${base(ref)}`, 'flow', T0 + n * 1000, at);
      }
      for (const want = due(o.levelsEveryMs); c.levels < want; ) {
        sets.push(levels(ref, ++c.levels));
        this.record(`levels:${base(ref)}`, 'levels', c.levels, at);
      }
    }
    if (burstElapsed !== undefined) {
      for (const want = Math.floor((burstElapsed * o.burstPerSecond) / 1000); this.busyCount < want; ) {
        sets.push(levels(HOT, ++this.busyCount, o.burstLevels));
        this.record(this.busy, 'levels', this.busyCount, at);
      }
    }
    const keyed = (values) => values.map((value) => ({ key: instrumentKey(value), value }));
    await Promise.all([
      candles.length && this.bus.publish('agg.candle.v1', keyed(candles)),
      book.length && this.bus.publish('feat.book.v1', keyed(book)),
      flows.length && this.bus.publish('feat.flow.v1', keyed(flows)),
      sets.length && this.bus.publish('levels.v1', keyed(sets)),
    ]);
    this.sent.candles += candles.length;
    this.sent.features += book.length + flows.length;
    this.sent.levels += sets.length;
  }
}

/** Runs `steps` ticks until `done()` or `ms` elapsed; returns the time spent. */
async function runPhase(publisher, o, runStart, ms, burstStart, done = () => false) {
  const start = nowMs();
  while (nowMs() - start < ms && !done()) {
    const t = nowMs();
    await publisher.tick(t - runStart, o, burstStart === undefined ? undefined : t - burstStart);
    await sleep(Math.max(0, o.tickMs - (nowMs() - t)));
  }
  return nowMs() - start;
}

/** Sends `msg` to the fleet and waits for its `reply` (at most `timeoutMs`: the scenario stays bounded). */
function fleetCall(child, msg, reply, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the client fleet did not answer '${msg.op}' within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m) => {
      if (m.op !== reply) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`the client fleet exited with ${code} before '${reply}'`)));
    child.send(msg);
  });
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const mb = (bytes) => Math.round(bytes / 1e5) / 10;

/**
 * Runs the scenario against `new GatewayServer({…})` (the class is injected: the test passes its
 * source, the bench the built package) and returns the figures and the fleet's verdict.
 */
export async function runWsLoad({ GatewayServer, store, options = {}, log = () => {} }) {
  const o = { ...LOAD_DEFAULTS, ...options };
  const bus = new MemoryBus({ logger: silentLogger });
  const gateway = new GatewayServer({
    store, bus, clock: systemClock, logger: silentLogger, instruments: LOAD_INSTRUMENTS,
    grpc: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 },
  });
  const { busy, fleets } = loadPlans(o);
  const clients = fleets.reduce((n, plans) => n + plans.length, 0);
  const children = fleets.map(() => fork(fileURLToPath(new URL('./ws-load-fleet.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const all = (msg, reply, timeoutMs) => Promise.all(children.map((child, f) => fleetCall(child, typeof msg === 'function' ? msg(f) : msg, reply, timeoutMs)));
  try {
    const { httpPort } = await gateway.start();
    global.gc?.();
    const memBefore = process.memoryUsage();
    log(`gateway on ${httpPort}; connecting ${clients} clients in ${children.length} processes`);
    const connectMs = Math.max(...(await all((f) => ({ op: 'start', port: httpPort, plans: fleets[f] }), 'ready', 60_000)).map((r) => r.connectMs));
    log(`connected in ${connectMs.toFixed(0)} ms; steady phase`);
    const publisher = new Publisher(bus, busy);
    const runStart = nowMs();

    const cpu0 = process.cpuUsage();
    const steadyMs = await runPhase(publisher, o, runStart, o.steadyMs);
    const cpu = process.cpuUsage(cpu0);
    const memSteady = process.memoryUsage();
    const steadyWindow = [runStart, runStart + steadyMs];
    const steadySent = { ...publisher.sent };

    log('burst phase');
    const slowClosed = () => gateway.metrics().wsSlowClientsClosed >= o.slowClients;
    const burstMs = await runPhase(publisher, o, runStart, o.maxBurstMs, nowMs(), slowClosed);
    const memPeak = process.memoryUsage();
    const slowDropped = gateway.metrics().wsSlowClientsClosed;
    if (slowClosed()) await all({ op: 'slowClosed' }, 'slowClosed', 30_000);
    log(`burst: ${burstMs.toFixed(0)} ms, ${slowDropped} dropped; tail phase`);
    await runPhase(publisher, o, runStart, o.tailMs);
    log('collecting the fleet\'s verdict');

    const results = await all({ op: 'finish', published: publisher.published, window: steadyWindow }, 'result', 40_000);
    const latencies = Float64Array.from(results.flatMap((r) => r.latencies)).sort();
    const metrics = gateway.metrics();
    return {
      options: o,
      clients,
      processes: children.length,
      connectMs,
      steady: {
        seconds: steadyMs / 1000,
        updatesPublished: steadySent.candles + steadySent.features + steadySent.levels,
        gatewayCpuPct: (100 * (cpu.user + cpu.system)) / 1000 / steadyMs,
        rssMb: { before: mb(memBefore.rss), steady: mb(memSteady.rss), burst: mb(memPeak.rss) },
        heapMb: { before: mb(memBefore.heapUsed), steady: mb(memSteady.heapUsed), burst: mb(memPeak.heapUsed) },
      },
      burst: { seconds: burstMs / 1000, busyUpdates: publisher.busyCount, slowDropped },
      latency: { n: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? NaN },
      delivered: results.reduce((n, r) => n + r.delivered, 0),
      failedClients: results.reduce((n, r) => n + r.failedClients, 0),
      failures: results.flatMap((r) => r.failures),
      slowCloseCodes: results.flatMap((r) => r.slowCloseCodes),
      metrics,
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    await gateway.stop();
    await bus.close();
  }
}

// `npm run bench`: throughput of the hot paths in one run, each as ops/s and as a ratio to a floor
// measured in the same run on the same frames (JSON.parse, or gunzip + JSON.parse for gzip venues).
// Binance uses generated frames (frames.mjs); the other venues real ones (venue-frames.mjs).
// Machines are shared and noisy: every figure is the best of several interleaved rounds.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BinanceBookSync, BinanceParser, parseDepthSnapshot } from '@pricelevel/collector';
import { BookFeatureCalculator, CandleBuilder, OrderFlowEngine, takeBookSnapshot } from '@pricelevel/market';
import { detectLevels, parseBarsCsv } from '@pricelevel/levels';
import { createChdbStore, silentLogger } from '@pricelevel/platform';
import { Side } from '@pricelevel/contracts';
import { depthChain, tradeFrames } from './frames.mjs';
import { againstFloor, measure, ROUNDS } from './measure.mjs';
import { benchVenues } from './venues.mjs';

let sink = 0;

const rows = [];
function report(name, nsPerOp, floorNs, unit = 'ops') {
  rows.push({ name, nsPerOp, perSec: 1e9 / nsPerOp, ratio: floorNs ? nsPerOp / floorNs : undefined, unit });
}

// --- trades: JSON.parse floor vs normalization -------------------------------------------
const TRADES = tradeFrames(200_000);
const tradeParser = new BinanceParser('perp', ['BTCUSDT']);
const jsonTrades = (n) => {
  for (let i = 0; i < n; i++) sink += JSON.parse(TRADES[i % TRADES.length]).data.a & 1;
};
const normTrades = (n) => {
  for (let i = 0; i < n; i++) {
    const e = tradeParser.parse(TRADES[i % TRADES.length], 1);
    if (e.kind === 'trade') sink += e.trade.tradeCount & 1;
  }
};
const { floor: floorTrades, work: normNs } = againstFloor(jsonTrades, normTrades, 200_000);
report('JSON.parse floor (aggTrade frames)', floorTrades, floorTrades, 'frames');
report('trade normalization (frame → Trade)', normNs, floorTrades, 'frames');

// --- depth: JSON.parse floor vs frame → validated book → best bid/ask --------------------
const DEPTH_N = 50_000;
const { snapshot, frames: DEPTH } = depthChain(DEPTH_N);
const depthParser = new BinanceParser('perp', ['BTCUSDT']);
const jsonDepth = (n) => {
  for (let i = 0; i < n; i++) sink += JSON.parse(DEPTH[i % DEPTH.length]).data.u & 1;
};
let sync;
function freshSync() {
  let token = 0;
  const s = new BinanceBookSync(
    { market: 'perp', symbol: 'BTCUSDT' },
    { book: (u) => (sink += u.bids.length & 1), quality: () => (sink += 1), requestSnapshot: (_s, t) => (token = t) },
  );
  s.onDiff(depthParser.parse(DEPTH[0], 1).depth);
  s.onSnapshot(parseDepthSnapshot({ ...snapshot, lastUpdateId: depthParser.parse(DEPTH[0], 1).depth.U }, 1), token);
  return s;
}
const syncDepth = (n) => {
  // The chain is replayed from a fresh sync each time it wraps, so every frame is a valid next diff.
  for (let i = 0; i < n; i++) {
    const j = i % DEPTH.length;
    if (j === 0) sync = freshSync();
    else {
      const e = depthParser.parse(DEPTH[j], 1);
      if (e.kind === 'depth') sync.onDiff(e.depth);
    }
    sink += (sync.book.bestBid() + sync.book.bestAsk()) & 1;
  }
};
const { floor: floorDepth, work: depthNs } = againstFloor(jsonDepth, syncDepth, DEPTH_N);
if (sync.counters.gaps !== 0) throw new Error(`bench depth chain produced ${sync.counters.gaps} gaps`);
report('JSON.parse floor (depthUpdate frames, 20 levels)', floorDepth, floorDepth, 'frames');
report('depth frame → validated book → best bid/ask', depthNs, floorDepth, 'frames');

// --- Bybit, BingX, HTX: trade and depth paths, each against its own floor ---------------------
sink += await benchVenues(report);

// --- top-100 extraction on a ~5k-level book -----------------------------------------------
const book = sync.book;
const outP = new Float64Array(100);
const outS = new Float64Array(100);
const top = (n) => {
  for (let i = 0; i < n; i++) sink += book.bids.top(100, outP, outS) + book.asks.top(100, outP, outS);
};
report(`top-100 extraction, both sides (book ${book.bids.length}+${book.asks.length} levels)`, measure(top, 200_000), floorDepth, 'snapshots');

// --- book feature vector on 100-level snapshots ---------------------------------------------
// One snapshot per second of the depth chain (10 frames of 100 ms), replayed through a fresh sync;
// the floor copies the same four 100-level arrays.
const SNAPS = [];
{
  const s = freshSync();
  const meta = { exchange: 'binance', market: 'perp', symbol: 'BTCUSDT', ts: 0, resyncing: false, bookEpoch: 1, lastUpdateId: 0, bookTs: 0 };
  for (let j = 1; SNAPS.length < 1000; j++) {
    const e = depthParser.parse(DEPTH[j], 1);
    if (e.kind === 'depth') s.onDiff(e.depth);
    if (j % 10 === 0) SNAPS.push(takeBookSnapshot(s.book, meta));
  }
}
const featureCalc = new BookFeatureCalculator();
let featureTs = 1_700_000_000_000;
const copySnapshots = (n) => {
  for (let i = 0; i < n; i++) {
    const s = SNAPS[i % SNAPS.length];
    outP.set(s.bidPrices);
    outS.set(s.bidSizes);
    outP.set(s.askPrices);
    outS.set(s.askSizes);
    sink += outS[99] > 0 ? 1 : 0;
  }
};
const bookFeatures = (n) => {
  for (let i = 0; i < n; i++) {
    const s = SNAPS[i % SNAPS.length];
    s.ts = featureTs += 1000; // the calculator takes strictly increasing seconds
    sink += featureCalc.next(s).bidLevels & 1;
  }
};
const { floor: floorCopy, work: featureNs } = againstFloor(copySnapshots, bookFeatures, 100_000);
report('copy floor (4 arrays of a 100-level snapshot)', floorCopy, floorCopy, 'snapshots');
report('book feature vector (100 levels/side)', featureNs, floorCopy, 'snapshots');

// --- candle folding -----------------------------------------------------------------------
const FOLD_N = 2_000_000;
const tape = new Array(FOLD_N);
for (let i = 0; i < FOLD_N; i++) {
  tape[i] = {
    exchange: 'binance', market: 'perp', symbol: 'BTCUSDT', tradeId: String(i),
    price: 50_000 + (i % 97) * 0.1, size: 0.001 * (1 + (i % 13)), side: i % 3 === 0 ? Side.SIDE_BUY : Side.SIDE_SELL,
    exchangeTs: 1_700_000_000_000 + Math.floor(i / 20), receivedTs: 0, tradeCount: 1,
  };
}
const fold = (n) => {
  const b = new CandleBuilder({ exchange: 'binance', market: 'perp', symbol: 'BTCUSDT', partialEveryMs: 0, onCandle: () => (sink += 1) });
  for (let i = 0; i < n; i++) b.onTrade(tape[i % FOLD_N]);
};
report('candle folding (trade → 1m…1d)', measure(fold, FOLD_N), floorTrades, 'trades');

// --- order flow: trades of a second folded and closed with its snapshot -------------------
// 300 trades per second (the tape above, re-timed), each second closed with a 100-level snapshot:
// per-second flow, footprint, walls, z-scores and the 1m…1d rollups.
const FLOW_PER_S = 300;
const FLOW_T0 = 1_700_000_000_000;
const flowTape = tape.slice(0, 300_000).map((t, i) => ({
  ...t, exchangeTs: FLOW_T0 + Math.floor(i / FLOW_PER_S) * 1000 + (i % FLOW_PER_S), receivedTs: FLOW_T0 + Math.floor(i / FLOW_PER_S) * 1000 + 999,
}));
const flowSnaps = Array.from({ length: flowTape.length / FLOW_PER_S }, (_, k) => ({ ...SNAPS[k % SNAPS.length], ts: FLOW_T0 + (k + 1) * 1000 }));
const orderFlow = (n) => {
  const engine = new OrderFlowEngine({ exchange: 'binance', market: 'perp', symbol: 'BTCUSDT' });
  for (let i = 0; i < n; i++) {
    engine.addTrade(flowTape[i % flowTape.length]);
    if ((i + 1) % FLOW_PER_S === 0) sink += engine.closeSecond(flowSnaps[(i + 1) / FLOW_PER_S - 1]).length;
  }
};
report('order flow (300 trades/s, close each second with its snapshot)', measure(orderFlow, flowTape.length), floorTrades, 'trades');

// --- level detection: full recompute of 10 instruments ------------------------------------
// The real BTC/ETH/BNB/XRP fixtures, cycled to 10 instruments, each cut like the service feeds the
// detector: the last 5 years of 1d, 1 year of 4h and 90 days of 1h bars. One op = one instrument's
// recompute; the name carries the time of a full run over all 10.
{
  const DAY = 86_400_000;
  const ohlcv = (sym, tf) => parseBarsCsv(fs.readFileSync(new URL(`../fixtures/ohlcv/binance_spot_${sym}USDT_${tf}.csv`, import.meta.url), 'utf8'));
  const sets = ['BTC', 'ETH', 'BNB', 'XRP'].map((sym) => {
    const d1 = ohlcv(sym, '1d');
    const end = d1[d1.length - 1].openTime + DAY;
    const cut = (bars, barMs, days) => bars.filter((b) => b.openTime + barMs <= end && b.openTime >= end - days * DAY);
    return { d1: cut(d1, DAY, 5 * 365), h4: cut(ohlcv(sym, '4h'), DAY / 6, 365), h1: cut(ohlcv(sym, '1h'), DAY / 24, 90) };
  });
  const instruments = Array.from({ length: 10 }, (_, i) => sets[i % sets.length]);
  const detectAll = (n) => {
    for (let i = 0; i < n; i++) for (const bars of instruments) sink += detectLevels(bars).levels.length & 1;
  };
  const runNs = measure(detectAll, 20);
  report(`level detection, 10 symbols × (5y 1d + 1y 4h + 90d 1h): ${(runNs / 1e6).toFixed(1)} ms/run`, runNs / instruments.length, undefined, 'recomputes');
}

// --- store ingest (chDB, batched) ---------------------------------------------------------
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-'));
const store = await createChdbStore({ path: dir, logger: silentLogger });
try {
  await store.migrate();
  const BATCH = 100_000;
  const batches = 5;
  const trades = tape.slice(0, BATCH * batches);
  await store.insertTrades(trades.slice(0, 10_000)); // warm up
  const t = process.hrtime.bigint();
  for (let i = 0; i < batches; i++) await store.insertTrades(trades.slice(i * BATCH, (i + 1) * BATCH));
  const ns = Number(process.hrtime.bigint() - t) / (BATCH * batches);
  report(`store ingest, chDB (${batches} batches of ${BATCH} trades)`, ns, floorTrades, 'rows');
} finally {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

// --- print --------------------------------------------------------------------------------
const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));
console.log(`\npricelevel bench — node ${process.version}, ${os.cpus().length} cpus, best of ${ROUNDS} rounds\n`);
console.log('benchmark'.padEnd(72) + 'per second'.padStart(14) + 'ns/op'.padStart(10) + '  × floor');
for (const r of rows) {
  console.log(
    r.name.padEnd(72) + `${fmt(r.perSec)} ${r.unit}`.padStart(14) + r.nsPerOp.toFixed(1).padStart(10) +
      (r.ratio === undefined ? '' : `  ${r.ratio.toFixed(2)}`),
  );
}

// --- latency: each scenario in a process of its own (its own event loop, CPU and memory) -------------------
// ws-fanout.mjs: 1000 WebSocket clients on 10 channels at the demo's rates; e2e-latency.mjs: simulators →
// one-process app → WebSocket. Figures in ms, as measured on this machine in this run.
function runScenario(file) {
  try {
    const out = execFileSync(process.execPath, ['--expose-gc', new URL(file, import.meta.url).pathname, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (err) {
    console.log(`${file} failed: ${err.message}`);
    return undefined;
  }
}
const ms = (s) => `p50 ${s.p50.toFixed(2)}  p99 ${s.p99.toFixed(2)}  max ${s.max.toFixed(1)}  (n ${s.n})`;
console.log('\nlatency (ms)');
const fanout = runScenario('./ws-fanout.mjs');
if (fanout) {
  console.log(
    `WebSocket fan-out, ${fanout.clients} clients × 10 channels, ${fanout.deliveriesPerSecond.toFixed(0)} messages/s: `.padEnd(72) + ms(fanout.latency),
  );
  console.log(
    `  gateway CPU ${fanout.gatewayCpuPct.toFixed(0)}% of a core, RSS ${fanout.rssMb.before} → ${fanout.rssMb.steady} MB, heap ${fanout.heapMb.before} → ${fanout.heapMb.steady} MB, ` +
      `slow clients closed ${fanout.slowCloseCodes.join('/')}, clients missing updates ${fanout.failedClients}`,
  );
}
const e2e = runScenario('./e2e-latency.mjs');
if (e2e) {
  const head = `${e2e.venues} venues, ${e2e.instruments} instruments, ${e2e.framesPerSecond.toFixed(0)} frames/s`;
  console.log(`frame → trade message on the WebSocket, one process (${head}): `.padEnd(72) + ms(e2e.frameToWs));
  console.log('  frame → collector receipt (ms clock)'.padEnd(72) + ms(e2e.frameToCollector));
  console.log(`  app CPU ${e2e.appCpuPct.toFixed(0)}% of a core, RSS ${e2e.rssMb} MB, unmatched trades ${e2e.unmatchedTrades}`);
}

console.log(`\n(sink ${sink & 1})`);

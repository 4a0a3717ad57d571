// Bybit frame → validated book (and trade frame → Trades) cost vs JSON.parse of the same frames (the floor),
// on real captured frames. Build first (npx tsc -b services/collector), then:
//   node services/collector/test/bench/bybit-bench.mjs [rounds]
import { readFileSync } from 'node:fs';
import { BybitBookSync, BybitParser } from '../../dist/index.js';

const load = (rel) => readFileSync(new URL(`../../../../fixtures/${rel}`, import.meta.url), 'utf8').split('\n').filter(Boolean);
const ROUNDS = Number(process.argv[2] ?? 400);
let sink = 0;

// Trades: the real publicTrade frames.
const tradeLines = load('bybit/ws_publicTrade.real.jsonl');
const tradeParser = new BybitParser('perp', [['BTCUSD', 'BTCUSD'], ['LTCUSDT', 'LTCUSDT']]);
function benchTrades(n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += JSON.parse(tradeLines[i % tradeLines.length]).ts & 1;
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const e = tradeParser.parse(tradeLines[i % tradeLines.length], 1);
    sink += e.kind === 'trades' ? e.trades.length : 0;
  }
  const t2 = process.hrtime.bigint();
  return [Number(t1 - t0) / n, Number(t2 - t1) / n];
}

// Depth: the real XRPUSDT orderbook.500 snapshot (untimed) then its 49 deltas, parsed and applied to the
// book with every u check (timed), round after round.
const bookLines = load('orderbook/bybit_linear_XRPUSDT_orderbook500_2024-12-01.real.jsonl');
const [snapshotLine, ...deltaLines] = bookLines;
const bookParser = new BybitParser('perp', [['XRPUSDT', 'XRPUSDT']]);
const nullSink = { book: () => { sink++; }, quality: () => { sink++; }, resubscribe: () => { throw new Error('unexpected gap'); } };
function benchDepth(rounds) {
  let floor = 0n;
  let full = 0n;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (const l of deltaLines) sink += JSON.parse(l).data.u & 1;
    const t1 = process.hrtime.bigint();
    const sync = new BybitBookSync('perp', 'XRPUSDT', nullSink);
    sync.onMessage(bookParser.parse(snapshotLine, 1).book);
    const t2 = process.hrtime.bigint();
    for (const l of deltaLines) {
      const e = bookParser.parse(l, 1);
      if (e.kind !== 'book') throw new Error('parse failed');
      sync.onMessage(e.book);
    }
    const t3 = process.hrtime.bigint();
    if (sync.state !== 'synced' || sync.counters.applied !== deltaLines.length) throw new Error('book not valid');
    floor += t1 - t0;
    full += t3 - t2;
  }
  const n = rounds * deltaLines.length;
  return [Number(floor) / n, Number(full) / n];
}

function report(name, frames, runs) {
  const use = runs.slice(2); // after warm-up
  const j = Math.min(...use.map((x) => x[0]));
  const p = Math.min(...use.map((x) => x[1]));
  console.log(`${name.padEnd(28)} frames=${String(frames).padStart(3)}  JSON.parse ${j.toFixed(0).padStart(6)} ns/frame  → validated ${p.toFixed(0).padStart(6)} ns/frame  ratio ${(p / j).toFixed(2)}`);
  return p / j;
}

const tradeRuns = [];
const depthRuns = [];
for (let k = 0; k < 7; k++) {
  tradeRuns.push(benchTrades(ROUNDS * 250));
  depthRuns.push(benchDepth(ROUNDS));
}
report('bybit publicTrade → Trade', tradeLines.length, tradeRuns);
const depth = report('bybit orderbook delta → book', deltaLines.length, depthRuns);
console.log(`depth target ≤ 2.0× floor: ${depth <= 2 ? 'met' : 'NOT met'}`);
if (sink === 0.5) console.log(sink);

// BingX frame → validated book cost vs the floor (gunzip + JSON.parse of the same bytes; pako for both).
// Build first (npx tsc -b services/collector), then: node services/collector/test/bench/bingx-bench.mjs [rounds]
// Trade: the real captured ETH-USDT @trade frame (gzipped). Depth: a real-protocol incrDepth session
// (`all` + updates) recorded from the BingX simulator, parsed and applied to the book with the
// lastUpdateId check, exactly as the adapter does.
import { readFileSync } from 'node:fs';
import { gzip, ungzip } from 'pako';
import WebSocket from 'ws';
import { BingxSim } from '@pricelevel/exchange-sim';
import { BingxParser, BingxBookSync } from '../../dist/index.js';

const ROUNDS = Number(process.argv[2] ?? 20);
const fixture = (rel) => readFileSync(new URL(`../../../../fixtures/bingx/${rel}`, import.meta.url));
let sink = 0;

async function recordDepthSession(ticks) {
  const sim = await BingxSim.start({ seed: 1, symbols: ['BTCUSDT'], autoTick: false, depthPushMs: 100 });
  const ws = new WebSocket(sim.urls.perpWs);
  const frames = [];
  ws.on('message', (d) => frames.push(Buffer.from(d)));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ id: 'b', reqType: 'sub', dataType: 'BTC-USDT@incrDepth' }));
  while (frames.length < 2) await new Promise((r) => setTimeout(r, 5));
  sim.tick(ticks);
  const want = sim.book('perp', 'BTCUSDT').seq;
  for (;;) {
    const last = frames.at(-1) && JSON.parse(ungzip(frames.at(-1), { to: 'string' }));
    if (last?.data?.lastUpdateId === want) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  ws.close();
  await sim.close();
  return frames.filter((f) => JSON.parse(ungzip(f, { to: 'string' })).data); // drop the ack
}

function best(fn) {
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t));
  }
  return Math.min(...times.slice(Math.min(3, ROUNDS - 1)));
}

function report(name, frames, floorFn, workFn) {
  const floor = best(floorFn) / frames;
  const work = best(workFn) / frames;
  console.log(`${name.padEnd(26)} frames=${String(frames).padStart(5)}  floor ${floor.toFixed(0)} ns/frame  adapter ${work.toFixed(0)} ns/frame  ratio ${(work / floor).toFixed(2)}`);
  return work / floor;
}

const symbols = [{ symbol: 'ETHUSDT', native: 'ETH-USDT' }, { symbol: 'BTCUSDT', native: 'BTC-USDT' }];
const parser = new BingxParser('perp', symbols);

// Trades: the real frame, gzipped as the venue sends it, many times.
const tradeGz = fixture('ws_swap_trade.real.LOCALLY-GZIPPED.bin');
const N = 20_000;
report('trade (real, 23 trades)', N,
  () => { for (let i = 0; i < N; i++) sink += JSON.parse(ungzip(tradeGz, { to: 'string' })).data.length; },
  () => { for (let i = 0; i < N; i++) { const e = parser.parse(tradeGz, 1); sink += e.kind === 'trades' ? e.trades.length : 0; } });

// Depth: parse + lastUpdateId check + apply to the book + BookUpdate out (the sink), per frame.
const depth = await recordDepthSession(4000);
const noop = { book: () => { sink++; }, quality: () => { sink--; }, resubscribe: () => { throw new Error('gap in a recorded session'); } };
const updates = depth.slice(1);
report('incrDepth update → book', updates.length,
  () => { for (const f of updates) sink += JSON.parse(ungzip(f, { to: 'string' })).data.lastUpdateId & 1; },
  (() => {
    return () => {
      const sync = new BingxBookSync('BTCUSDT', 'perp', noop);
      const all = parser.parse(depth[0], 1);
      sync.onDepth(all.depth);
      for (const f of updates) { const e = parser.parse(f, 1); sync.onDepth(e.depth); }
      sink += sync.lastUpdateId & 1;
    };
  })());
const allGz = depth[0];
const M = 200;
report(`incrDepth all (${JSON.parse(ungzip(allGz, { to: 'string' })).data.bids.length}+ levels)`, M,
  () => { for (let i = 0; i < M; i++) sink += JSON.parse(ungzip(allGz, { to: 'string' })).data.lastUpdateId & 1; },
  () => { const sync = new BingxBookSync('BTCUSDT', 'perp', noop); for (let i = 0; i < M; i++) { sync.onDepth(parser.parse(allGz, 1).depth); } sink += sync.epoch; });
console.log(`bytes: trade frame ${tradeGz.length} gz / ${ungzip(tradeGz).length} raw; mean update frame ${(updates.reduce((s, f) => s + f.length, 0) / updates.length).toFixed(0)} gz bytes`);
if (sink === 0.5) console.log(sink, gzip);

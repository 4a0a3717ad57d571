// HTX frame → validated book cost vs the floor (gunzip + JSON.parse of the same gzip frames; HTX
// sends every frame gzip). Real captured frames: trade.detail from the raw gzip capture, mbp.150
// incrementals from the real sequence (re-numbered into one unbroken prevSeqNum chain, re-gzipped).
// Build first (npx tsc -b services/collector), then: node services/collector/test/bench/htx-bench.mjs [N]
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import pako from 'pako';
import { HtxBookSync, HtxParser } from '../../dist/index.js';

const fixture = (name) => readFileSync(new URL(`../../../../fixtures/htx/${name}`, import.meta.url), 'utf8').split('\n').filter(Boolean);
const N = Number(process.argv[2] ?? 100_000);
let sink = 0;

function time(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / N;
}

function bench(name, floorFn, ourFn) {
  const rounds = [];
  for (let r = 0; r < 7; r++) rounds.push([time(floorFn), time(ourFn)]);
  const use = rounds.slice(2); // after warm-up
  const f = Math.min(...use.map((x) => x[0]));
  const o = Math.min(...use.map((x) => x[1]));
  console.log(`${name.padEnd(34)} floor (gunzip+JSON.parse) ${f.toFixed(0).padStart(6)} ns/frame  adapter ${o.toFixed(0).padStart(6)} ns/frame  ratio ${(o / f).toFixed(2)}`);
  return o / f;
}

const floor = (frames) => () => {
  for (let i = 0; i < N; i++) sink += JSON.parse(pako.ungzip(frames[i % frames.length], { to: 'string' })).ts & 1;
};

// trade.detail: the real gzip bytes.
const raw = fixture('ws_raw_gzip_frames.real.b64.jsonl').map((l) => Buffer.from(JSON.parse(l).gzip_b64, 'base64'));
const trades = raw.filter((b) => pako.ungzip(b, { to: 'string' }).includes('trade.detail","ts') && pako.ungzip(b, { to: 'string' }).includes('"tick"'));
const tradeSymbols = [...new Set(trades.map((b) => /market\.([a-z0-9]+)\./.exec(pako.ungzip(b, { to: 'string' }))[1].toUpperCase()))];
const tradeParser = new HtxParser(tradeSymbols);
const tradeRatio = bench(`trade.detail → Trade (${trades.length} frames)`, floor(trades), () => {
  for (let i = 0; i < N; i++) sink += tradeParser.parse(trades[i % trades.length], 1).kind.length;
});

// mbp.150: the real incrementals, chained, applied to a synced book.
const seq = fixture('htx_spot_btcusdt_mbp150_sequence.real-trimmed.jsonl').map((l) => JSON.parse(l));
const incs = seq.filter((m) => m.ch);
const rep = seq.find((m) => m.rep);
const CHAIN = 2000;
const start = rep.data.seqNum;
const mbpFrames = [];
for (let k = 0; k < CHAIN; k++) {
  const m = incs[k % incs.length];
  mbpFrames.push(pako.gzip(JSON.stringify({ ...m, tick: { ...m.tick, seqNum: start + k + 1, prevSeqNum: start + k } })));
}
const mbpParser = new HtxParser(['BTCUSDT']);
let sync;
const resync = () => {
  sync = new HtxBookSync({ symbol: 'BTCUSDT' }, { book: () => sink++, quality: () => sink++, requestRefresh: () => {} });
  sync.onIncremental(mbpParser.parse(mbpFrames[0], 1).update);
  sync.onRefresh({ symbol: 'BTCUSDT', id: '1', seqNum: start, bids: rep.data.bids.map(([price, size]) => ({ price, size })), asks: rep.data.asks.map(([price, size]) => ({ price, size })), ts: 1, receivedTs: 1 }, 1);
};
const depthRatio = bench(`mbp.150 → validated book (${CHAIN} frames)`, floor(mbpFrames), () => {
  resync();
  for (let i = 1; i < N; i++) {
    const k = i % CHAIN;
    if (k === 0) resync();
    else {
      const e = mbpParser.parse(mbpFrames[k], 1);
      sync.onIncremental(e.update);
    }
  }
  if (sync.state !== 'synced') throw new Error('bench chain broke');
});

// depth.step0: full 150-level images (not the collector's book path; for scale).
const step0 = raw.filter((b) => pako.ungzip(b, { to: 'string' }).includes('depth.step0","ts') && pako.ungzip(b, { to: 'string' }).includes('"tick"'));
const depthParser = new HtxParser([...new Set(step0.map((b) => /market\.([a-z0-9]+)\./.exec(pako.ungzip(b, { to: 'string' }))[1].toUpperCase()))]);
bench(`depth.step0 → parsed levels (${step0.length} frames)`, floor(step0), () => {
  for (let i = 0; i < N; i++) sink += depthParser.parse(step0[i % step0.length], 1).kind.length;
});

// For scale: node's native zlib on the same frames (the parser uses pako, as the floor above does).
const zt = time(() => {
  for (let i = 0; i < N; i++) sink += JSON.parse(gunzipSync(mbpFrames[i % CHAIN]).toString('utf8')).ts & 1;
});
console.log(`mbp.150 floor with node:zlib gunzipSync instead of pako: ${zt.toFixed(0)} ns/frame`);
console.log(`target: depth ≤ 2.00× floor → ${depthRatio <= 2 ? 'met' : 'NOT met'} (${depthRatio.toFixed(2)}); trades ${tradeRatio.toFixed(2)}×`);
if (sink === 0.5) console.log(sink);

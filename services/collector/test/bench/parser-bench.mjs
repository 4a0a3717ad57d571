// Normalization cost vs JSON.parse of the same frames (the floor), on real captured frames.
// Build first (npx tsc -b services/collector), then: node services/collector/test/bench/parser-bench.mjs
import { readFileSync } from 'node:fs';
import { BinanceParser } from '../../dist/index.js';

const load = (rel) => readFileSync(new URL(`../../../../fixtures/binance/${rel}`, import.meta.url), 'utf8').split('\n').filter(Boolean);
const N = Number(process.argv[2] ?? 200_000);
let sink = 0;

function time(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / N;
}

function bench(name, lines, market) {
  const parser = new BinanceParser(market, new Set(lines.map((l) => JSON.parse(l).data.s)));
  const json = () => { for (let i = 0; i < N; i++) sink += JSON.parse(lines[i % lines.length]).data.E & 1; };
  const parse = () => { for (let i = 0; i < N; i++) sink += parser.parse(lines[i % lines.length], 1).kind.length; };
  const rounds = [];
  for (let r = 0; r < 7; r++) rounds.push([time(json), time(parse)]);
  const use = rounds.slice(2); // after warm-up
  const j = Math.min(...use.map((x) => x[0]));
  const p = Math.min(...use.map((x) => x[1]));
  console.log(`${name.padEnd(22)} frames=${String(lines.length).padStart(3)}  JSON.parse ${j.toFixed(0)} ns/frame  parser ${p.toFixed(0)} ns/frame  ratio ${(p / j).toFixed(2)}`);
}

bench('perp aggTrade', load('futures_ws_aggTrade.real.jsonl'), 'perp');
bench('spot aggTrade', load('spot_ws_aggTrade.real.jsonl'), 'spot');
bench('perp depthUpdate', load('futures_ws_depthUpdate.real.jsonl'), 'perp');
bench('spot depthUpdate', load('spot_ws_depthUpdate.real.jsonl'), 'spot');
if (sink === 0.5) console.log(sink);

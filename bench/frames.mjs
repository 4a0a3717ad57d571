// Deterministic Binance-format frames for the benchmarks: aggTrade frames and a USDⓈ-M diff-depth
// chain (U/u/pu) over a consistent ~5k-level book, so every frame passes validation.
export function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TICK = 0.1;
const MID_TICKS = 500_000; // mid 50000.0
const px = (ticks) => (ticks * TICK).toFixed(1);

export function tradeFrames(n, seed = 1) {
  const r = prng(seed);
  const out = new Array(n);
  let id = 1_000_000;
  let ts = 1_700_000_000_000;
  for (let i = 0; i < n; i++) {
    ts += Math.floor(r() * 5);
    const f = id * 3;
    const fills = 1 + Math.floor(r() * 3);
    out[i] =
      `{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":${ts + 3},"a":${id++},"s":"BTCUSDT",` +
      `"p":"${px(MID_TICKS + Math.floor(r() * 40) - 20)}","q":"${(r() * 2).toFixed(3)}","f":${f},"l":${f + fills - 1},` +
      `"T":${ts},"m":${r() < 0.5}}}`;
  }
  return out;
}

/** A REST snapshot body with `levels` per side and the diff frames that follow it. */
export function depthChain(nFrames, { levels = 5000, changesPerFrame = 20, seed = 2 } = {}) {
  const r = prng(seed);
  const size = () => (0.001 + r() * 5).toFixed(3);
  const bids = [];
  const asks = [];
  for (let i = 1; i <= levels; i++) {
    bids.push([px(MID_TICKS - i), size()]);
    asks.push([px(MID_TICKS + i), size()]);
  }
  let lastU = 8_000_000_000;
  const snapshot = { lastUpdateId: lastU, E: 1_700_000_000_000, T: 1_700_000_000_000, bids, asks };
  const frames = new Array(nFrames);
  let ts = 1_700_000_000_000;
  for (let i = 0; i < nFrames; i++) {
    const b = [];
    const a = [];
    for (let k = 0; k < changesPerFrame; k++) {
      // Most changes near the top; bids stay below the mid and asks above it, so the book never crosses.
      const depth = 1 + Math.floor(r() * r() * 200);
      const s = r() < 0.15 ? '0.000' : size();
      (k % 2 === 0 ? b : a).push(`["${px(k % 2 === 0 ? MID_TICKS - depth : MID_TICKS + depth)}","${s}"]`);
    }
    const U = lastU + 1;
    const u = U + Math.floor(r() * 30);
    ts += 100;
    frames[i] =
      `{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":${ts},"T":${ts - 2},"s":"BTCUSDT",` +
      `"U":${U},"u":${u},"pu":${lastU},"b":[${b.join(',')}],"a":[${a.join(',')}]}}`;
    lastU = u;
  }
  return { snapshot, frames };
}

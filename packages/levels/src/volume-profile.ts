import type { BarColumns } from './columns.js';

/** A volume-profile node: one log-spaced price bin of one window. */
export interface VolumeNode {
  low: number;
  high: number;
  volume: number;
  poc: boolean;
}

export interface VolumeProfileOptions {
  windowMs: number;
  barMs: number;
  binPct: number;
  nodeFactor: number;
  maxNodes: number;
  minFill: number;
}

/**
 * Point of control and high-volume nodes of each window of bars. Windows are aligned to multiples of
 * `windowMs` since the epoch, so a closed window's profile never changes as bars are appended. Each bar's
 * volume is spread evenly over the log-spaced bins its low–high range covers (bin k = [g^k, g^(k+1)),
 * g = 1 + binPct). A node is a bin that is the largest within ±2 bins and holds ≥ nodeFactor × the mean
 * non-empty bin; the point of control (largest bin) always qualifies. At most maxNodes per window.
 */
export function volumeNodes(bars: BarColumns, o: VolumeProfileOptions): VolumeNode[] {
  const out: VolumeNode[] = [];
  const lnStep = Math.log1p(o.binPct);
  const expected = o.windowMs / o.barMs;
  let start = 0;
  while (start < bars.n) {
    const w = Math.floor(bars.time[start]! / o.windowMs);
    let end = start;
    while (end < bars.n && Math.floor(bars.time[end]! / o.windowMs) === w) end++;
    if (end - start >= o.minFill * expected) profileWindow(bars, start, end, lnStep, o, out);
    start = end;
  }
  return out;
}

function profileWindow(bars: BarColumns, start: number, end: number, lnStep: number, o: VolumeProfileOptions, out: VolumeNode[]): void {
  let kMin = Infinity;
  let kMax = -Infinity;
  for (let i = start; i < end; i++) {
    if (!(bars.low[i]! > 0) || !(bars.volume[i]! > 0)) continue;
    kMin = Math.min(kMin, Math.floor(Math.log(bars.low[i]!) / lnStep));
    kMax = Math.max(kMax, Math.floor(Math.log(bars.high[i]!) / lnStep));
  }
  if (!(kMax >= kMin)) return;
  const bins = new Float64Array(kMax - kMin + 1);
  for (let i = start; i < end; i++) {
    const v = bars.volume[i]!;
    if (!(bars.low[i]! > 0) || !(v > 0)) continue;
    const a = Math.floor(Math.log(bars.low[i]!) / lnStep) - kMin;
    const b = Math.floor(Math.log(bars.high[i]!) / lnStep) - kMin;
    const share = v / (b - a + 1);
    for (let k = a; k <= b; k++) bins[k]! += share;
  }
  let total = 0;
  let filled = 0;
  let poc = 0;
  for (let k = 0; k < bins.length; k++) {
    if (bins[k]! > 0) {
      total += bins[k]!;
      filled++;
    }
    if (bins[k]! > bins[poc]!) poc = k;
  }
  const threshold = o.nodeFactor * (total / filled);
  const nodes: number[] = [];
  for (let k = 0; k < bins.length; k++) {
    const v = bins[k]!;
    if (k !== poc && v < threshold) continue;
    let isMax = true;
    for (let d = -2; d <= 2 && isMax; d++) {
      const j = k + d;
      if (d !== 0 && j >= 0 && j < bins.length && (bins[j]! > v || (bins[j]! === v && j < k))) isMax = false;
    }
    if (isMax || k === poc) nodes.push(k);
  }
  nodes.sort((x, y) => bins[y]! - bins[x]! || x - y);
  for (const k of nodes.slice(0, o.maxNodes)) {
    out.push({ low: Math.exp((k + kMin) * lnStep), high: Math.exp((k + kMin + 1) * lnStep), volume: bins[k]!, poc: k === poc });
  }
}

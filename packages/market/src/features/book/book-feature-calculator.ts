import type { BookFeatures, BookSnapshot } from '@pricelevel/contracts';
import { BOOK_SNAPSHOT_MAX_DEPTH } from './book-snapshot.js';

/** Seconds kept: the value at t−30 s is the oldest any feature needs. */
const RING = 31;
/** 1 s changes a volatility is taken over. */
const VOL_WINDOW = 30;
const TOP_N = 10;

/** 1/(i+1) for the level weights, so the per-level loop does not divide. */
const INV_RANK = new Float64Array(BOOK_SNAPSHOT_MAX_DEPTH);
for (let i = 0; i < INV_RANK.length; i++) INV_RANK[i] = 1 / (i + 1);

// Slots of the per-side result scratch.
const VOLUME = 0;
const TOP10 = 1;
const PRESSURE = 2;
const PRICE_MEAN = 3;
const PRICE_STD = 4;
const SIZE_MEAN = 5;
const SIZE_STD = 6;

/**
 * One pass over a side's levels: volume, top-10 volume, pressure and the price and size mean and
 * population std. Moments are taken about the best level's values (the shifted-data form), so prices
 * near 60 000 with cent ticks keep their precision.
 */
function sidePass(prices: readonly number[], sizes: readonly number[], n: number, mid: number, out: Float64Array): void {
  if (n === 0) {
    out[VOLUME] = 0;
    out[TOP10] = 0;
    out[PRESSURE] = NaN;
    out[PRICE_MEAN] = out[PRICE_STD] = out[SIZE_MEAN] = out[SIZE_STD] = NaN;
    return;
  }
  const p0 = prices[0] as number;
  const q0 = sizes[0] as number;
  const invMid = 1 / mid;
  let vol = 0;
  let pressure = 0;
  let dp = 0;
  let dp2 = 0;
  let dq2 = 0;
  // No branches in the loop: the top-10 sum is a separate short loop below.
  for (let i = 0; i < n; i++) {
    const p = prices[i] as number;
    const q = sizes[i] as number;
    vol += q;
    pressure += q * (INV_RANK[i] as number) * (1 - Math.abs(p - mid) * invMid);
    const a = p - p0;
    dp += a;
    dp2 += a * a;
    const b = q - q0;
    dq2 += b * b;
  }
  const m = n < TOP_N ? n : TOP_N;
  let top = 0;
  for (let i = 0; i < m; i++) top += sizes[i] as number;
  const mp = dp / n;
  const mq = vol / n - q0;
  const vp = dp2 / n - mp * mp;
  const vq = dq2 / n - mq * mq;
  out[VOLUME] = vol;
  out[TOP10] = top;
  out[PRESSURE] = pressure;
  out[PRICE_MEAN] = p0 + mp;
  out[PRICE_STD] = Math.sqrt(vp > 0 ? vp : 0);
  out[SIZE_MEAN] = vol / n;
  out[SIZE_STD] = Math.sqrt(vq > 0 ? vq : 0);
}

/** Population std of the 30 ring values of the seconds t−29 … t, i.e. every slot but `skip` (t−30's). */
function windowStd(values: Float64Array, skip: number): number {
  let sum = 0;
  for (let j = 0; j < RING; j++) if (j !== skip) sum += values[j] as number;
  const mean = sum / VOL_WINDOW;
  let ss = 0;
  for (let j = 0; j < RING; j++) {
    if (j === skip) continue;
    const d = (values[j] as number) - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / VOL_WINDOW);
}

/**
 * The order-book features of one instrument, one snapshot per second. Keeps the last 31 seconds of the
 * values the changes and volatilities need in fixed rings keyed by second, so a missing second reads
 * as missing (NaN), never as the row before it. Deterministic: the output depends only on the
 * snapshots given, so a recompute from stored snapshots reproduces the live values.
 */
export class BookFeatureCalculator {
  private readonly bid = new Float64Array(7);
  private readonly ask = new Float64Array(7);
  // Per slot (second mod 31): the second it holds, the level values, and the 1 s changes into it.
  private readonly sec = new Float64Array(RING).fill(NaN);
  private readonly mid = new Float64Array(RING);
  private readonly spreadPct = new Float64Array(RING);
  private readonly imbalance = new Float64Array(RING);
  private readonly buy = new Float64Array(RING);
  private readonly sell = new Float64Array(RING);
  private readonly net = new Float64Array(RING);
  private readonly dMid = new Float64Array(RING);
  private readonly dSpread = new Float64Array(RING);
  private readonly dImbalance = new Float64Array(RING);
  private readonly dBuy = new Float64Array(RING);
  private readonly dSell = new Float64Array(RING);
  private readonly dNet = new Float64Array(RING);
  private lastSec = -Infinity;
  /** Consecutive seconds present up to and including the last one. */
  private run = 0;
  private exchange: string | undefined;
  private market = '';
  private symbol = '';

  next(s: BookSnapshot): BookFeatures {
    const ts = s.ts;
    // ts / 1000 is exact for a whole second and far from an integer otherwise (ts < 2^53).
    const sec = ts / 1000;
    if (!Number.isInteger(sec)) throw new RangeError(`snapshot ts must be a whole second in ms, got ${ts}`);
    if (sec <= this.lastSec) throw new RangeError(`snapshot ts ${ts} is not after the previous ${this.lastSec * 1000}`);
    this.checkInstrument(s);
    const nb = s.bidPrices.length;
    const na = s.askPrices.length;
    if (s.bidSizes.length !== nb || s.askSizes.length !== na) {
      throw new RangeError(`snapshot at ${ts}: prices and sizes differ in length`);
    }
    if (nb > BOOK_SNAPSHOT_MAX_DEPTH || na > BOOK_SNAPSHOT_MAX_DEPTH) {
      throw new RangeError(`snapshot at ${ts}: ${nb}/${na} levels, at most ${BOOK_SNAPSHOT_MAX_DEPTH} per side`);
    }

    const bestBid = nb > 0 ? (s.bidPrices[0] as number) : NaN;
    const bestAsk = na > 0 ? (s.askPrices[0] as number) : NaN;
    const mid = (bestBid + bestAsk) / 2;
    const spread = bestAsk - bestBid;
    const spreadPct = (spread / mid) * 100;
    const bid = this.bid;
    const ask = this.ask;
    sidePass(s.bidPrices, s.bidSizes, nb, mid, bid);
    sidePass(s.askPrices, s.askSizes, na, mid, ask);
    const buy = bid[PRESSURE] as number;
    const sell = ask[PRESSURE] as number;
    const net = buy - sell;
    const bidVolume = bid[VOLUME] as number;
    const askVolume = ask[VOLUME] as number;
    const imbalance = (bidVolume - askVolume) / (bidVolume + askVolume);

    this.run = sec - 1 === this.lastSec ? this.run + 1 : 1;
    this.lastSec = sec;
    // One modulo per call; the earlier slots follow from it.
    const slot = ((sec % RING) + RING) % RING;
    const s1 = this.slotAt(slot < 1 ? slot + RING - 1 : slot - 1, sec - 1);
    const s5 = this.slotAt(slot < 5 ? slot + RING - 5 : slot - 5, sec - 5);
    const skip = slot === RING - 1 ? 0 : slot + 1; // t−30's slot, the one after t's
    const s30 = this.slotAt(skip, sec - 30);

    const dMid = s1 < 0 ? NaN : (mid / (this.mid[s1] as number) - 1) * 100;
    const dSpread = s1 < 0 ? NaN : spreadPct - (this.spreadPct[s1] as number);
    const dImbalance = s1 < 0 ? NaN : imbalance - (this.imbalance[s1] as number);
    const dBuy = s1 < 0 ? NaN : buy - (this.buy[s1] as number);
    const dSell = s1 < 0 ? NaN : sell - (this.sell[s1] as number);
    const dNet = s1 < 0 ? NaN : net - (this.net[s1] as number);

    this.sec[slot] = sec;
    this.mid[slot] = mid;
    this.spreadPct[slot] = spreadPct;
    this.imbalance[slot] = imbalance;
    this.buy[slot] = buy;
    this.sell[slot] = sell;
    this.net[slot] = net;
    this.dMid[slot] = dMid;
    this.dSpread[slot] = dSpread;
    this.dImbalance[slot] = dImbalance;
    this.dBuy[slot] = dBuy;
    this.dSell[slot] = dSell;
    this.dNet[slot] = dNet;

    // The 30 changes at t−29 … t need every second t−30 … t.
    const full = this.run >= RING;

    return {
      exchange: s.exchange,
      market: s.market,
      symbol: s.symbol,
      ts,
      resyncing: s.resyncing,
      bidLevels: nb,
      askLevels: na,
      midPrice: mid,
      spread,
      spreadPct,
      buyPressure: buy,
      sellPressure: sell,
      netPressure: net,
      pressureRatio: sell === 0 ? NaN : buy / sell,
      totalPressure: buy + sell,
      bidVolume,
      askVolume,
      volumeImbalance: imbalance,
      bidPriceMean: bid[PRICE_MEAN] as number,
      bidPriceStd: bid[PRICE_STD] as number,
      askPriceMean: ask[PRICE_MEAN] as number,
      askPriceStd: ask[PRICE_STD] as number,
      bidSizeMean: bid[SIZE_MEAN] as number,
      bidSizeStd: bid[SIZE_STD] as number,
      askSizeMean: ask[SIZE_MEAN] as number,
      askSizeStd: ask[SIZE_STD] as number,
      bidTop10Concentration: (bid[TOP10] as number) / bidVolume,
      askTop10Concentration: (ask[TOP10] as number) / askVolume,
      priceChange1s: dMid,
      priceChange5s: s5 < 0 ? NaN : (mid / (this.mid[s5] as number) - 1) * 100,
      priceChange30s: s30 < 0 ? NaN : (mid / (this.mid[s30] as number) - 1) * 100,
      priceVolatility30s: full ? windowStd(this.dMid, skip) : NaN,
      spreadChange1s: dSpread,
      spreadChange5s: s5 < 0 ? NaN : spreadPct - (this.spreadPct[s5] as number),
      spreadVolatility30s: full ? windowStd(this.dSpread, skip) : NaN,
      imbalanceChange1s: dImbalance,
      imbalanceChange5s: s5 < 0 ? NaN : imbalance - (this.imbalance[s5] as number),
      imbalanceVolatility30s: full ? windowStd(this.dImbalance, skip) : NaN,
      buyPressureChange1s: dBuy,
      sellPressureChange1s: dSell,
      netPressureChange1s: dNet,
      buyPressureVolatility30s: full ? windowStd(this.dBuy, skip) : NaN,
      sellPressureVolatility30s: full ? windowStd(this.dSell, skip) : NaN,
      netPressureVolatility30s: full ? windowStd(this.dNet, skip) : NaN,
    };
  }

  /** `slot` when it holds second `sec`, −1 when that second was not seen (or has left the ring). */
  private slotAt(slot: number, sec: number): number {
    return this.sec[slot] === sec ? slot : -1;
  }

  /** One calculator serves one instrument: mixing two would silently blend their histories. */
  private checkInstrument(s: BookSnapshot): void {
    if (this.exchange === undefined) {
      this.exchange = s.exchange;
      this.market = s.market;
      this.symbol = s.symbol;
    } else if (s.exchange !== this.exchange || s.market !== this.market || s.symbol !== this.symbol) {
      throw new Error(
        `book features of ${this.exchange}:${this.market}:${this.symbol} were given a snapshot of ${s.exchange}:${s.market}:${s.symbol}`,
      );
    }
  }
}

import { PositionSide, Side, type BookSnapshot, type Liquidation, type OrderFlow, type Trade } from '@pricelevel/contracts';
import { absorption } from './absorption.js';
import { CascadeTracker } from './cascade.js';
import {
  MAX_OPEN_SECONDS,
  SECOND_MS,
  resolveFlowOptions,
  type OrderFlowOptions,
  type ResolvedFlowOptions,
} from './flow-options.js';
import { orderFlowMessage } from './flow-message.js';
import { FlowTotals } from './flow-totals.js';
import { IntervalRollup, type SecondContext } from './interval-rollup.js';
import { RollingWindow, zScore } from './rolling-window.js';
import { SecondBuffer, foldSecond } from './second-buffer.js';
import { WallTracker, findWalls } from './walls.js';

const DAY_MS = 86_400_000;
// Series of the rolling window.
const ABS_RETURN = 0;
const VOLUME = 1;
const ABS_DELTA = 2;
const ABS_MOVE = 3;

export interface OrderFlowDropped {
  /** Trades never folded: their second was already closed or skipped, the buffer was full, or malformed. */
  lateTrades: number;
  /** Liquidations never folded: as for trades, plus those received after their second's deadline. */
  lateLiquidations: number;
}

function validTrade(t: Trade): boolean {
  return (
    Number.isFinite(t.exchangeTs) &&
    Number.isFinite(t.receivedTs) &&
    Number.isFinite(t.price) &&
    t.price > 0 &&
    Number.isFinite(t.size) &&
    t.size >= 0
  );
}

function validLiquidation(l: Liquidation): boolean {
  const known =
    l.liquidatedPosition === PositionSide.POSITION_SIDE_LONG ||
    l.liquidatedPosition === PositionSide.POSITION_SIDE_SHORT ||
    l.side === Side.SIDE_BUY ||
    l.side === Side.SIDE_SELL;
  return (
    known &&
    Number.isFinite(l.exchangeTs) &&
    Number.isFinite(l.receivedTs) &&
    Number.isFinite(l.price) &&
    l.price > 0 &&
    Number.isFinite(l.size) &&
    l.size >= 0
  );
}

/**
 * The order flow of one instrument, second by second and per candle interval. Inputs are buffered by
 * the second of their exchange time; closeSecond folds a second in a canonical order, so the same calls
 * give bit-identical output whatever order the inputs of each second arrived in. Time is only ever the
 * snapshots' ts: the engine never reads a clock.
 */
export class OrderFlowEngine {
  private readonly o: ResolvedFlowOptions;
  private readonly open = new Map<number, SecondBuffer>();
  /** End of the last closed second (NaN before the first). */
  private closedUntil = NaN;
  private close = NaN;
  private cumulativeDay = NaN;
  private cumulativeDelta = 0;
  private readonly window: RollingWindow;
  private readonly cascade = new CascadeTracker();
  private readonly bidWalls = new WallTracker(true);
  private readonly askWalls = new WallTracker(false);
  private readonly scratch = new Float64Array(100);
  private readonly rollups: IntervalRollup[];
  private droppedTrades = 0;
  private droppedLiquidations = 0;

  constructor(opts: OrderFlowOptions) {
    this.o = resolveFlowOptions(opts);
    this.window = new RollingWindow(this.o.zWindowS, 4);
    this.rollups = this.o.intervals.map((i) => new IntervalRollup(i, this.o));
  }

  /** Buffers a trade for its second; false when it is dropped (counted in `dropped`). */
  addTrade(t: Trade): boolean {
    const buf = validTrade(t) ? this.bufferFor(t.exchangeTs) : undefined;
    if (buf === undefined) {
      this.droppedTrades++;
      return false;
    }
    buf.trades.push(t);
    return true;
  }

  /** Buffers a liquidation for its second; false when it is dropped (counted in `dropped`). */
  addLiquidation(l: Liquidation): boolean {
    const buf = validLiquidation(l) ? this.bufferFor(l.exchangeTs) : undefined;
    if (buf === undefined) {
      this.droppedLiquidations++;
      return false;
    }
    buf.liquidations.push(l);
    return true;
  }

  get dropped(): OrderFlowDropped {
    return { lateTrades: this.droppedTrades, lateLiquidations: this.droppedLiquidations };
  }

  /**
   * Closes the second [snapshot.ts − 1 s, snapshot.ts) with its end-of-second book: returns the "1s"
   * flow, then the flow of every configured interval whose bucket ends at snapshot.ts. Seconds close in
   * strictly increasing order; skipped seconds emit nothing and their buffered inputs are dropped.
   */
  closeSecond(snapshot: BookSnapshot): OrderFlow[] {
    const ts = snapshot.ts;
    if (!Number.isInteger(ts) || ts % SECOND_MS !== 0) {
      throw new RangeError(`order flow: snapshot ts ${ts} is not a whole second`);
    }
    if (ts <= this.closedUntil) {
      throw new RangeError(`order flow: second ending ${ts} is not after the last closed one (${this.closedUntil})`);
    }
    const { exchange, market, symbol } = this.o;
    if (snapshot.exchange !== exchange || snapshot.market !== market || snapshot.symbol !== symbol) {
      throw new RangeError(`order flow: snapshot of ${snapshot.exchange}:${snapshot.market}:${snapshot.symbol}, engine of ${exchange}:${market}:${symbol}`);
    }
    const start = ts - SECOND_MS;
    const gap = !Number.isNaN(this.closedUntil) && start !== this.closedUntil;
    this.closedUntil = ts;
    for (const [s, b] of this.open) {
      if (s >= start) continue;
      this.droppedTrades += b.trades.length;
      this.droppedLiquidations += b.liquidations.length;
      this.open.delete(s);
    }

    const t = new FlowTotals(1, this.o.liquidationCompleteness);
    const buf = this.open.get(start);
    if (buf !== undefined) {
      this.open.delete(start);
      this.droppedLiquidations += foldSecond(buf, ts + this.o.latenessMs, t);
    }

    const c = this.secondContext(start / SECOND_MS, t, snapshot, gap);
    const out = [
      orderFlowMessage(this.o, '1s', start, ts, t, {
        ...c,
        absorption: absorption(t.delta, c.close - c.ref, c.meanAbsDelta, c.meanAbsMove),
      }),
    ];
    for (const r of this.rollups) {
      const f = r.add(start, t, c);
      if (f !== undefined) out.push(f);
    }
    return out;
  }

  private bufferFor(exchangeTs: number): SecondBuffer | undefined {
    const start = Math.floor(exchangeTs / SECOND_MS) * SECOND_MS;
    if (start < this.closedUntil) return undefined;
    let b = this.open.get(start);
    if (b === undefined) {
      if (this.open.size >= MAX_OPEN_SECONDS) return undefined;
      b = new SecondBuffer();
      this.open.set(start, b);
    }
    return b;
  }

  /** Advances the rolling state by one closed second; adds its wall endings to `t`. */
  private secondContext(second: number, t: FlowTotals, snap: BookSnapshot, gap: boolean): SecondContext {
    const prevClose = this.close;
    if (!Number.isNaN(t.lastPrice)) this.close = t.lastPrice;
    const close = this.close;
    const move = close - prevClose; // NaN until a price is known before this second
    const absReturn = Math.abs(move) / prevClose;

    const w = this.window;
    const returns = w.stats(second, ABS_RETURN);
    const volumes = w.stats(second, VOLUME);
    const volatilityZ = zScore(absReturn, returns);
    const volumeZ = zScore(t.volume, volumes);
    const meanAbsDelta = w.stats(second, ABS_DELTA).mean;
    const meanAbsMove = w.stats(second, ABS_MOVE).mean;
    w.push(second, absReturn, t.volume, Math.abs(t.delta), Math.abs(move));

    const day = Math.floor((second * SECOND_MS) / DAY_MS);
    if (day !== this.cumulativeDay) {
      this.cumulativeDay = day;
      this.cumulativeDelta = 0;
    }
    this.cumulativeDelta += t.delta;

    const cascade = this.cascade.step(second, t.liquidatedLong + t.liquidatedShort, t.notional);

    const bid = findWalls(snap.bidPrices, snap.bidSizes, true, this.o.wallMultiple, this.scratch);
    const ask = findWalls(snap.askPrices, snap.askSizes, false, this.o.wallMultiple, this.scratch);
    // Across a gap nothing is known of what happened to the walls: follow them afresh.
    if (gap) {
      this.bidWalls.clear();
      this.askWalls.clear();
    }
    // A resyncing book shows stale levels: walls neither start nor end on it.
    if (!snap.resyncing) {
      this.bidWalls.update(snap.ts, bid, t.minSellPrice, t);
      this.askWalls.update(snap.ts, ask, t.maxBuyPrice, t);
    }
    const bestBid = snap.bidPrices[0];
    const bestAsk = snap.askPrices[0];
    const mid = bestBid !== undefined && bestAsk !== undefined ? (bestBid + bestAsk) / 2 : NaN;

    return {
      close,
      ref: Number.isNaN(prevClose) ? t.firstPrice : prevClose,
      meanAbsDelta,
      meanAbsMove,
      cumulativeDelta: this.cumulativeDelta,
      absorption: NaN,
      bid,
      ask,
      mid,
      volatilityZ,
      volumeZ,
      // Panic needs both a volatility and a volume spike (product of the positive parts).
      panicIndex: Math.max(0, volatilityZ) * Math.max(0, volumeZ),
      cascadeIntensity: cascade.intensity,
      cascadeExhaustion: cascade.exhaustion,
    };
  }
}

import { Prng } from './prng.js';
import { SimBook, type BookSideName } from './sim-book.js';
import { priceNum, priceStr, qtyNum, qtyStr, toTicks, type SymbolSpec } from './symbol-spec.js';

/** One aggregated trade as sent on `<sym>@aggTrade` (and kept for klines / REST aggTrades). */
export interface SimTrade {
  aggId: number;
  price: number;
  qty: number;
  firstId: number;
  lastId: number;
  time: number;
  isBuyerMaker: boolean;
  priceStr: string;
  qtyStr: string;
}

/** A forced (liquidation) order, in venue terms: S=SELL means a long position was liquidated. */
export interface SimLiquidation {
  side: 'BUY' | 'SELL';
  qtyUnits: number;
  bankruptcyUnits: number;
  avgPriceStr: string;
  lastFillUnits: number;
  time: number;
}

/** Level changes of one tick with their update-id range (U = previous u + 1, u ≥ U). */
export interface TickDepth {
  U: number;
  u: number;
  bids: [number, number][];
  asks: [number, number][];
}

export interface StepResult {
  trades: SimTrade[];
  depth: TickDepth | null;
  liquidation: SimLiquidation | null;
}

export interface InstrumentOptions {
  spec: SymbolSpec;
  rng: Prng;
  startPrice: number;
  tradesPerSecond: number;
  tickMs: number;
  /** Mean liquidations per second (perp only; 0 = none). */
  liquidationsPerSecond: number;
}

const MIN_LEVELS = 100;
const MAX_LEVELS = 300;

/**
 * A seeded, deterministic market for one instrument: a latent fair price random-walks, takers trade
 * toward it (consuming book liquidity, which moves the price), makers replenish and reshuffle levels.
 * Nothing here reads a clock: `now` is passed in, so the same seed and tick count give the same market.
 */
export class InstrumentSim {
  readonly spec: SymbolSpec;
  readonly book = new SimBook();
  readonly trades: SimTrade[] = [];
  lastUpdateId: number;
  /** Simulated open interest, in quantity units. */
  openInterestUnits: number;
  private readonly rng: Prng;
  private fair: number;
  private nextAggId: number;
  private nextTradeId: number;
  private readonly baseLots: number;
  private readonly opts: InstrumentOptions;
  readonly startPriceUnits: number;

  constructor(opts: InstrumentOptions) {
    this.opts = opts;
    this.spec = opts.spec;
    this.rng = opts.rng;
    const s = this.spec;
    this.lastUpdateId = this.rng.int(1_000_000_000, 9_000_000_000);
    this.nextAggId = this.rng.int(10_000_000, 900_000_000);
    this.nextTradeId = this.nextAggId + this.rng.int(10_000_000, 900_000_000);
    // A typical level holds ~$20k of notional; at least one lot.
    const qtyPerLevel = 20_000 / Math.max(opts.startPrice, 1e-8);
    this.baseLots = Math.max(1, Math.round((qtyPerLevel * 10 ** s.qtyDecimals) / s.lotUnits));
    this.openInterestUnits = this.baseLots * s.lotUnits * this.rng.int(20_000, 60_000);
    this.startPriceUnits = toTicks(s, opts.startPrice);
    this.fair = this.startPriceUnits;
    this.seedBook();
    this.book.takeChanges(); // the initial book is the baseline, not an update
  }

  private lots(scale: number): number {
    return (
      Math.max(1, Math.round(this.baseLots * scale * Math.exp(this.rng.normal() * 0.7))) * this.spec.lotUnits
    );
  }

  private seedBook(): void {
    const t = this.spec.tickUnits;
    const bestBid = this.startPriceUnits;
    for (const side of ['bid', 'ask'] as BookSideName[]) {
      const n = this.rng.int(160, 240);
      let dist = 0;
      for (let i = 0; i < n; i++) {
        dist += 1 + (i > 15 ? this.rng.int(0, 2) : 0);
        const price = side === 'bid' ? bestBid - (dist - 1) * t : bestBid + dist * t;
        if (price <= 0) break;
        this.book.set(side, price, this.lots(1 + i / 60));
      }
    }
  }

  mid(): number {
    const b = this.book.bestBid();
    const a = this.book.bestAsk();
    if (b === undefined || a === undefined) return this.fair;
    return (a + b) / 2;
  }

  midPrice(): number {
    return priceNum(this.spec, this.mid());
  }

  /** Advance one tick. */
  step(now: number): StepResult {
    const t = this.spec.tickUnits;
    const vol = 0.00003 * Math.sqrt(this.opts.tickMs / 100);
    this.fair = Math.max(t * 10, this.fair * Math.exp(vol * this.rng.normal()));
    const trades: SimTrade[] = [];
    const n = this.rng.poisson((this.opts.tradesPerSecond * this.opts.tickMs) / 1000);
    for (let i = 0; i < n; i++) {
      const edge = (this.fair - this.mid()) / (t * 4);
      const buy = this.rng.chance(0.5 + 0.45 * Math.tanh(edge));
      this.takeLiquidity(buy, this.lots(this.rng.chance(0.05) ? 3 : 0.3), now, trades);
    }
    let liquidation: SimLiquidation | null = null;
    if (
      this.opts.liquidationsPerSecond > 0 &&
      this.rng.chance((this.opts.liquidationsPerSecond * this.opts.tickMs) / 1000)
    ) {
      liquidation = this.liquidate(now, trades);
    }
    this.replenish();
    this.moveOpenInterest(trades);
    let depth: TickDepth | null = null;
    if (this.book.hasChanges()) {
      const ch = this.book.takeChanges();
      const U = this.lastUpdateId + 1;
      // Binance ids count every internal update (other symbols, RPI…), so u − U is usually large.
      let u = U - 1;
      for (let k = ch.bids.length + ch.asks.length; k > 0; k--) u += 1 + this.rng.int(0, 3);
      this.lastUpdateId = u;
      depth = { U, u, bids: ch.bids, asks: ch.asks };
    }
    return { trades, depth, liquidation };
  }

  /** A taker order sweeping the opposite side; one aggTrade per price level touched. */
  private takeLiquidity(buy: boolean, qtyUnits: number, now: number, out: SimTrade[]): void {
    const side: BookSideName = buy ? 'ask' : 'bid';
    const s = this.book.side(side);
    let remaining = qtyUnits;
    // Never empty a side completely: keep the book two-sided.
    while (remaining > 0 && s.prices.length > 1) {
      const price = s.prices[0]!;
      const have = s.qty.get(price)!;
      const fill = Math.min(have, remaining);
      remaining -= fill;
      this.book.set(side, price, have - fill);
      const fills = Math.min(fill / this.spec.lotUnits, this.rng.int(1, 4));
      const firstId = this.nextTradeId;
      this.nextTradeId += fills;
      const trade: SimTrade = {
        aggId: this.nextAggId++,
        price: priceNum(this.spec, price),
        qty: qtyNum(this.spec, fill),
        firstId,
        lastId: firstId + fills - 1,
        time: now,
        isBuyerMaker: !buy,
        priceStr: priceStr(this.spec, price),
        qtyStr: qtyStr(this.spec, fill),
      };
      out.push(trade);
      this.trades.push(trade);
    }
  }

  private liquidate(now: number, trades: SimTrade[]): SimLiquidation {
    // Price below fair → longs get liquidated (forced SELL), and vice versa.
    const sell = this.rng.chance(this.mid() < this.fair ? 0.7 : 0.3);
    const before = trades.length;
    const qty = this.lots(this.rng.next() * 2);
    this.takeLiquidity(!sell, qty, now, trades);
    const fills = trades.slice(before);
    let notional = 0n;
    let filled = 0n;
    for (const f of fills) {
      const p = BigInt(Math.round(f.price * 10 ** this.spec.priceDecimals));
      const q = BigInt(Math.round(f.qty * 10 ** this.spec.qtyDecimals));
      notional += p * q;
      filled += q;
    }
    const avgUnits = filled > 0n ? Number(notional / filled) : this.mid();
    const t = this.spec.tickUnits;
    const off = 1 + this.rng.next() * 0.02;
    const bankrupt = sell ? Math.floor(avgUnits / off / t) * t : Math.ceil((avgUnits * off) / t) * t;
    const last = fills[fills.length - 1];
    return {
      side: sell ? 'SELL' : 'BUY',
      qtyUnits: Number(filled),
      bankruptcyUnits: Math.max(t, bankrupt),
      avgPriceStr: priceStr(this.spec, avgUnits),
      lastFillUnits: last ? Math.round(last.qty * 10 ** this.spec.qtyDecimals) : 0,
      time: now,
    };
  }

  /** Makers: quote around fair, close wide spreads, reshuffle a few levels, keep 100–300 levels per side. */
  private replenish(): void {
    const t = this.spec.tickUnits;
    const b = this.book;
    // How many ticks fair moves per tick: quotes spread over a few of those.
    const scale = Math.max(3, (this.fair * 0.00003 * Math.sqrt(this.opts.tickMs / 100)) / t);
    for (const side of ['bid', 'ask'] as BookSideName[]) {
      // New quotes a few ticks from fair (fills holes near the top after sweeps).
      for (let k = this.rng.int(2, 4); k > 0; k--) {
        const away = Math.floor(Math.abs(this.rng.normal()) * scale);
        const p =
          side === 'bid' ? Math.floor(this.fair / t) * t - away * t : Math.ceil(this.fair / t) * t + away * t;
        const opp = side === 'bid' ? b.bestAsk() : b.bestBid();
        const crosses = opp !== undefined && (side === 'bid' ? p >= opp : p <= opp);
        if (p > 0 && !crosses && b.qty(side, p) === 0) b.set(side, p, this.lots(0.5 + away / (10 * scale)));
      }
      const best = side === 'bid' ? b.bestBid() : b.bestAsk();
      const opp = side === 'bid' ? b.bestAsk() : b.bestBid();
      if (best === undefined || opp === undefined) continue;
      const gap = Math.abs(opp - best) / t;
      if (gap > 1 && this.rng.chance(0.5)) {
        const step = Math.min(gap - 1, this.rng.int(1, Math.max(1, Math.ceil(gap / 3))));
        b.set(side, side === 'bid' ? best + step * t : best - step * t, this.lots(0.5));
      }
    }
    const edits = this.rng.int(2, 6);
    for (let i = 0; i < edits; i++) {
      const side: BookSideName = this.rng.chance(0.5) ? 'bid' : 'ask';
      const s = b.side(side);
      const idx = Math.min(s.prices.length - 1, Math.floor(Math.abs(this.rng.normal()) * 25));
      const price = s.prices[idx];
      if (price === undefined) continue;
      const r = this.rng.next();
      if (r < 0.45) b.set(side, price, this.lots(1 + idx / 60));
      else if (r < 0.7 && idx > 0 && s.prices.length > MIN_LEVELS) b.set(side, price, 0);
      else {
        // New level one tick further out than an existing one, if that price is free.
        const p = side === 'bid' ? price - t : price + t;
        if (p > 0 && b.qty(side, p) === 0) b.set(side, p, this.lots(1 + idx / 60));
      }
    }
    for (const side of ['bid', 'ask'] as BookSideName[]) {
      const s = b.side(side);
      while (s.prices.length < MIN_LEVELS + 50) {
        const far = s.prices[s.prices.length - 1]!;
        const p = side === 'bid' ? far - this.rng.int(1, 3) * t : far + this.rng.int(1, 3) * t;
        if (p <= 0) break;
        b.set(side, p, this.lots(1 + s.prices.length / 60));
      }
      while (s.prices.length > MAX_LEVELS - 20) b.set(side, s.prices[s.prices.length - 1]!, 0);
    }
  }

  private moveOpenInterest(trades: SimTrade[]): void {
    for (const tr of trades) {
      const q = Math.round(tr.qty * 10 ** this.spec.qtyDecimals);
      const d = this.rng.chance(0.5) ? q : -q;
      this.openInterestUnits = Math.max(this.spec.lotUnits, this.openInterestUnits + d);
    }
  }
}

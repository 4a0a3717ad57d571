import { INTERVALS, Side, type Candle, type Trade } from '@pricelevel/contracts';
import { CandleAcc } from './candle-acc.js';
import {
  MINUTE_MS,
  ROLLUP_INTERVALS,
  emptyStats,
  resolveSettings,
  type CandleBuilderOptions,
  type CandleBuilderStats,
  type CandleSink,
} from './candle-options.js';
import { MinuteRing, VersionRing } from './minute-ring.js';
import { productError, sumError } from './exact-sum.js';

const BUY = Side.SIDE_BUY;
const DAY_MS = INTERVALS['1d'];
const ROLLUP_MS = ROLLUP_INTERVALS.map((k) => INTERVALS[k]);

/**
 * Folds one instrument's trades into 1m candles and rolls them up to 5m…1d (event time).
 *
 * One builder per instrument keeps the hot path free of lookups: `onTrade` for a trade in the open
 * minute only updates a dozen numeric fields. Everything else (closing, flat fill, roll-ups, late
 * corrections, partial emission) happens at most once per minute, per late trade or per clock tick.
 * See `CandleBuilders` for routing many instruments.
 */
export class CandleBuilder {
  readonly exchange: string;
  readonly market: string;
  readonly symbol: string;

  private readonly sink: CandleSink;
  private readonly onSinkError: CandleBuilderOptions['onSinkError'];
  private readonly lateness: number;
  private readonly partialEveryMs: number;
  private readonly horizonMs: number;
  private readonly maxFutureMs: number;
  private readonly ring: MinuteRing;
  private readonly versions: VersionRing[];
  private readonly acc = new CandleAcc();
  private readonly st: CandleBuilderStats = emptyStats();

  /** Start of the first minute not yet closed (the open minute when `isOpen`); NaN before the first trade. */
  private nextStart = NaN;
  /** End of the open minute, or -Infinity when none is open (forces the slow path). */
  private curEnd = -Infinity;
  private isOpen = false;
  private firstMinute = NaN;
  private lastClose = NaN;
  // The open 1m candle.
  private o = 0;
  private h = 0;
  private l = 0;
  private c = 0;
  private v = 0;
  private qv = 0;
  private bv = 0;
  private bqv = 0;
  // Rounding errors of the four sums above, carried so a minute's volumes are the correctly rounded
  // value of the exact sum of price × size: what the venue's decimal kline holds, as near as a double can.
  private ve = 0;
  private qve = 0;
  private bve = 0;
  private bqve = 0;
  private n = 0;
  private ver = 0;

  private nowMs = NaN;
  private lastPartialAt = -Infinity;
  private closes = 0;
  private tradesAtPartial = 0;
  private closesAtPartial = 0;

  constructor(opts: CandleBuilderOptions) {
    const s = resolveSettings(opts);
    this.exchange = opts.exchange;
    this.market = opts.market;
    this.symbol = opts.symbol;
    this.sink = opts.onCandle;
    this.onSinkError = opts.onSinkError;
    this.lateness = s.allowedLatenessMs;
    this.partialEveryMs = s.partialEveryMs;
    this.horizonMs = s.lateHorizonMs;
    this.maxFutureMs = s.maxFutureMs;
    // Late minutes reach back `horizon`; recomputing their day needs up to one more day before that.
    const span = this.horizonMs + DAY_MS;
    this.ring = new MinuteRing(span / MINUTE_MS + 2);
    this.versions = ROLLUP_MS.map((iv) => new VersionRing(iv, Math.ceil((span + DAY_MS) / iv) + 2));
  }

  /** Folds one trade. Allocation-free unless it closes a minute or is late. */
  onTrade(t: Trade): void {
    const ts = t.exchangeTs;
    const p = t.price;
    const s = t.size;
    if (ts >= this.nextStart && ts < this.curEnd && p > 0 && p < Infinity && s > 0 && s < Infinity) {
      if (p > this.h) this.h = p;
      else if (p < this.l) this.l = p;
      this.c = p;
      const v = this.v + s;
      this.ve += sumError(this.v, s, v);
      this.v = v;
      const q = p * s;
      const qe = productError(p, s, q);
      const qv = this.qv + q;
      this.qve += sumError(this.qv, q, qv) + qe;
      this.qv = qv;
      if (t.side === BUY) {
        const bv = this.bv + s;
        this.bve += sumError(this.bv, s, bv);
        this.bv = bv;
        const bqv = this.bqv + q;
        this.bqve += sumError(this.bqv, q, bqv) + qe;
        this.bqv = bqv;
      }
      const n = t.tradeCount;
      this.n += n > 0 ? n : 1;
      this.st.trades++;
      return;
    }
    this.slowTrade(t);
  }

  /**
   * Moves the clock: closes the open minute and fills flat minutes once `end + allowedLateness`
   * has passed, then emits open candles if `partialEveryMs` has elapsed since the last time.
   */
  advanceTime(nowMs: number): void {
    if (!Number.isFinite(nowMs))
      throw new RangeError(`candle builder: advanceTime needs a finite time, got ${nowMs}`);
    if (nowMs < this.nowMs) return; // the clock never goes back; ignore a stale call
    this.nowMs = nowMs;
    if (Number.isNaN(this.nextStart)) return;
    const due = nowMs - this.lateness - MINUTE_MS; // minutes starting at or before this are due
    if (this.isOpen && this.nextStart <= due) this.closeOpen();
    if (!this.isOpen) while (this.nextStart <= due) this.closeFlat();
    if (this.partialEveryMs > 0 && nowMs - this.lastPartialAt >= this.partialEveryMs) {
      this.lastPartialAt = nowMs;
      this.emitPartials();
    }
  }

  stats(): CandleBuilderStats {
    return { ...this.st };
  }

  private slowTrade(t: Trade): void {
    const ts = t.exchangeTs;
    const p = t.price;
    const s = t.size;
    if (!(Number.isFinite(ts) && ts >= 0 && p > 0 && p < Infinity && s > 0 && s < Infinity)) {
      this.st.invalidDropped++;
      return;
    }
    const minute = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
    const buy = t.side === BUY;
    const n = t.tradeCount > 0 ? t.tradeCount : 1;
    if (Number.isNaN(this.nextStart) || minute >= this.nextStart) {
      if (ts - this.nowMs > this.maxFutureMs) {
        this.st.futureDropped++;
        return;
      }
      if (Number.isNaN(this.nextStart)) this.firstMinute = this.nextStart = minute;
      if (this.isOpen) this.closeOpen();
      while (this.nextStart < minute) this.closeFlat();
      this.openMinute(minute, p, s, buy, n);
      return;
    }
    this.lateTrade(minute, p, s, buy, n);
  }

  private openMinute(minute: number, p: number, s: number, buy: boolean, n: number): void {
    this.nextStart = minute;
    this.curEnd = minute + MINUTE_MS;
    this.isOpen = true;
    this.o = this.h = this.l = this.c = p;
    this.v = s;
    this.qv = p * s;
    this.bv = buy ? s : 0;
    this.bqv = buy ? this.qv : 0;
    this.ve = this.bve = 0;
    this.qve = productError(p, s, this.qv);
    this.bqve = buy ? this.qve : 0;
    this.n = n;
    this.ver = 0;
    this.st.trades++;
  }

  private closeOpen(): void {
    const r = this.ring;
    const m = this.nextStart;
    const i = r.put(m, 0, this.ver + 1);
    r.open[i] = this.o;
    r.high[i] = this.h;
    r.low[i] = this.l;
    r.close[i] = this.c;
    r.volume[i] = this.v + this.ve;
    r.quoteVolume[i] = this.qv + this.qve;
    r.buyVolume[i] = this.bv + this.bve;
    r.buyQuoteVolume[i] = this.bqv + this.bqve;
    r.tradeCount[i] = this.n;
    this.lastClose = this.c;
    this.isOpen = false;
    this.curEnd = -Infinity;
    this.afterClose(i, m);
  }

  private closeFlat(): void {
    const m = this.nextStart;
    this.afterClose(this.ring.put(m, this.lastClose, 1), m);
  }

  private afterClose(slot: number, minute: number): void {
    this.nextStart = minute + MINUTE_MS;
    this.closes++;
    this.emitMinute(slot, true);
    for (let k = 0; k < ROLLUP_MS.length; k++) {
      const iv = ROLLUP_MS[k]!;
      if (this.nextStart % iv === 0) this.emitRollup(k, this.nextStart - iv, true);
    }
  }

  /** A trade for a closed minute within the horizon: correct it, the flats after it, and their roll-ups. */
  private lateTrade(minute: number, p: number, s: number, buy: boolean, n: number): void {
    if (minute < this.nextStart - this.horizonMs) {
      this.st.lateDropped++;
      return;
    }
    const r = this.ring;
    let i: number;
    if (minute < this.firstMinute) {
      // Before the first trade seen: extend history back; the minutes in between become flats below.
      for (let m = minute + MINUTE_MS; m < this.firstMinute; m += MINUTE_MS) r.put(m, NaN, 0);
      this.firstMinute = minute;
      i = r.put(minute, p, 0);
    } else {
      i = r.find(minute);
      if (i < 0) {
        this.st.lateDropped++; // cannot happen within the horizon; counted rather than trusted
        return;
      }
    }
    this.st.trades++;
    this.st.lateAccepted++;
    if (r.tradeCount[i] === 0) r.setFlat(i, p); // a flat filler becomes a real candle
    if (p > r.high[i]!) r.high[i] = p;
    if (p < r.low[i]!) r.low[i] = p;
    r.close[i] = p;
    const q = p * s;
    r.volume[i]! += s;
    r.quoteVolume[i]! += q;
    if (buy) {
      r.buyVolume[i]! += s;
      r.buyQuoteVolume[i]! += q;
    }
    r.tradeCount[i]! += n;
    r.version[i]! += 1;
    this.emitMinute(i, true);

    // Flats after it carry its close: re-price them until a real candle or an unchanged flat.
    const close = p;
    let last = minute;
    for (let m = minute + MINUTE_MS; m < this.nextStart; m += MINUTE_MS) {
      const j = r.find(m);
      if (j < 0 || r.tradeCount[j]! > 0 || (r.close[j] === close && r.version[j]! > 0)) break;
      r.setFlat(j, close);
      r.version[j]! += 1;
      this.emitMinute(j, true);
      last = m;
    }
    if (last === this.nextStart - MINUTE_MS) this.lastClose = close;

    for (let k = 0; k < ROLLUP_MS.length; k++) {
      const iv = ROLLUP_MS[k]!;
      for (let w = Math.floor(minute / iv) * iv; w <= last; w += iv) {
        if (w + iv <= this.nextStart) this.emitRollup(k, w, true);
        else if (this.versions[k]!.get(w) > 0) this.emitRollup(k, w, false);
      }
    }
  }

  private emitPartials(): void {
    const traded = this.st.trades !== this.tradesAtPartial;
    if (!traded && this.closes === this.closesAtPartial) return;
    this.tradesAtPartial = this.st.trades;
    this.closesAtPartial = this.closes;
    if (this.isOpen && traded) {
      this.ver++;
      this.emit(
        '1m',
        MINUTE_MS,
        this.nextStart,
        this.o,
        this.h,
        this.l,
        this.c,
        this.v + this.ve,
        this.qv + this.qve,
        this.bv + this.bve,
        this.bqv + this.bqve,
        this.n,
        this.ver,
        false,
      );
    }
    for (let k = 0; k < ROLLUP_MS.length; k++) {
      const iv = ROLLUP_MS[k]!;
      const w = Math.floor(this.nextStart / iv) * iv;
      if (w === this.nextStart && !this.isOpen) continue; // nothing in this window yet
      this.emitRollup(k, w, false);
    }
  }

  /** Recomputes window [w, w+iv) from the closed minutes (plus the open one unless final) and emits it. */
  private emitRollup(k: number, w: number, final: boolean): void {
    const iv = ROLLUP_MS[k]!;
    const r = this.ring;
    const a = this.acc;
    a.reset();
    const to = Math.min(w + iv, this.nextStart);
    for (let m = Math.max(w, this.firstMinute); m < to; m += MINUTE_MS) {
      const i = r.find(m);
      if (i < 0) continue;
      a.add(
        r.open[i]!,
        r.high[i]!,
        r.low[i]!,
        r.close[i]!,
        r.volume[i]!,
        r.quoteVolume[i]!,
        r.buyVolume[i]!,
        r.buyQuoteVolume[i]!,
        r.tradeCount[i]!,
      );
    }
    if (!final && this.isOpen && this.nextStart < w + iv) {
      a.add(this.o, this.h, this.l, this.c, this.v + this.ve, this.qv + this.qve, this.bv + this.bve, this.bqv + this.bqve, this.n);
    }
    if (a.minutes === 0) return;
    a.finish();
    const ver = this.versions[k]!.bump(w);
    this.emit(
      ROLLUP_INTERVALS[k]!,
      iv,
      w,
      a.open,
      a.high,
      a.low,
      a.close,
      a.volume,
      a.quoteVolume,
      a.buyVolume,
      a.buyQuoteVolume,
      a.tradeCount,
      ver,
      final,
    );
  }

  private emitMinute(i: number, final: boolean): void {
    const r = this.ring;
    this.emit(
      '1m',
      MINUTE_MS,
      r.openTime[i]!,
      r.open[i]!,
      r.high[i]!,
      r.low[i]!,
      r.close[i]!,
      r.volume[i]!,
      r.quoteVolume[i]!,
      r.buyVolume[i]!,
      r.buyQuoteVolume[i]!,
      r.tradeCount[i]!,
      r.version[i]!,
      final,
    );
  }

  private emit(
    interval: string,
    iv: number,
    openTime: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    quoteVolume: number,
    buyVolume: number,
    buyQuoteVolume: number,
    tradeCount: number,
    version: number,
    final: boolean,
  ): void {
    const candle: Candle = {
      exchange: this.exchange,
      market: this.market,
      symbol: this.symbol,
      interval,
      openTime,
      closeTime: openTime + iv,
      open,
      high,
      low,
      close,
      volume,
      quoteVolume,
      buyVolume,
      buyQuoteVolume,
      tradeCount,
      version,
      final,
      source: 'trades',
    };
    this.st.emitted++;
    try {
      this.sink(candle);
    } catch (err) {
      this.st.sinkErrors++;
      this.onSinkError?.(err, candle);
    }
  }
}

import { CompensatedSum } from './exact-sum.js';
import { INTERVALS, Side, isInterval, type Candle, type Interval, type Trade } from '@pricelevel/contracts';
import { CandleAcc } from './candle-acc.js';
import { MINUTE_MS } from './candle-options.js';

function checkInterval(interval: string): number {
  if (!isInterval(interval)) throw new RangeError(`unknown candle interval: ${interval}`);
  return INTERVALS[interval];
}

function isValidTrade(t: Trade): boolean {
  return (
    Number.isFinite(t.exchangeTs) &&
    t.exchangeTs >= 0 &&
    t.price > 0 &&
    Number.isFinite(t.price) &&
    t.size > 0 &&
    Number.isFinite(t.size)
  );
}

function flat(base: Trade | Candle, interval: string, openTime: number, ms: number, price: number): Candle {
  return {
    exchange: base.exchange,
    market: base.market,
    symbol: base.symbol,
    interval,
    openTime,
    closeTime: openTime + ms,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 0,
    quoteVolume: 0,
    buyVolume: 0,
    buyQuoteVolume: 0,
    tradeCount: 0,
    version: 1,
    final: true,
    source: 'trades',
  };
}

/**
 * Reference candles for one instrument's trades, folded directly (no roll-up), all final, version 1.
 * Within a candle, trades count in the order of their 1m bucket, then of arrival; for trades that
 * arrive in time order that is plain arrival order. (A late trade is the close of its own minute, not of
 * the hour it belongs to: the same answer a 1m roll-up gives.) Invalid trades are skipped; empty
 * buckets between the first and the last trade are flat at the previous close.
 */
export function buildCandlesFromTrades(trades: readonly Trade[], interval: Interval): Candle[] {
  const ms = checkInterval(interval);
  const valid = trades.filter(isValidTrade);
  const first = valid[0];
  if (!first) return [];
  const ordered = [...valid].sort(
    (a, b) => Math.floor(a.exchangeTs / MINUTE_MS) - Math.floor(b.exchangeTs / MINUTE_MS),
  );
  const byBucket = new Map<number, Candle>();
  // Volumes as exact sums (the same error-free accumulation as the builder), written back at the end.
  const sums = new Map<number, [CompensatedSum, CompensatedSum, CompensatedSum, CompensatedSum]>();
  for (const t of ordered) {
    const openTime = Math.floor(t.exchangeTs / ms) * ms;
    const n = t.tradeCount > 0 ? t.tradeCount : 1;
    const buy = t.side === Side.SIDE_BUY;
    const q = t.price * t.size;
    let acc = sums.get(openTime);
    if (!acc) sums.set(openTime, (acc = [new CompensatedSum(), new CompensatedSum(), new CompensatedSum(), new CompensatedSum()]));
    acc[0].add(t.size);
    acc[1].addProduct(t.price, t.size);
    if (buy) {
      acc[2].add(t.size);
      acc[3].addProduct(t.price, t.size);
    }
    const c = byBucket.get(openTime);
    if (!c) {
      byBucket.set(openTime, {
        ...flat(first, interval, openTime, ms, t.price),
        volume: t.size,
        quoteVolume: q,
        buyVolume: buy ? t.size : 0,
        buyQuoteVolume: buy ? q : 0,
        tradeCount: n,
      });
      continue;
    }
    c.high = Math.max(c.high, t.price);
    c.low = Math.min(c.low, t.price);
    c.close = t.price;
    c.tradeCount += n;
  }
  for (const [openTime, [v, qv, bv, bqv]] of sums) {
    const c = byBucket.get(openTime)!;
    c.volume = v.value;
    c.quoteVolume = qv.value;
    c.buyVolume = bv.value;
    c.buyQuoteVolume = bqv.value;
  }
  const starts = [...byBucket.keys()].sort((a, b) => a - b);
  const out: Candle[] = [];
  const from = starts[0]!;
  const to = starts[starts.length - 1]!;
  let prevClose = NaN;
  for (let t = from; t <= to; t += ms) {
    const c = byBucket.get(t) ?? flat(first, interval, t, ms, prevClose);
    out.push(c);
    prevClose = c.close;
  }
  return out;
}

/**
 * Rolls sorted 1m candles of one instrument up to `interval`: open of the first minute with trades,
 * close of the last, max/min, sums; a window without trades is flat at its first minute's price.
 * A window is final when its last minute is present and every minute in it is final. Version 1.
 */
export function rollUp(candles1m: readonly Candle[], interval: Interval): Candle[] {
  const ms = checkInterval(interval);
  const sorted = [...candles1m].sort((a, b) => a.openTime - b.openTime);
  const out: Candle[] = [];
  const acc = new CandleAcc();
  let i = 0;
  while (i < sorted.length) {
    const head = sorted[i]!;
    const w = Math.floor(head.openTime / ms) * ms;
    acc.reset();
    let final = true;
    let complete = false;
    for (; i < sorted.length; i++) {
      const m = sorted[i]!;
      if (m.interval !== '1m') throw new RangeError(`rollUp takes 1m candles, got ${m.interval}`);
      if (m.openTime >= w + ms) break;
      acc.add(
        m.open,
        m.high,
        m.low,
        m.close,
        m.volume,
        m.quoteVolume,
        m.buyVolume,
        m.buyQuoteVolume,
        m.tradeCount,
      );
      final &&= m.final;
      complete ||= m.openTime === w + ms - MINUTE_MS;
    }
    acc.finish();
    out.push({
      exchange: head.exchange,
      market: head.market,
      symbol: head.symbol,
      interval,
      openTime: w,
      closeTime: w + ms,
      open: acc.open,
      high: acc.high,
      low: acc.low,
      close: acc.close,
      volume: acc.volume,
      quoteVolume: acc.quoteVolume,
      buyVolume: acc.buyVolume,
      buyQuoteVolume: acc.buyQuoteVolume,
      tradeCount: acc.tradeCount,
      version: 1,
      final: final && complete,
      source: head.source,
    });
  }
  return out;
}

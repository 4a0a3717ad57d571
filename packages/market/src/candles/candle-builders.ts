import type { Trade } from '@pricelevel/contracts';
import { CandleBuilder } from './candle-builder.js';
import {
  emptyStats,
  resolveSettings,
  type CandleBuilderStats,
  type CandleSettings,
} from './candle-options.js';

/**
 * Candle builders for many instruments, created on first trade. Routing looks up the symbol, then
 * scans the few venues/markets listing it, so no key string is built per trade; the last instrument
 * is remembered so runs of trades for one symbol skip the lookup.
 */
export class CandleBuilders {
  private readonly bySymbol = new Map<string, CandleBuilder[]>();
  private readonly list: CandleBuilder[] = [];
  private last: CandleBuilder | undefined;
  private nowMs = NaN;

  constructor(private readonly settings: CandleSettings) {
    resolveSettings(settings); // fail at construction, not on the first trade
  }

  onTrade(t: Trade): void {
    const last = this.last;
    if (
      last !== undefined &&
      last.symbol === t.symbol &&
      last.market === t.market &&
      last.exchange === t.exchange
    ) {
      last.onTrade(t);
      return;
    }
    const b = this.get(t.exchange, t.market, t.symbol);
    this.last = b;
    b.onTrade(t);
  }

  /** The builder for one instrument, created if missing. */
  get(exchange: string, market: string, symbol: string): CandleBuilder {
    let list = this.bySymbol.get(symbol);
    if (!list) this.bySymbol.set(symbol, (list = []));
    for (const b of list) if (b.exchange === exchange && b.market === market) return b;
    const b = new CandleBuilder({ ...this.settings, exchange, market, symbol });
    if (!Number.isNaN(this.nowMs)) b.advanceTime(this.nowMs);
    list.push(b);
    this.list.push(b);
    return b;
  }

  advanceTime(nowMs: number): void {
    if (!Number.isFinite(nowMs))
      throw new RangeError(`candle builders: advanceTime needs a finite time, got ${nowMs}`);
    if (nowMs < this.nowMs) return;
    this.nowMs = nowMs;
    for (const b of this.list) b.advanceTime(nowMs);
  }

  builders(): readonly CandleBuilder[] {
    return this.list;
  }

  /** Sum over all instruments. */
  stats(): CandleBuilderStats {
    const sum = emptyStats();
    for (const b of this.list) {
      const s = b.stats();
      for (const k of Object.keys(sum) as (keyof CandleBuilderStats)[]) sum[k] += s[k];
    }
    return sum;
  }
}

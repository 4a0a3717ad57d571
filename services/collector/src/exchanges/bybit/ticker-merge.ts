import type { Market, Ticker } from '@pricelevel/contracts';
import type { TickerMessage } from './parsers.js';
import { BYBIT } from './symbols.js';

/**
 * `tickers.<SYMBOL>` is a snapshot followed by deltas in which a missing field means "unchanged":
 * keep the merged state per symbol and turn it into a Ticker. Pure; one instance per adapter.
 */
export class TickerMerger {
  private readonly state = new Map<string, Record<string, unknown>>();

  constructor(readonly market: Market) {}

  /** The merged Ticker after this message, or null when it carries none of the fields a Ticker has. */
  apply(msg: TickerMessage): Ticker | null {
    let s = this.state.get(msg.symbol);
    if (msg.type === 'snapshot' || !s) {
      s = { ...msg.fields };
      this.state.set(msg.symbol, s);
    } else Object.assign(s, msg.fields);
    const t: Ticker = { exchange: BYBIT, market: this.market, symbol: msg.symbol, exchangeTs: msg.ts, receivedTs: msg.receivedTs };
    let any = false;
    const pos = (k: string) => {
      const v = typeof s[k] === 'string' && s[k] !== '' ? +(s[k] as string) : NaN;
      return v >= 0 && v < Infinity ? v : undefined;
    };
    const set = <K extends keyof Ticker>(k: K, v: Ticker[K] | undefined) => {
      if (v === undefined) return;
      t[k] = v;
      any = true;
    };
    const mark = pos('markPrice');
    set('markPrice', mark !== undefined && mark > 0 ? mark : undefined);
    const index = pos('indexPrice');
    set('indexPrice', index !== undefined && index > 0 ? index : undefined);
    // "" on contracts without funding (delivery futures): unknown, never 0.
    const fr = typeof s.fundingRate === 'string' && s.fundingRate !== '' ? +s.fundingRate : NaN;
    set('fundingRate', Number.isFinite(fr) ? fr : undefined);
    const next = pos('nextFundingTime');
    set('nextFundingTs', next !== undefined && next > 0 && Number.isSafeInteger(next) ? next : undefined);
    set('openInterest', pos('openInterest'));
    set('openInterestValue', pos('openInterestValue'));
    return any ? t : null;
  }

  /** Forget a symbol's state (its stream restarted: the next snapshot starts over). */
  reset(symbol?: string): void {
    if (symbol === undefined) this.state.clear();
    else this.state.delete(symbol);
  }
}

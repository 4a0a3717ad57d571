import type { Market } from '@pricelevel/contracts';

export const BYBIT = 'bybit';

/** One instrument: the normalized name used in events and the venue's own name used in topics. */
export interface BybitInstrument {
  symbol: string;
  native: string;
}

const NATIVE_RE = /^[A-Z0-9-]{2,40}$/;
/** `BTC-USDT` / `BTC/USDT` style pairs: the separator is not part of the venue's name. */
const PAIR_RE = /^([A-Z0-9]+)[-/](USDT|USDC|USD|BTC|ETH|EUR|DAI)$/;

/**
 * Bybit symbols are mostly already `BTCUSDT`; delivery contracts keep a dash (`BTC-26DEC25`), which
 * the normalized name drops. `btc/usdt`, `BTC-USDT` → `BTCUSDT`. Throws on anything else.
 */
export function bybitInstrument(raw: string): BybitInstrument {
  let s = String(raw).trim().toUpperCase();
  const pair = PAIR_RE.exec(s);
  if (pair) s = `${pair[1]}${pair[2]}`;
  if (!NATIVE_RE.test(s)) throw new Error(`invalid Bybit symbol: ${JSON.stringify(raw)}`);
  return { symbol: s.replace(/-/g, ''), native: s };
}

export function bybitInstruments(raw: readonly string[]): BybitInstrument[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new Error('at least one symbol is required');
  const seen = new Map<string, BybitInstrument>();
  for (const r of raw) {
    const i = bybitInstrument(r);
    if (!seen.has(i.symbol)) seen.set(i.symbol, i);
  }
  return [...seen.values()];
}

export type BookDepth = 1 | 50 | 200 | 500 | 1000;

/** Topics per instrument: trades and the book everywhere; tickers and liquidations on linear only. */
export function bybitTopics(native: string, market: Market, depth: BookDepth): string[] {
  const t = [`publicTrade.${native}`, `orderbook.${depth}.${native}`];
  if (market === 'perp') t.push(`tickers.${native}`, `allLiquidation.${native}`);
  return t;
}
